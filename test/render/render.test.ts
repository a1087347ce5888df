/**
 * Every change task × platform rendered (add and removal, optional fields on and off),
 * compared with golden files (UPDATE_GOLDEN=1 rewrites them), then read back by the
 * vendor's parser: the Ansible resource modules' `state: parsed` of the collections Debian
 * ships (arista.eos, cisco.ios, cisco.iosxr, cisco.nxos; network_cli connection type, no
 * device). Junos is rendered in set syntax, which junipernetworks.junos cannot parse (its
 * parsers read XML): junoscfg (a Junos-syntax parser, pinned in requirements.txt) reads the
 * set/delete commands into Junos JSON, test/render/py/junos_set_to_xml.py writes that as
 * Junos XML, and junos_bgp_global's `state: parsed` reads the neighbor from it. Also
 * `netops chat … --render` end to end.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORMS, RenderError, renderConfig, type RenderHost } from '../../runtime/render.js';
import { REPO } from '../support/lab.js';
import { VENV_PYTHON, ensureVenv } from '../support/venv.js';

const GOLDEN = join(REPO, 'test', 'render', 'golden');
const HOST: RenderHost = { name: 'r1', local_as: 65000, router_id: '192.0.2.2', mgmt_interface: 'mgmt0' };
const IFNAME: Record<string, string> = { frr: 'to-peer1', eos: 'Ethernet1', junos: 'ge-0/0/1', ios: 'GigabitEthernet0/1', iosxr: 'GigabitEthernet0/0/0/1', nxos: 'Ethernet1/1' };
const CASES: { id: string; task: string; params: (pl: string) => Record<string, unknown> }[] = [
  { id: 'add_peer', task: 'add_peer', params: () => ({ in: 'bma', ip: '10.0.0.1', as: 65100, description: 'transit-a' }) },
  { id: 'add_peer-minimal', task: 'add_peer', params: () => ({ in: 'bma', ip: '10.0.0.1', as: 65100 }) },
  { id: 'add_peer-password', task: 'add_peer', params: () => ({ in: 'bma', ip: '10.0.0.1', as: 4200000000, description: 'say "hi"', password: 's3cr3t-Pw' }) },
  { id: 'remove_peer', task: 'remove_peer', params: () => ({ in: 'bma', ip: '10.0.0.1' }) },
  { id: 'set_interface-down', task: 'set_interface', params: (pl) => ({ in: 'bma', name: IFNAME[pl], state: 'down' }) },
  { id: 'set_interface-up', task: 'set_interface', params: (pl) => ({ in: 'bma', name: IFNAME[pl], state: 'up' }) },
];
const PLAYBOOKS = join(REPO, 'playbooks');

describe('render: every change task × platform', function () {
  this.timeout(120_000);
  const rendered: Record<string, Record<string, string>> = {};

  for (const c of CASES) {
    for (const pl of PLATFORMS) {
      it(`${c.id} on ${pl} matches test/render/golden/${c.id}/${pl}.txt`, async function () {
        const text = await renderConfig(PLAYBOOKS, c.task, pl, c.params(pl), HOST);
        (rendered[c.id] ??= {})[pl] = text;
        const file = join(GOLDEN, c.id, `${pl}.txt`);
        if (process.env.UPDATE_GOLDEN) { mkdirSync(join(GOLDEN, c.id), { recursive: true }); writeFileSync(file, text); }
        expect(existsSync(file), `missing golden ${file} (UPDATE_GOLDEN=1 writes it)`).to.equal(true);
        expect(text).to.equal(readFileSync(file, 'utf8'));
      });
    }
  }

  it('removal renders as the platform removes a neighbor', function () {
    const r = rendered.remove_peer!;
    expect(r.junos).to.equal('delete protocols bgp group netops neighbor 10.0.0.1\n');
    for (const pl of ['frr', 'ios', 'iosxr', 'eos', 'nxos']) expect(r[pl], pl).to.match(/^\s+no neighbor 10\.0\.0\.1$/m);
  });

  it('refuses an unknown platform, a task without templates and invalid parameters (RenderError)', async function () {
    await renderConfig(PLAYBOOKS, 'add_peer', 'vyos', {}, HOST).then(() => expect.fail('rendered'), (e) => expect(e).to.be.instanceOf(RenderError).and.have.property('message').match(/unknown platform 'vyos'; type one of: frr, eos/));
    await renderConfig(PLAYBOOKS, 'show_peers', 'eos', { in: 'bma' }, HOST).then(() => expect.fail('rendered'), (e) => expect(e).to.be.instanceOf(RenderError).and.have.property('message').match(/no configuration templates/));
    await renderConfig(PLAYBOOKS, 'add_peer', 'eos', { in: 'bma', ip: '10.0.0.1', as: 65100, description: 'x\n neighbor 10.0.0.1 shutdown' }, HOST)
      .then(() => expect.fail('rendered'), (e) => expect(e).to.be.instanceOf(RenderError).and.have.property('message').match(/description contains a control/));
    await renderConfig(PLAYBOOKS, 'add_peer', 'eos', { in: 'bma', ip: '224.0.0.1', as: 65100 }, HOST)
      .then(() => expect.fail('rendered'), (e) => expect(e).to.be.instanceOf(RenderError).and.have.property('message').match(/ip must be a unicast peer address/));
  });

  it('the vendor parsers read back the neighbor and the interface state we meant (state: parsed)', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'netops-parse-'));
    try {
      const mods: Record<string, { os: string; bgp: string; af?: string; ifs?: string }> = {
        eos: { os: 'arista.eos.eos', bgp: 'arista.eos.eos_bgp_global', ifs: 'arista.eos.eos_interfaces' },
        ios: { os: 'cisco.ios.ios', bgp: 'cisco.ios.ios_bgp_global', af: 'cisco.ios.ios_bgp_address_family', ifs: 'cisco.ios.ios_interfaces' },
        iosxr: { os: 'cisco.iosxr.iosxr', bgp: 'cisco.iosxr.iosxr_bgp_global', af: 'cisco.iosxr.iosxr_bgp_neighbor_address_family', ifs: 'cisco.iosxr.iosxr_interfaces' },
        // cisco.nxos.nxos_interfaces' parsed state asks the device for its model: no interface parse-back on NX-OS
        nxos: { os: 'cisco.nxos.nxos', bgp: 'cisco.nxos.nxos_bgp_global', af: 'cisco.nxos.nxos_bgp_neighbor_address_family' },
      };
      const tasks: unknown[] = [];
      for (const [pl, m] of Object.entries(mods)) {
        writeFileSync(join(dir, `${pl}-bgp.cfg`), rendered.add_peer![pl]!);
        writeFileSync(join(dir, `${pl}-if.cfg`), rendered['set_interface-down']![pl]!);
        const v = { ansible_connection: 'ansible.netcommon.network_cli', ansible_network_os: m.os };
        tasks.push({ name: `${pl} bgp`, [m.bgp]: { running_config: `{{ lookup('file', '${pl}-bgp.cfg') }}`, state: 'parsed' }, vars: v, register: `${pl}_bgp` });
        if (m.af) tasks.push({ name: `${pl} af`, [m.af]: { running_config: `{{ lookup('file', '${pl}-bgp.cfg') }}`, state: 'parsed' }, vars: v, register: `${pl}_af` });
        if (m.ifs) tasks.push({ name: `${pl} if`, [m.ifs]: { running_config: `{{ lookup('file', '${pl}-if.cfg') }}`, state: 'parsed' }, vars: v, register: `${pl}_if` });
      }
      tasks.push({ name: 'parsed', 'ansible.builtin.debug': { msg: `{{ {${Object.keys(mods).flatMap((pl) => [`'${pl}_bgp': ${pl}_bgp.parsed`, ...(mods[pl]!.ifs ? [`'${pl}_if': ${pl}_if.parsed`] : []), ...(mods[pl]!.af ? [`'${pl}_af': ${pl}_af.parsed`] : [])]).join(', ')}} }}` } });
      writeFileSync(join(dir, 'parse.yml'), JSON.stringify([{ hosts: 'localhost', gather_facts: false, tasks }]));
      const r = await execa('/usr/bin/ansible-playbook', ['-i', 'localhost,', join(dir, 'parse.yml')], { cwd: dir, reject: false, env: { ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' } });
      const out = String(r.stdout);
      const doc = JSON.parse(out.slice(out.indexOf('{'))) as { plays: { tasks: { task: { name: string }; hosts: Record<string, { msg?: Record<string, any>; failed?: boolean }> }[] }[] };
      const last = doc.plays[0]!.tasks.at(-1)!.hosts.localhost!;
      expect(r.exitCode, JSON.stringify(doc.plays[0]!.tasks.filter((t) => t.hosts.localhost?.failed))).to.equal(0);
      const p = last.msg!;
      const nbr = (x: any, key = 'neighbors') => (x[key] as any[]).find((n) => (n.neighbor_address ?? n.peer) === '10.0.0.1');
      expect(p.eos_bgp.as_number).to.equal('65000');
      expect(nbr(p.eos_bgp, 'neighbor')).to.deep.include({ remote_as: '65100', description: 'transit-a' });
      expect(p.ios_bgp.as_number).to.equal('65000');
      expect(nbr(p.ios_bgp)).to.deep.include({ remote_as: '65100', description: 'transit-a' });
      expect(JSON.stringify(p.ios_af)).to.match(/"activate":true/);
      expect(p.iosxr_bgp.as_number).to.equal('65000');
      expect(nbr(p.iosxr_bgp)).to.deep.include({ remote_as: 65100, description: 'transit-a' });
      expect(nbr(p.iosxr_af).address_family).to.deep.equal([{ afi: 'ipv4', safi: 'unicast' }]);
      expect(p.nxos_bgp.as_number).to.equal('65000');
      expect(nbr(p.nxos_bgp)).to.deep.include({ remote_as: '65100', description: 'transit-a' });
      expect(nbr(p.nxos_af).address_family).to.deep.equal([{ afi: 'ipv4', safi: 'unicast' }]);
      for (const pl of Object.keys(mods).filter((x) => mods[x]!.ifs)) expect((p[`${pl}_if`] as any[])[0], pl).to.deep.include({ name: IFNAME[pl], enabled: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Junos: junoscfg reads the set/delete commands, junos_bgp_global (state: parsed) the neighbor we meant', async function () {
    await ensureVenv();
    const dir = mkdtempSync(join(tmpdir(), 'netops-parse-junos-'));
    try {
      const xml: Record<string, string> = {};
      for (const id of ['add_peer', 'add_peer-password', 'remove_peer']) {
        const r = await execa(VENV_PYTHON, [join(REPO, 'test', 'render', 'py', 'junos_set_to_xml.py')], { input: rendered[id]!.junos!, reject: false });
        expect(r.exitCode, r.stderr).to.equal(0);
        xml[id] = r.stdout;
        writeFileSync(join(dir, `${id}.xml`), r.stdout);
      }
      // the delete command lands as Junos' delete operation on that neighbor of group netops
      expect(xml.remove_peer).to.equal('<rpc-reply><configuration><protocols><bgp><group><name>netops</name><neighbor operation="delete"><name>10.0.0.1</name></neighbor></group></bgp></protocols></configuration></rpc-reply>');
      const v = { ansible_connection: 'ansible.netcommon.network_cli', ansible_network_os: 'junipernetworks.junos.junos' };
      const tasks: unknown[] = Object.keys(xml).map((id) => ({ name: id, 'junipernetworks.junos.junos_bgp_global': { running_config: `{{ lookup('file', '${id}.xml') }}`, state: 'parsed' }, vars: v, register: id.replace('-', '_') }));
      tasks.push({ name: 'parsed', 'ansible.builtin.debug': { msg: `{{ {${Object.keys(xml).map((id) => `'${id}': ${id.replace('-', '_')}.parsed`).join(', ')}} }}` } });
      writeFileSync(join(dir, 'parse.yml'), JSON.stringify([{ hosts: 'localhost', gather_facts: false, tasks }]));
      const r = await execa('/usr/bin/ansible-playbook', ['-i', 'localhost,', join(dir, 'parse.yml')], { cwd: dir, reject: false, env: { ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' } });
      const out = String(r.stdout);
      const doc = JSON.parse(out.slice(out.indexOf('{'))) as { plays: { tasks: { task: { name: string }; hosts: Record<string, { msg?: Record<string, any>; failed?: boolean }> }[] }[] };
      expect(r.exitCode, JSON.stringify(doc.plays[0]!.tasks.filter((t) => t.hosts.localhost?.failed))).to.equal(0);
      const p = doc.plays[0]!.tasks.at(-1)!.hosts.localhost!.msg!;
      const group = (x: any) => (x.groups as any[]).find((g) => g.name === 'netops');
      const nbr = (x: any) => (group(x).neighbors as any[]).find((n) => n.neighbor_address === '10.0.0.1');
      expect(group(p.add_peer)).to.include({ type: 'external' });
      expect(nbr(p.add_peer)).to.deep.equal({ neighbor_address: '10.0.0.1', peer_as: '65100', description: 'transit-a' });
      expect(nbr(p['add_peer-password'])).to.deep.include({ peer_as: '4200000000', description: 'say "hi"' }).and.have.property('authentication_key');
      expect(nbr(p.remove_peer)).to.deep.equal({ neighbor_address: '10.0.0.1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('netops chat "<text>" --render <platform> prints it for each router of the site; bad input exits 2', async function () {
    const cli = join(REPO, 'dist', 'cli', 'netops.js');
    const inv = join(REPO, 'lab', 'inventory', 'hosts.yml');
    const ok = await execa('node', [cli, 'chat', 'add peer in=bma ip=10.0.0.1 as=65100 description=transit-a', '--render', 'eos'], { reject: false, env: { NETOPS_INVENTORY: inv } });
    expect(ok.exitCode, ok.stderr).to.equal(0);
    expect(ok.stdout).to.equal('# add_peer on bma-edge1 (eos)\nrouter bgp 65000\n   neighbor 10.0.0.1 remote-as 65100\n   neighbor 10.0.0.1 description transit-a\n   address-family ipv4\n      neighbor 10.0.0.1 activate');
    const gbg = await execa('node', [cli, 'chat', 'remove peer in=gbg ip=10.0.1.1', '--render', 'junos'], { reject: false, env: { NETOPS_INVENTORY: inv } });
    expect(gbg.stdout).to.equal('# remove_peer on gbg-edge1 (junos)\ndelete protocols bgp group netops neighbor 10.0.1.1');
    const bad = await execa('node', [cli, 'chat', 'add peer in=bma ip=10.0.0.1 as=65100', '--render', 'vyos'], { reject: false, env: { NETOPS_INVENTORY: inv } });
    expect(bad.exitCode).to.equal(2);
    expect(bad.stderr).to.match(/type one of: frr, eos, junos, ios, iosxr, nxos/);
    const nosite = await execa('node', [cli, 'chat', 'add peer in=xyz ip=10.0.0.1 as=65100', '--render', 'frr'], { reject: false, env: { NETOPS_INVENTORY: inv } });
    expect(nosite.exitCode).to.equal(2);
    expect(nosite.stderr).to.match(/site 'xyz' has no routers/);
  });
});
