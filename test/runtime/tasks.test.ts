/**
 * Tasks end to end on the built-in lab: the CLI (`netops chat`, `netops <task>`, `netops run`)
 * and the generated StackStorm entry scripts, real ansible-playbook, real FRR routers; every
 * assertion about the network is read back from the router itself with vtysh.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { chmodSync, cpSync, mkdirSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO, bgpState, useLab, vtysh, vtyshJson, waitForBgpState } from '../support/lab.js';
import { FileStore } from '../../sot/file/store.js';

const CLI = join(REPO, 'dist', 'cli', 'netops.js');
let stateDir = '';
/** The run's own copy of the lab's source of truth. */
const sotDir = () => join(stateDir, 'sot');
const env = (extra: Record<string, string> = {}) => ({ NETOPS_STATE_DIR: stateDir, NETOPS_SOT_DIR: sotDir(), NETOPS_CONFIG: join(REPO, 'lab', 'netops.yaml'), NETOPS_LOCK_WAIT: '1', NETOPS_USER: 'tester', ...extra });
const store = () => new FileStore(sotDir());
const siteFile = (site = 'bma') => join(sotDir(), 'sites', `${site}.yml`);
/** A copy of the store with a site file edited (the unreachable / two-router cases). */
function storeVariant(name: string, edit: (site: Record<string, any>) => void): string {
  const dir = join(stateDir, name);
  cpSync(sotDir(), dir, { recursive: true });
  const f = join(dir, 'sites', 'bma.yml');
  const doc = parse(readFileSync(f, 'utf8')) as Record<string, any>;
  edit(doc);
  writeFileSync(f, stringify(doc));
  return dir;
}

interface Doc { status: string; exit_code: number; summary: string; error: string | null; user: string; next: string | null; warnings: string[]; sot: { steps: string[]; outcome: string; txn: string | null } | null; hosts: { host: string; status: string; data: Record<string, unknown>; commands: string[]; rolledBack?: string }[] }

/** Run the CLI with --json; the parsed result document and the exit code. */
async function netops(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; doc: Doc | null; out: string; err: string }> {
  const r = await execa('node', [CLI, ...args, '--json'], { env: env(extra), reject: false });
  let doc: Doc | null = null;
  try { doc = JSON.parse(r.stdout) as Doc; } catch { doc = null; }
  return { code: r.exitCode ?? -1, doc, out: r.stdout, err: r.stderr };
}

/** Run a generated entry script exactly as StackStorm's local-shell-script runner would. */
async function st2Exec(task: string, values: Record<string, unknown>, extra: Record<string, string> = {}): Promise<{ code: number; doc: Doc; raw: string }> {
  const entry = join(REPO, 'pack', 'actions', `${task}.mjs`);
  const meta = parse(readFileSync(join(REPO, 'pack', 'actions', `${task}.yaml`), 'utf8')) as { parameters: unknown };
  const { stdout: command } = await execa('python3', [join(REPO, 'test', 'support', 'st2_command.py')], { input: JSON.stringify({ entry, parameters: meta.parameters, values }) });
  const r = await execa('/bin/sh', ['-c', `chmod +x ${entry}; ${command}`], { env: env(extra), reject: false });
  return { code: r.exitCode ?? -1, doc: JSON.parse(r.stdout) as Doc, raw: r.stdout + r.stderr };
}

const running = (router = 'bma-edge1') => vtysh(router, 'show running-config');

describe('tasks on the lab (real ansible-playbook against FRR)', function () {
  this.timeout(600_000);

  before(async function () {
    await useLab(this);
    stateDir = mkdtempSync(join(tmpdir(), 'netops-state-'));
    cpSync(join(REPO, 'lab', 'sot'), sotDir(), { recursive: true });
    for (const ip of ['10.0.0.1', '10.0.0.5']) await netops(['run', 'remove_peer', 'in=bma', `ip=${ip}`]);
  });
  after(() => { if (stateDir) rmSync(stateDir, { recursive: true, force: true }); });

  it('the seed chat command records the peer and its address, and brings the session to Established', async () => {
    const dry = await netops(['chat', 'add peer in=bma ip=10.0.0.1 as=65100', '--dry-run']);
    expect(dry.code, dry.err + dry.out).to.equal(0);
    expect(dry.doc!.summary).to.contain('would record 10.0.0.1 in IPAM (prefix 10.0.0.0/30, site bma)');
    expect(dry.doc!.summary).to.contain('neighbor 10.0.0.1 remote-as 65100');
    expect((await store().site('bma'))!.peers, 'a dry run records nothing').to.deep.equal([]);
    const r = await netops(['chat', 'add peer in=bma ip=10.0.0.1 as=65100']);
    expect(r.code, r.err + r.out).to.equal(0);
    expect(r.doc!.status).to.equal('changed');
    expect(r.doc!.summary).to.match(/^tester: add peer in bma/);
    expect(r.doc!.sot!.outcome).to.equal('committed');
    expect(await waitForBgpState('bma-edge1', '10.0.0.1', 'Established')).to.equal('Established');
    expect(await running()).to.contain('neighbor 10.0.0.1 remote-as 65100');
    const v = (await store().site('bma'))!;
    expect(v.peers.map((p) => [p.ip, p.as, p.status, p.by, p.via])).to.deep.equal([['10.0.0.1', 65100, 'active', 'tester', 'terminal']]);
    expect(v.allocations.map((a) => [a.address, a.prefix, a.owner, a.status])).to.deep.equal([['10.0.0.1', '10.0.0.0/30', 'bgp-peer AS65100', 'active']]);
    const h = await store().history({ site: 'bma' });
    expect(h.at(-1)).to.include({ task: 'add_peer', user: 'tester', status: 'changed' });
    expect(readdirSync(join(stateDir, 'journal', 'bma')), 'no journal left').to.deep.equal([]);
  });

  it('a second run changes nothing', async () => {
    const before = await running();
    const r = await netops(['chat', 'add peer in=bma ip=10.0.0.1 as=65100']);
    expect(r.code).to.equal(0);
    expect(r.doc!.status).to.equal('ok');
    expect(r.doc!.hosts[0]!.status).to.equal('ok');
    expect(await running()).to.equal(before);
  });

  it('show peers reads state, uptime and prefixes from the router', async () => {
    const r = await netops(['chat', 'show peers in=bma']);
    expect(r.code, r.err).to.equal(0);
    const peers = r.doc!.hosts[0]!.data.peers as { peer: string; state: string; remote_as: number }[];
    expect(peers.find((p) => p.peer === '10.0.0.1')).to.include({ state: 'Established', remote_as: 65100 });
    expect(r.doc!.summary).to.contain('10.0.0.1 AS65100 Established');
  });

  it('refuses bad input before touching any router, saying what to type', async () => {
    const before = await running();
    const cases: [string[], RegExp][] = [
      [['chat', 'add peer in=xyz ip=10.0.0.1 as=65100'], /unknown site 'xyz'; known sites: bma, gbg/],
      [['chat', 'add peer in=bma ip=10.0.0.256 as=65100'], /ip: "10\.0\.0\.256" is not an IPv4 address, e\.g\. ip=10\.0\.0\.1/],
      [['chat', 'add peer in=bma ip=10.0.0.9 as=0'], /as: 0 is out of range 1–4294967295/],
      [['chat', 'add peer in=bma ip=10.0.0.9 as=4294967296'], /out of range 1–4294967295/],
      [['chat', 'add peer in=bma ip=10.0.0.1 as=65999'], /already has peer 10\.0\.0\.1 with AS 65100; remove it first/],
      [['chat', 'add peer in=bma ip=10.0.9.1 as=65100'], /10\.0\.9\.1 is not in a peering prefix of bma \(10\.0\.0\.0\/30, 10\.0\.0\.4\/30\)/],
      [['chat', 'add peer in=bma ip=10.0.0.6 as=65100'], /10\.0\.0\.6 is an address of bma-edge1 itself/],
      [['chat', 'add peer in=gbg ip=10.0.0.5 as=65100'], /10\.0\.0\.5 is not in a peering prefix of gbg \(10\.0\.1\.0\/30\)/],
      [['chat', 'set interface eth9 down in=bma'], /bma-edge1 has no interface eth9; it has: to-peer1, to-peer2/],
      [['chat', 'set interface mgmt0 down in=bma'], /mgmt0 is the management interface of bma-edge1; netops never changes it/],
      [['chat', 'set interface to-peer1 sideways in=bma'], /state: "sideways" must be one of up, down/],
      [['add-peer', '--in', 'bma;reboot', '--ip', '10.0.0.9', '--as', '1'], /in: "bma;reboot" is not allowed/],
    ];
    for (const [args, want] of cases) {
      const r = await netops(args);
      expect(r.code, `${args.join(' ')}: ${r.err}`).to.equal(2);
      expect(r.doc!.summary, args.join(' ')).to.match(want);
      expect(r.doc!.hosts, 'no router was touched').to.deep.equal([]);
    }
    expect(await running()).to.equal(before);
  });

  it('--dry-run shows the exact config lines and changes nothing; secrets are masked', async () => {
    const before = await running();
    const r = await netops(['add-peer', '--in', 'bma', '--ip', '10.0.0.5', '--as', '65200', '--password', 'Sup3rS3cret', '--dry-run']);
    expect(r.code, r.err + r.out).to.equal(0);
    const cmds = r.doc!.hosts[0]!.commands.join('\n');
    expect(cmds).to.contain('neighbor 10.0.0.5 remote-as 65200');
    expect(r.out + r.err).to.not.contain('Sup3rS3cret');
    expect(r.out + r.err, 'inventory credentials (the key path) never appear').to.not.contain('id_ed25519');
    expect(r.doc!.summary).to.contain('dry run, nothing changed');
    expect(await running()).to.equal(before);
  });

  it('the generated entry script, run with the argv StackStorm builds, makes the same change', async () => {
    const r = await st2Exec('add_peer', { in: 'bma', ip: '10.0.0.5', as: 65200, description: 'peer two' });
    expect(r.code, r.raw).to.equal(0);
    expect(r.doc.status).to.equal('changed');
    expect(r.doc.summary).to.match(/^chatuser: add peer in bma/);
    expect(await waitForBgpState('bma-edge1', '10.0.0.5', 'Established')).to.equal('Established');
    expect(await running()).to.contain('neighbor 10.0.0.5 description peer two');
  });

  it('user text is inert: template syntax, shell syntax and YAML tags land verbatim; newlines are refused', async () => {
    const inert = [`{{ lookup('pipe','id') }}`, 'x; reboot', '!!python/object/apply:os.system ["id"]', '$(id) `id` %s {% raw %}'];
    for (const text of inert) {
      const r = await netops(['run', 'add_peer', 'in=bma', 'ip=10.0.0.5', 'as=65200', `description=${text}`]);
      expect(r.code, `${text}: ${r.err}${r.out}`).to.equal(0);
      const cfg = await running();
      expect(cfg, text).to.contain(`neighbor 10.0.0.5 description ${text}`);
      expect(cfg).to.not.match(/uid=\d+/);
    }
    const chat = await netops(['chat', `add peer in=bma ip=10.0.0.5 as=65200 description="{{ 7*7 }}"`]);
    expect(chat.code).to.equal(0);
    expect(await running()).to.contain('neighbor 10.0.0.5 description {{ 7*7 }}');
    const nl = await st2Exec('add_peer', { in: 'bma', ip: '10.0.0.5', as: 65200, description: 'ok\nno router bgp 65000' });
    expect(nl.code).to.equal(2);
    expect(nl.doc.summary).to.match(/description: .* contains U\+000A outside printable ASCII/);
    const cfg = await running();
    expect(cfg).to.contain('router bgp 65000');
    expect(cfg).to.contain('neighbor 10.0.0.5 description {{ 7*7 }}');
  });

  it('set interface down and up, verified on the router', async () => {
    const down = await netops(['chat', 'set interface to-peer2 down in=bma']);
    expect(down.code, down.err + down.out).to.equal(0);
    const ifd = await vtyshJson<Record<string, { administrativeStatus?: string }>>('bma-edge1', 'show interface to-peer2 json');
    expect(ifd['to-peer2']?.administrativeStatus).to.equal('down');
    expect(await waitForBgpState('bma-edge1', '10.0.0.5', ['Idle', 'Active', 'Connect'], 15_000)).to.not.equal('Established');
    const up = await netops(['set-interface', '--in', 'bma', '--name', 'to-peer2', '--state', 'up']);
    expect(up.code).to.equal(0);
    const ifu = await vtyshJson<Record<string, { administrativeStatus?: string }>>('bma-edge1', 'show interface to-peer2 json');
    expect(ifu['to-peer2']?.administrativeStatus).to.equal('up');
    expect(await waitForBgpState('bma-edge1', '10.0.0.5', 'Established', 30_000)).to.equal('Established');
  });

  it('show facts reads hostname, version, uptime and interfaces', async () => {
    const r = await netops(['chat', 'show facts in=gbg']);
    expect(r.code, r.err).to.equal(0);
    expect(r.doc!.hosts.map((h) => h.host)).to.deep.equal(['gbg-edge1']);
    expect(r.doc!.hosts[0]!.data.hostname).to.equal('gbg-edge1');
    expect(r.doc!.summary).to.contain('gbg-edge1');
  });

  it('backup config, then show config diff against it', async () => {
    const b = await netops(['chat', 'backup config in=bma']);
    expect(b.code, b.err + b.out).to.equal(0);
    const same = await netops(['chat', 'show config diff in=bma']);
    expect(same.code).to.equal(0);
    expect(same.doc!.hosts[0]!.data.changed).to.equal(false);
    const rm = await netops(['chat', 'remove peer in=bma ip=10.0.0.5']);
    expect(rm.code).to.equal(0);
    const diff = await netops(['chat', 'show config diff in=bma']);
    expect(diff.doc!.hosts[0]!.data.changed).to.equal(true);
    expect(String(diff.doc!.hosts[0]!.data.diff)).to.match(/^-\s*neighbor 10\.0\.0\.5 remote-as 65200/m);
  });

  it('an unreachable router gives a clear failure and nothing half-applied, in the store or on the router', async () => {
    const dir = storeVariant('sot-unreachable', (d) => { d.routers[0].vars = { ansible_port: 2222 }; }); // nothing listens there
    const before = await running();
    const storeBefore = readFileSync(join(dir, 'sites', 'bma.yml'), 'utf8');
    const r = await netops(['chat', 'add peer in=bma ip=10.0.0.5 as=65200'], { NETOPS_SOT_DIR: dir });
    expect(r.code).to.equal(3);
    expect(r.doc!.status).to.equal('failed');
    expect(r.doc!.hosts[0]!.status).to.equal('unreachable');
    expect(r.doc!.summary).to.match(/bma-edge1: UNREACHABLE: /);
    expect(r.doc!.sot!.outcome).to.equal('aborted');
    expect(r.out + r.err, 'inventory credentials (the key path) never appear').to.not.contain('id_ed25519');
    expect(await running()).to.equal(before);
    expect(readFileSync(join(dir, 'sites', 'bma.yml'), 'utf8')).to.equal(storeBefore);
  });

  it('a site whose routers partly fail is rolled back everywhere: all or nothing', async () => {
    // gbg-edge1 joins bma behind a port nothing listens on: one good router, one unreachable
    const dir = storeVariant('sot-two-routers', (d) => {
      d.routers.push({ name: 'gbg-edge1', platform: 'frr', address: '192.0.2.6', local_as: 65001, mgmt_interface: 'mgmt0', own_addresses: ['192.0.2.6'], vars: { ansible_port: 2222 } });
    });
    const storeBefore = readFileSync(join(dir, 'sites', 'bma.yml'), 'utf8');
    const r = await netops(['run', 'add_peer', 'in=bma', 'ip=10.0.0.5', 'as=65200', 'description=partial'], { NETOPS_SOT_DIR: dir });
    expect(r.code, r.err + r.out).to.equal(4);
    expect(r.doc!.status).to.equal('partial');
    const byHost = Object.fromEntries(r.doc!.hosts.map((h) => [h.host, h.status]));
    expect(byHost).to.deep.equal({ 'bma-edge1': 'changed', 'gbg-edge1': 'unreachable' });
    expect(r.doc!.hosts[0]!.rolledBack).to.match(/removed/);
    expect(r.doc!.sot!.outcome).to.equal('aborted');
    expect(r.doc!.summary).to.contain('nothing kept: the routers were rolled back');
    expect(await running()).to.not.contain('neighbor 10.0.0.5 ');
    expect(readFileSync(join(dir, 'sites', 'bma.yml'), 'utf8'), 'the store is as it was').to.equal(storeBefore);
  });

  it('a config line the router rejects rolls back and keeps nothing, with the router\'s reason in full', async () => {
    const before = await running();
    const storeBefore = readFileSync(siteFile(), 'utf8');
    const r = await netops(['run', 'add_peer', 'in=bma', 'ip=10.0.0.5', 'as=65200'], { NETOPS_FAULT_INJECT: 'mid_push' });
    expect(r.code, r.out).to.equal(3);
    expect(r.doc!.error).to.match(/no-such-keyword/);
    expect(r.doc!.sot!.outcome).to.equal('aborted');
    expect(await running()).to.equal(before);
    expect(readFileSync(siteFile(), 'utf8')).to.equal(storeBefore);
  });

  it('a neighbor the router already has with another AS (unknown to the store) is refused and left in place, not "rolled back"', async () => {
    // configured by hand, outside netops: the store does not know it, so only the router can refuse
    await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', 'neighbor 10.0.0.5 remote-as 65200']);
    try {
      const before = await running();
      expect(before).to.contain('neighbor 10.0.0.5 remote-as 65200');
      const storeBefore = readFileSync(siteFile(), 'utf8');
      const r = await netops(['chat', 'add peer in=bma ip=10.0.0.5 as=65209']);
      expect(r.code, r.out).to.equal(3);
      expect(r.doc!.hosts[0]!.status).to.equal('failed');
      expect(r.doc!.summary).to.match(/neighbor 10\.0\.0\.5 already exists with remote-as 65200 \(asked: 65209\); nothing changed/);
      expect(r.doc!.hosts[0]!.rolledBack, 'nothing of this run was on the router: nothing to undo').to.equal(undefined);
      expect(r.doc!.sot!.outcome).to.equal('aborted');
      expect(await running(), "the operator's neighbor is still there, unchanged").to.equal(before);
      expect(readFileSync(siteFile(), 'utf8')).to.equal(storeBefore);
    } finally {
      await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', 'no neighbor 10.0.0.5']).catch(() => '');
    }
  });

  it('a hand-broken store file is refused naming file and line; nothing is touched or overwritten', async () => {
    const good = readFileSync(siteFile(), 'utf8');
    const broken = good.replace('local_as: 65000', 'local_as: [65000');
    writeFileSync(siteFile(), broken);
    try {
      const before = await running();
      const r = await netops(['chat', 'add peer in=bma ip=10.0.0.5 as=65200']);
      expect(r.code).to.equal(3);
      expect(r.doc!.summary).to.match(/source of truth cannot be read, nothing was changed: .*sites\/bma\.yml:\d+:\d+: /);
      expect(r.doc!.hosts).to.deep.equal([]);
      expect(await running()).to.equal(before);
      expect(readFileSync(siteFile(), 'utf8')).to.equal(broken);
    } finally { writeFileSync(siteFile(), good); }
  });

  it('a second change to a router that is being changed is refused, naming who holds it', async () => {
    const lock = join(stateDir, 'locks', 'bma-edge1.lock');
    mkdirSync(join(stateDir, 'locks'), { recursive: true });
    writeFileSync(lock, JSON.stringify({ user: 'carol', task: 'remove_peer', pid: process.pid, start: null, run: 'x', since: '2026-11-24T10:00:00Z' }));
    try {
      const r = await netops(['chat', 'remove peer in=bma ip=10.0.0.1']);
      expect(r.code).to.equal(5);
      expect(r.doc!.summary).to.contain('bma-edge1 is being changed by carol (remove_peer');
      expect(await bgpState('bma-edge1', '10.0.0.1')).to.equal('Established');
    } finally { rmSync(lock, { force: true }); }
  });

  it('remove peer removes it from the router, the peers and IPAM', async () => {
    const r = await netops(['chat', 'remove peer in=bma ip=10.0.0.1']);
    expect(r.code, r.err).to.equal(0);
    expect(r.doc!.status).to.equal('changed');
    expect(r.doc!.sot!.steps).to.deep.equal(['remove BGP peer 10.0.0.1 AS65100 from bma-edge1 (source of truth)', 'release 10.0.0.1 in IPAM (prefix 10.0.0.0/30, site bma)']);
    expect(await running()).to.not.contain('neighbor 10.0.0.1 ');
    expect(await bgpState('bma-edge1', '10.0.0.1')).to.equal('absent');
    const v = (await store().site('bma'))!;
    expect(v.peers.map((p) => p.ip)).to.not.include('10.0.0.1');
    expect(v.allocations.map((a) => a.address)).to.not.include('10.0.0.1');
  });
});

describe('task timeout stops the whole ansible process group', function () {
  this.timeout(60_000);
  it('exits 124 and leaves no child behind', async () => {
    stateDir ||= mkdtempSync(join(tmpdir(), 'netops-state-'));
    if (!existsSync(sotDir())) cpSync(join(REPO, 'lab', 'sot'), sotDir(), { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'netops-timeout-'));
    const fake = join(dir, 'ansible-playbook');
    const pidFile = join(dir, 'child.pid');
    // A stand-in for a hung ansible-playbook (the real one can't be made to hang on demand): it forks a worker.
    writeFileSync(fake, `#!/bin/sh\nsleep 300 &\necho $! > ${pidFile}\nwait\n`);
    chmodSync(fake, 0o755);
    const r = await netops(['show-peers', '--in', 'bma'], { NETOPS_ANSIBLE_PLAYBOOK: fake, NETOPS_TASK_TIMEOUT: '2' });
    expect(r.code).to.equal(124);
    expect(r.doc!.status).to.equal('timeout');
    expect(r.doc!.error).to.contain('did not finish within 2s');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 300));
    expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'), `worker ${pid} still running`).to.equal(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
