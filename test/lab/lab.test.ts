/**
 * The built-in lab and the playbooks, end to end: real FRR routers in network namespaces,
 * real ansible-playbook over network_cli/ssh, results checked on the routers with vtysh.
 * Needs root; fails under CI=true without it, skips otherwise (test/support/lab.ts).
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../runtime/inventory.js';
import {
  LAB_ROUTERS,
  inCI,
  labDown,
  labHealthy,
  labUnavailableReason,
  labUp,
  runPlaybook,
  skipOrFail,
  useLab,
  type LabInfo,
  type PlaybookRun,
} from '../support/lab.js';

const BMA = ['bma-edge1'];
const GBG = ['gbg-edge1'];

/** Back to the lab's initial state: edges without neighbors, interfaces up, peers without passwords. */
async function resetLab(lab: LabInfo): Promise<void> {
  for (const r of Object.values(lab.routers).filter((x) => x.edge)) {
    const run = await lab.vtysh(r.name, 'show running-config');
    const nbrs = [...new Set([...run.matchAll(/^ neighbor (\S+) /gm)].map((m) => m[1]))];
    const cmds = ['configure terminal', `router bgp ${r.as}`, ...nbrs.map((n) => `no neighbor ${n}`), 'exit'];
    for (const i of ['to-peer1', 'to-peer2']) if (run.includes(`interface ${i}\n shutdown`)) cmds.push(`interface ${i}`, 'no shutdown', 'exit');
    await lab.vtysh(r.name, cmds);
  }
  for (const r of Object.values(lab.routers).filter((x) => !x.edge)) {
    const run = await lab.vtysh(r.name, 'show running-config');
    const m = run.match(/^ neighbor (\S+) password /m);
    if (m) await lab.vtysh(r.name, ['configure terminal', `router bgp ${r.as}`, `no neighbor ${m[1]} password`]);
  }
}

function expectOk(run: PlaybookRun, host: string): Record<string, unknown> {
  expect(run.failures, `failures: ${JSON.stringify(run.failures)}\n${run.stderr}`).to.deep.equal({});
  expect(run.exitCode).to.equal(0);
  expect(run.results[host], 'netops result').to.be.an('object');
  return run.results[host];
}

async function runningConfig(lab: LabInfo, router: string): Promise<string> {
  return lab.vtysh(router, 'show running-config');
}

describe('lab: FRR routers + playbooks (real ansible-playbook)', function () {
  this.timeout(180_000);
  let lab: LabInfo;

  before(async function () {
    lab = await useLab(this);
    await resetLab(lab);
  });
  after(async function () {
    if (lab) await resetLab(lab).catch(() => undefined);
  });

  describe('the lab', function () {
    it('is healthy, and the inventory matches it', async function () {
      expect(await labHealthy()).to.equal(true);
      const inv = loadInventory(lab.inventory);
      expect([...inv.sites.keys()]).to.deep.equal(['bma', 'gbg']);
      for (const r of Object.values(LAB_ROUTERS).filter((x) => x.edge)) {
        const h = inv.hosts.get(r.name)!;
        expect(h.site).to.equal(r.site);
        expect(h.address).to.equal(r.mgmtAddress);
        expect(h.platform).to.equal('frr.frr.frr');
        expect(h.interfaces).to.include.members(['lo', 'mgmt0', 'to-peer1']);
        expect(JSON.stringify(h.vars)).not.to.match(/password/i);
        expect(h.vars.ansible_ssh_private_key_file).to.equal(lab.sshKey);
      }
    });

    it('leaves the host network namespace alone (no lab address, route or interface)', async function () {
      const routes = (await execa('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout;
      const links = (await execa('ip', ['-o', 'link', 'show'])).stdout;
      expect(links).not.to.match(/: no-/);
      for (const net of ['192.0.2.0/30', '192.0.2.4/30', '10.0.0.0/30', '10.0.0.4/30', '10.0.1.0/30']) expect(routes).not.to.include(net);
      const netns = (await execa('ip', ['netns', 'list'])).stdout;
      for (const r of Object.values(LAB_ROUTERS)) expect(netns).to.include(r.netns);
    });

    it('routers run in their own namespace with their own hostname; peers are preconfigured', async function () {
      for (const r of Object.values(LAB_ROUTERS)) {
        expect(await lab.vtysh(r.name, 'show version')).to.include(`(${r.name})`);
        expect(await runningConfig(lab, r.name)).to.include(`router bgp ${r.as}\n`);
      }
      const edge = await runningConfig(lab, 'bma-edge1');
      expect(edge).not.to.match(/^ neighbor /m);
      expect(edge).to.include('no bgp ebgp-requires-policy');
      const peer = await runningConfig(lab, 'bma-peer1');
      expect(peer).to.include('neighbor 10.0.0.2 remote-as 65000');
      expect(peer).to.include('timers bgp 3 9');
    });

    it('sshd on the edges takes the key only and lands in vtysh', async function () {
      const ssh = (host: string, extra: string[] = []) =>
        execa('ssh', ['-i', lab.sshKey, '-o', `UserKnownHostsFile=${lab.knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
          '-o', `ProxyCommand=${lab.runDir}/bin/mgmt-proxy %h %p`, '-o', 'BatchMode=yes', ...extra, `netops@${host}`, 'show version'],
        { reject: false, stdin: 'ignore', timeout: 20_000 });
      const ok = await ssh('192.0.2.6');
      expect(ok.exitCode, ok.stderr).to.equal(0);
      expect(ok.stdout).to.include('FRRouting').and.include('(gbg-edge1)');
      const noKey = await ssh('192.0.2.2', ['-o', 'IdentitiesOnly=yes', '-o', 'IdentityFile=/dev/null', '-o', 'PreferredAuthentications=password,keyboard-interactive', '-i', '/dev/null']);
      expect(noKey.exitCode).not.to.equal(0);
      // the proxy refuses anything that is not a lab management address
      const out = await execa(`${lab.runDir}/bin/mgmt-proxy`, ['10.255.255.53', '53'], { reject: false, stdin: 'ignore' });
      expect(out.exitCode).to.equal(255);
      expect(out.stderr).to.include('not a lab management address');
    });
  });

  describe('add_peer / remove_peer', function () {
    it('--check --diff reports the lines and changes nothing', async function () {
      const before = await runningConfig(lab, 'bma-edge1');
      const run = await runPlaybook('add_peer', { in: 'bma', ip: '10.0.0.1', as: 65100, description: 'peer one' }, { limit: BMA, check: true });
      const res = expectOk(run, 'bma-edge1');
      expect(res).to.deep.include({ peer: '10.0.0.1', remote_as: 65100, state: 'absent', changed: true });
      expect(res.commands).to.deep.equal(['router bgp 65000', 'neighbor 10.0.0.1 remote-as 65100', 'neighbor 10.0.0.1 description peer one']);
      expect(await runningConfig(lab, 'bma-edge1')).to.equal(before);
    });

    it('adds the neighbor, waits for Established; a second run changes nothing', async function () {
      const params = { in: 'bma', ip: '10.0.0.1', as: 65100, description: 'peer one' };
      const run = await runPlaybook('add_peer', params, { limit: BMA });
      const res = expectOk(run, 'bma-edge1');
      expect(res).to.deep.include({ peer: '10.0.0.1', remote_as: 65100, state: 'Established', changed: true, description: 'peer one' });
      const nbr = await lab.vtyshJson<Record<string, { bgpState: string; remoteAs: number; nbrDesc: string }>>('bma-edge1', 'show bgp neighbors 10.0.0.1 json');
      expect(nbr['10.0.0.1']).to.deep.include({ bgpState: 'Established', remoteAs: 65100, nbrDesc: 'peer one' });
      const again = await runPlaybook('add_peer', params, { limit: BMA });
      expect(expectOk(again, 'bma-edge1')).to.deep.include({ changed: false, commands: [], state: 'Established' });
      expect(again.stats['bma-edge1'].changed).to.equal(0);
    });

    it('refuses, before any change, a neighbor that exists with another AS', async function () {
      const before = await runningConfig(lab, 'bma-edge1');
      const run = await runPlaybook('add_peer', { in: 'bma', ip: '10.0.0.1', as: 65999 }, { limit: BMA });
      expect(run.exitCode).to.not.equal(0);
      expect(run.failures['bma-edge1']).to.include('already exists with remote-as 65100');
      expect(await runningConfig(lab, 'bma-edge1')).to.equal(before);
    });

    it('removes the neighbor; a second run reports removed=false', async function () {
      const check = await runPlaybook('remove_peer', { in: 'bma', ip: '10.0.0.1' }, { limit: BMA, check: true });
      expect(expectOk(check, 'bma-edge1')).to.deep.include({ removed: true, commands: ['router bgp 65000', 'no neighbor 10.0.0.1'] });
      expect(await lab.bgpState('bma-edge1', '10.0.0.1')).to.equal('Established');
      const run = await runPlaybook('remove_peer', { in: 'bma', ip: '10.0.0.1' }, { limit: BMA });
      expect(expectOk(run, 'bma-edge1')).to.deep.include({ peer: '10.0.0.1', removed: true, changed: true });
      expect(await lab.bgpState('bma-edge1', '10.0.0.1')).to.equal('absent');
      const again = await runPlaybook('remove_peer', { in: 'bma', ip: '10.0.0.1' }, { limit: BMA });
      expect(expectOk(again, 'bma-edge1')).to.deep.include({ removed: false, changed: false, commands: [] });
    });

    it('keeps hostile descriptions inert: literal text or refused, never evaluated, never a new line', async function () {
      const inert = ['x; reboot', "{{ lookup('pipe','id') }}", '$(id) `id` %s {% raw %} "q" \'s\'', '!!python/object/apply:os.system ["id"]', 'Göteborg – 100%'];
      for (const description of inert) {
        const run = await runPlaybook('add_peer', { in: 'bma', ip: '10.0.0.5', as: 65200, description }, { limit: BMA });
        expect(expectOk(run, 'bma-edge1')).to.deep.include({ description });
        const cfg = await runningConfig(lab, 'bma-edge1');
        expect(cfg).to.include(` neighbor 10.0.0.5 description ${description}\n`);
        expect(cfg).not.to.match(/uid=\d+/);
      }
      const before = await runningConfig(lab, 'bma-edge1');
      for (const description of ['ok\nno router bgp 65000', 'ok\rno router bgp 65000', 'a\u2028b', 'tab\there', 'why?', 'x # y', 'a > b', 'peer not found', '% Unknown command']) {
        const run = await runPlaybook('add_peer', { in: 'bma', ip: '10.0.0.5', as: 65200, description }, { limit: BMA });
        expect(run.exitCode, description).to.not.equal(0);
        expect(run.failures['bma-edge1']).to.include('invalid parameters');
        expect(await runningConfig(lab, 'bma-edge1')).to.equal(before);
      }
      expect(before).to.include('router bgp 65000\n');
    });

    it('sets a BGP MD5 password without printing it, and the session comes up with it', async function () {
      const secret = 'Md5-s3cret!';
      await lab.vtysh('gbg-peer1', ['configure terminal', 'router bgp 65300', `neighbor 10.0.1.2 password ${secret}`]);
      const run = await runPlaybook('add_peer', { in: 'gbg', ip: '10.0.1.1', as: 65300, password: secret }, { limit: GBG });
      const res = expectOk(run, 'gbg-edge1');
      expect(res.commands).to.include('neighbor 10.0.1.1 password ********');
      expect(res.state).to.equal('Established');
      expect(run.stdout + run.stderr).not.to.include(secret);
      expect(await runningConfig(lab, 'gbg-edge1')).to.include(`neighbor 10.0.1.1 password ${secret}`);
    });

    it('rolls back a push that fails half-way (no half-configured neighbor)', async function () {
      for (const fault of ['mid_push', 'after_push']) {
        const run = await runPlaybook('add_peer', { in: 'bma', ip: '10.0.0.1', as: 65100, description: 'will fail' }, { limit: BMA, extraVars: { netops_fault_inject: fault } });
        expect(run.exitCode, fault).to.not.equal(0);
        expect(run.failures['bma-edge1']).to.include('rolled back');
        expect(await runningConfig(lab, 'bma-edge1')).not.to.include('neighbor 10.0.0.1 ');
      }
    });

    it('refuses invalid parameters and a host outside the site, and names an unsupported platform', async function () {
      const bad = await runPlaybook('add_peer', { in: 'bma', ip: '10.0.0.01', as: 'x' }, { limit: BMA });
      expect(bad.failures['bma-edge1']).to.include('ip must be').and.include('as must be');
      const site = await runPlaybook('show_peers', { in: 'gbg' }, { limit: BMA });
      expect(site.failures['bma-edge1']).to.include('not in site gbg');
      const dir = mkdtempSync(join(tmpdir(), 'netops-inv-'));
      try {
        // an eos router (pointing at a lab address: nothing may connect anywhere else)
        const inv = join(dir, 'hosts.yml');
        writeFileSync(inv, `all:\n  children:\n    sites:\n      children:\n        lon:\n          hosts:\n            lon-edge1: {ansible_host: 192.0.2.6, ansible_network_os: arista.eos.eos, ansible_connection: ansible.netcommon.network_cli}\n`);
        const eos = await runPlaybook('show_peers', { in: 'lon' }, { inventory: inv });
        expect(eos.failures['lon-edge1']).to.include("not implemented for platform 'arista.eos.eos'").and.include('implemented: frr');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('show_peers / show_facts', function () {
    before(() => resetLab(lab));

    it('show_peers lists the neighbors with state, uptime, prefixes and description', async function () {
      await runPlaybook('add_peer', { in: 'bma', ip: '10.0.0.1', as: 65100, description: 'peer one' }, { limit: BMA });
      const run = await runPlaybook('show_peers', { in: 'bma' }, { limit: BMA });
      const peers = expectOk(run, 'bma-edge1').peers as Array<Record<string, unknown>>;
      const p1 = peers.find((p) => p.peer === '10.0.0.1')!;
      expect(p1).to.deep.include({ remote_as: 65100, state: 'Established', description: 'peer one' });
      expect(p1.uptime).to.match(/^\d\d:\d\d:\d\d$/);
      expect(p1.prefixes_received).to.equal(1);
      expect(Object.keys(p1).sort()).to.deep.equal(['description', 'peer', 'prefixes_received', 'remote_as', 'state', 'uptime']);
    });

    it('show_facts reports hostname, version, uptime and interfaces with addresses', async function () {
      const run = await runPlaybook('show_facts', { in: 'gbg' }, { limit: GBG });
      const f = expectOk(run, 'gbg-edge1');
      expect(f).to.deep.include({ hostname: 'gbg-edge1', os: 'frr' });
      expect(f.version).to.match(/^\d+\.\d+/);
      expect(f.uptime).to.be.a('string');
      const ifs = f.interfaces as Array<{ name: string; state: string; addresses: string[] }>;
      expect(ifs.find((i) => i.name === 'mgmt0')).to.deep.include({ state: 'up', addresses: ['192.0.2.6/30'] });
      expect(ifs.find((i) => i.name === 'to-peer1')).to.deep.include({ state: 'up', addresses: ['10.0.1.2/30'] });
    });
  });

  describe('set_interface', function () {
    before(() => resetLab(lab));

    it('shuts an interface down and up (idempotent), the BGP session follows', async function () {
      await runPlaybook('add_peer', { in: 'bma', ip: '10.0.0.5', as: 65200 }, { limit: BMA });
      const check = await runPlaybook('set_interface', { in: 'bma', name: 'to-peer2', state: 'down' }, { limit: BMA, check: true });
      expect(expectOk(check, 'bma-edge1')).to.deep.include({ commands: ['interface to-peer2', 'shutdown'], state: 'down', previous_state: 'up' });
      expect(await lab.bgpState('bma-edge1', '10.0.0.5')).to.equal('Established');

      const down = await runPlaybook('set_interface', { in: 'bma', name: 'to-peer2', state: 'down' }, { limit: BMA });
      expect(expectOk(down, 'bma-edge1')).to.deep.include({ interface: 'to-peer2', state: 'down', changed: true });
      expect(await lab.waitForBgpState('bma-edge1', '10.0.0.5', ['Active', 'Connect', 'Idle'], 15_000)).to.not.equal('Established');
      const again = await runPlaybook('set_interface', { in: 'bma', name: 'to-peer2', state: 'down' }, { limit: BMA });
      expect(expectOk(again, 'bma-edge1')).to.deep.include({ changed: false, commands: [] });

      const up = await runPlaybook('set_interface', { in: 'bma', name: 'to-peer2', state: 'up' }, { limit: BMA });
      expect(expectOk(up, 'bma-edge1')).to.deep.include({ state: 'up', commands: ['interface to-peer2', 'no shutdown'] });
      expect(await lab.waitForBgpState('bma-edge1', '10.0.0.5', 'Established', 30_000)).to.equal('Established');
    });

    it('refuses an interface the device does not have, and cutting its management interface', async function () {
      const before = await runningConfig(lab, 'bma-edge1');
      const none = await runPlaybook('set_interface', { in: 'bma', name: 'eth9', state: 'down' }, { limit: BMA });
      expect(none.failures['bma-edge1']).to.include('has no interface eth9');
      const mgmt = await runPlaybook('set_interface', { in: 'bma', name: 'mgmt0', state: 'down' }, { limit: BMA });
      expect(mgmt.failures['bma-edge1']).to.include('management address 192.0.2.2');
      expect(await runningConfig(lab, 'bma-edge1')).to.equal(before);
    });
  });

  describe('backup_config / config_diff', function () {
    let dir: string;
    before(async () => {
      await resetLab(lab);
      dir = mkdtempSync(join(tmpdir(), 'netops-backup-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('saves the running config, then diffs it (equal, then a change)', async function () {
      const check = await runPlaybook('backup_config', { in: 'gbg', backup_dir: join(dir, 'b') }, { limit: GBG, check: true });
      expect(expectOk(check, 'gbg-edge1').path).to.equal(join(dir, 'b', 'gbg-edge1.cfg'));
      expect(existsSync(join(dir, 'b'))).to.equal(false);

      const run = await runPlaybook('backup_config', { in: 'gbg', backup_dir: join(dir, 'b') }, { limit: GBG });
      const res = expectOk(run, 'gbg-edge1');
      const file = readFileSync(join(dir, 'b', 'gbg-edge1.cfg'), 'utf8');
      expect(file).to.include('router bgp 65001').and.not.include('Building configuration');
      expect(res).to.deep.include({ path: join(dir, 'b', 'gbg-edge1.cfg'), lines: file.split('\n').length - 1 });

      const same = await runPlaybook('config_diff', { in: 'gbg', backup_dir: join(dir, 'b') }, { limit: GBG });
      expect(expectOk(same, 'gbg-edge1')).to.deep.include({ changed: false, diff: '' });

      await lab.vtysh('gbg-edge1', ['configure terminal', 'router bgp 65001', 'neighbor 10.0.1.1 remote-as 65300', 'neighbor 10.0.1.1 password Zz9-secret']);
      const diff = await runPlaybook('config_diff', { in: 'gbg', backup_dir: join(dir, 'b') }, { limit: GBG });
      const d = expectOk(diff, 'gbg-edge1');
      expect(d.changed).to.equal(true);
      expect(d.diff).to.include('+ neighbor 10.0.1.1 remote-as 65300').and.include('+ neighbor 10.0.1.1 password ********');
      expect(diff.stdout).not.to.include('Zz9-secret');

      const missing = await runPlaybook('config_diff', { in: 'gbg', backup_dir: join(dir, 'none') }, { limit: GBG });
      expect(missing.failures['gbg-edge1']).to.include('no backup of gbg-edge1');
    });
  });

  describe('syslog', function () {
    before(() => resetLab(lab));

    it('edges send BGP and interface events over UDP in RFC 3164 and RFC 5424', async function () {
      if (!lab.syslog.relayTarget) skipOrFail(this, 'the lab runs without its syslog relay (NETOPS_LAB_SYSLOG_RELAY=off)');
      const got: Array<{ port: number; text: string }> = [];
      const socks: Socket[] = [];
      let bound = true;
      for (const port of [lab.syslog.port3164, lab.syslog.port5424]) {
        const s = createSocket('udp4');
        s.on('message', (m) => got.push({ port, text: m.toString('utf8') }));
        try {
          await new Promise<void>((res, rej) => {
            s.once('error', rej);
            s.bind(port, lab.syslog.relayTarget!, () => res());
          });
          socks.push(s);
        } catch {
          bound = false;
          s.close();
        }
      }
      try {
        await lab.vtysh('gbg-edge1', ['configure terminal', 'router bgp 65001', 'neighbor 10.0.1.1 remote-as 65300']);
        expect(await lab.waitForBgpState('gbg-edge1', '10.0.1.1', 'Established')).to.equal('Established');
        await execa('ip', ['-n', 'no-gbg-edge1', 'link', 'set', 'to-peer1', 'down']);
        await new Promise((r) => setTimeout(r, 1500));
        await execa('ip', ['-n', 'no-gbg-edge1', 'link', 'set', 'to-peer1', 'up']);
        await new Promise((r) => setTimeout(r, 1000));
        const local = readFileSync(join(lab.runDir, 'no-gbg-edge1', 'syslog', 'messages.log'), 'utf8');
        expect(local).to.match(/gbg-edge1 bgpd\[\d+\]: .*%ADJCHANGE: neighbor 10\.0\.1\.1\(gbg-peer1\) in vrf default Up/);
        expect(local).to.match(/gbg-edge1 zebra\[\d+\]: .*ZEBRA_INTERFACE_DOWN to-peer1/);
        if (!bound) {
          if (inCI()) throw new Error(`syslog ports ${lab.syslog.port3164}/${lab.syslog.port5424} on ${lab.syslog.relayTarget} are in use`);
          console.warn('    (syslog ports in use by another process: checked the local copy only)');
          return;
        }
        const rfc3164 = got.filter((g) => g.port === lab.syslog.port3164).map((g) => g.text);
        const rfc5424 = got.filter((g) => g.port === lab.syslog.port5424).map((g) => g.text);
        expect(rfc3164.some((t) => /^<30>\w{3} [ \d]\d \d\d:\d\d:\d\d gbg-edge1 bgpd\[\d+\]: .*%ADJCHANGE: neighbor 10\.0\.1\.1.* Down/.test(t))).to.equal(true, rfc3164.join('\n'));
        expect(rfc5424.some((t) => /^<30>1 \d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d gbg-edge1 bgpd \d+ - - .*%ADJCHANGE: neighbor 10\.0\.1\.1.* Up/.test(t))).to.equal(true, rfc5424.join('\n'));
        expect(rfc3164.some((t) => /^<31>.* gbg-edge1 zebra\[\d+\]: .*ZEBRA_INTERFACE_DOWN to-peer1/.test(t))).to.equal(true);
        expect(got.some((g) => /rsyslogd/.test(g.text))).to.equal(false);
      } finally {
        for (const s of socks) s.close();
      }
    });
  });
});

describe('lab: lifecycle (up is idempotent; down leaves nothing behind)', function () {
  this.timeout(180_000);

  before(function () {
    const why = labUnavailableReason();
    if (why) skipOrFail(this, `lab tests cannot run: ${why}`);
  });

  it('up on a healthy lab is quick and keeps it', async function () {
    const wasUp = await labHealthy();
    if (!wasUp) await labUp();
    const r = await labUp();
    expect(r.output).to.include('already up and healthy');
    expect(r.durationMs).to.be.below(5_000);
    expect(await labHealthy()).to.equal(true);
  });

  it('down removes every namespace, veth, process, directory and the user; up from clean works', async function () {
    const { durationMs: downMs } = await labDown();
    const netns = (await execa('ip', ['netns', 'list'])).stdout;
    expect(netns).not.to.match(/^no-/m);
    expect((await execa('ip', ['-o', 'link', 'show'])).stdout).not.to.match(/: no-/);
    expect(existsSync('/run/netops-lab')).to.equal(false);
    for (const r of Object.values(LAB_ROUTERS)) {
      expect(existsSync(`/etc/frr/${r.netns}`), r.netns).to.equal(false);
      expect(existsSync(`/var/run/frr/${r.netns}`), r.netns).to.equal(false);
    }
    const ps = (await execa('ps', ['-eo', 'args'])).stdout;
    expect(ps).not.to.match(/netops-lab|-N no-(bma|gbg)/);
    expect((await execa('id', ['netops'], { reject: false })).exitCode).to.not.equal(0);

    const { durationMs: upMs } = await labUp();
    expect(await labHealthy()).to.equal(true);
    console.log(`      (lab down ${downMs} ms, up from clean ${upMs} ms)`);
    expect(upMs).to.be.below(30_000);
    expect(downMs).to.be.below(30_000);
  });
});
