/**
 * Changes that are stopped, killed or run side by side, on the real lab: StackStorm's SIGTERM
 * to the entry's process session, kill -9 of netops while its Ansible pushes, two adds at one
 * site at once, and the private vars file. Every check is read back from the router (vtysh)
 * and from the store.
 */
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO, useLab, vtysh, waitForBgpState } from '../support/lab.js';
import { FileStore } from '../../sot/file/store.js';
import { processesOfRun } from '../../runtime/proc.js';
import { untilRunGone, waitForPushing } from '../support/runs.js';

const CLI = join(REPO, 'dist', 'cli', 'netops.js');
let stateDir = '';
const sotDir = () => join(stateDir, 'sot');
const env = (extra: Record<string, string> = {}) => ({ NETOPS_STATE_DIR: stateDir, NETOPS_SOT_DIR: sotDir(), NETOPS_CONFIG: join(REPO, 'lab', 'netops.yaml'), NETOPS_LOCK_WAIT: '1', NETOPS_USER: 'tester', ...extra });
const running = () => vtysh('bma-edge1', 'show running-config');
const neighbors = async () => [...(await running()).matchAll(/^ neighbor (\S+) remote-as/gm)].map((m) => m[1]).sort();
const storeSite = async () => (await new FileStore(sotDir()).site('bma'))!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Doc { status: string; exit_code: number; summary: string; error: string | null; warnings: string[]; sot: { outcome: string; txn: string | null } | null; hosts: { host: string; status: string; rolledBack?: string }[] }

async function netops(args: string[], extra: Record<string, string> = {}) {
  const r = await execa('node', [CLI, ...args, '--json'], { env: env(extra), reject: false });
  let doc: Doc | null = null;
  try { doc = JSON.parse(r.stdout) as Doc; } catch { doc = null; }
  return { code: r.exitCode ?? -1, doc, out: r.stdout, err: r.stderr };
}

const pushing = () => waitForPushing(stateDir, 'bma', 20_000);
const untilGone = (run: string) => untilRunGone(run);

describe('changes that are stopped, killed or concurrent (lab)', function () {
  this.timeout(300_000);
  before(async function () {
    await useLab(this);
    stateDir = mkdtempSync(join(tmpdir(), 'netops-txn-'));
    cpSync(join(REPO, 'lab', 'sot'), sotDir(), { recursive: true });
    for (const ip of ['10.0.0.1', '10.0.0.5']) await netops(['run', 'remove_peer', 'in=bma', `ip=${ip}`]);
  });
  after(() => { if (stateDir) rmSync(stateDir, { recursive: true, force: true }); });

  it('SIGTERM to the entry script\'s process session (StackStorm timeout/cancel) stops Ansible, rolls back, reports', async () => {
    const storeBefore = readFileSync(join(sotDir(), 'sites', 'bma.yml'), 'utf8');
    const entry = join(REPO, 'pack', 'actions', 'add_peer.mjs');
    const meta = parse(readFileSync(join(REPO, 'pack', 'actions', 'add_peer.yaml'), 'utf8')) as { parameters: unknown };
    const { stdout: command } = await execa('python3', [join(REPO, 'test', 'support', 'st2_command.py')], { input: JSON.stringify({ entry, parameters: meta.parameters, values: { in: 'bma', ip: '10.0.0.1', as: 65100 } }) });
    // local-shell-script runs the command with shell=True in a new session; its stop signals that session.
    const child: ResultPromise = execa('/bin/sh', ['-c', command], { env: env(), reject: false, detached: true });
    const j = await pushing();
    await sleep(1500);
    process.kill(-child.pid!, 'SIGTERM');
    const r = await child;
    const doc = JSON.parse(String(r.stdout)) as Doc;
    expect(doc.status, String(r.stdout)).to.equal('stopped');
    expect(doc.exit_code).to.equal(130);
    expect(doc.sot!.outcome).to.equal('aborted');
    expect(processesOfRun(j.run), 'no Ansible process of the run is left (ansible-connection included)').to.deep.equal([]);
    expect(await neighbors(), 'the router is as before').to.not.include('10.0.0.1');
    expect(readFileSync(join(sotDir(), 'sites', 'bma.yml'), 'utf8'), 'the store is as before').to.equal(storeBefore);
    expect(readdirSync(join(stateDir, 'locks')).filter((n) => n.endsWith('.lock')), 'locks released').to.deep.equal([]);
    expect(readdirSync(join(stateDir, 'journal', 'bma')), 'no journal left').to.deep.equal([]);
    expect(existsSync(join(stateDir, 'runs')) ? readdirSync(join(stateDir, 'runs')) : [], 'vars files removed').to.deep.equal([]);
  });

  it('kill -9 of netops mid-push: the router stays locked while its Ansible runs; the next change rolls it back and says so', async () => {
    const child = execa('node', [CLI, 'run', 'add_peer', 'in=bma', 'ip=10.0.0.1', 'as=65100', '--json'], { env: env(), reject: false });
    const j = await pushing();
    child.kill('SIGKILL');
    await child;
    const ansibleAlive = processesOfRun(j.run).length > 0;
    const second = await netops(['run', 'add_peer', 'in=bma', 'ip=10.0.0.5', 'as=65200']);
    if (ansibleAlive && processesOfRun(j.run).length) {
      expect(second.code, 'a second change waits for the first run\'s Ansible').to.equal(5);
      expect(second.doc!.summary).to.match(/is being changed by tester/);
    }
    await untilGone(j.run);
    expect(readdirSync(join(stateDir, 'journal', 'bma')), 'the killed change left its journal').to.have.length(1);
    expect(readdirSync(join(stateDir, 'running')), 'and its "change in progress" marker (the bridge names it)').to.include(`${j.txn}.json`);
    expect((await storeSite()).peers.find((p) => p.ip === '10.0.0.1')?.status).to.equal('pending');
    const next = await netops(['run', 'add_peer', 'in=bma', 'ip=10.0.0.5', 'as=65200'], { NETOPS_LOCK_WAIT: '60' });
    expect(next.code, next.out + next.err).to.equal(0);
    expect(next.doc!.warnings.join('\n')).to.match(/recovered: the interrupted add_peer .*10\.0\.0\.1.* was rolled back/);
    expect(await neighbors()).to.deep.equal(['10.0.0.5']);
    const v = await storeSite();
    expect(v.peers.map((p) => [p.ip, p.status])).to.deep.equal([['10.0.0.5', 'active']]);
    expect(v.allocations.map((a) => a.address)).to.deep.equal(['10.0.0.5']);
    expect(readdirSync(join(stateDir, 'journal', 'bma'))).to.deep.equal([]);
    expect(readdirSync(join(stateDir, 'running')), 'recovery removed the dead run\'s marker').to.deep.equal([]);
  });

  it('netops recover finishes an interrupted removal', async () => {
    const child = execa('node', [CLI, 'run', 'remove_peer', 'in=bma', 'ip=10.0.0.5', '--json'], { env: env(), reject: false });
    const j = await pushing();
    child.kill('SIGKILL');
    await child;
    await untilGone(j.run);
    const r = await execa('node', [CLI, 'recover', 'in=bma'], { env: env(), reject: false });
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/bma: recovered: the interrupted remove_peer .* was completed on bma-edge1 and committed/);
    expect(await neighbors()).to.deep.equal([]);
    expect((await storeSite()).peers).to.deep.equal([]);
    expect((await execa('node', [CLI, 'recover'], { env: env() })).stdout).to.equal('bma: nothing to recover\ngbg: nothing to recover');
  });

  it('two adds at one site at the same time: both recorded, both on the router', async () => {
    const [a, b] = await Promise.all([
      netops(['chat', 'add peer in=bma ip=10.0.0.1 as=65100'], { NETOPS_LOCK_WAIT: '120', NETOPS_USER: 'alice' }),
      netops(['chat', 'add peer in=bma ip=10.0.0.5 as=65200'], { NETOPS_LOCK_WAIT: '120', NETOPS_USER: 'bob' }),
    ]);
    expect(a.code, a.out + a.err).to.equal(0);
    expect(b.code, b.out + b.err).to.equal(0);
    expect(await neighbors()).to.deep.equal(['10.0.0.1', '10.0.0.5']);
    expect(await waitForBgpState('bma-edge1', '10.0.0.1', 'Established')).to.equal('Established');
    const v = await storeSite();
    expect(v.peers.map((p) => [p.ip, p.by, p.status]).sort()).to.deep.equal([['10.0.0.1', 'alice', 'active'], ['10.0.0.5', 'bob', 'active']]);
    for (const ip of ['10.0.0.1', '10.0.0.5']) expect((await netops(['run', 'remove_peer', 'in=bma', `ip=${ip}`])).code).to.equal(0);
  });

  it('two adds of one address with different AS at once: one lands, the other is refused (exit 2) before touching anything', async () => {
    const [a, b] = await Promise.all([
      netops(['chat', 'add peer in=bma ip=10.0.0.5 as=65200'], { NETOPS_LOCK_WAIT: '120', NETOPS_USER: 'alice' }),
      netops(['chat', 'add peer in=bma ip=10.0.0.5 as=65300'], { NETOPS_LOCK_WAIT: '120', NETOPS_USER: 'bob' }),
    ]);
    const [won, lost] = a.code === 0 ? [a, b] : [b, a];
    expect(won.code, won.out + won.err).to.equal(0);
    // refused by the plan (the other was pending) or by the plan made again under the router locks
    expect(lost.code, lost.out + lost.err).to.equal(2);
    expect(lost.doc?.summary ?? lost.out).to.match(/another change|changed while this run waited|already a peer|AS ?65[23]00/);
    const as = won === a ? 65200 : 65300;
    expect((await running()).match(/^ neighbor 10\.0\.0\.5 remote-as (\d+)/gm)).to.deep.equal([` neighbor 10.0.0.5 remote-as ${as}`]);
    const v = await storeSite();
    expect(v.peers.map((p) => [p.ip, p.as, p.status])).to.deep.equal([['10.0.0.5', as, 'active']]);
    expect(v.allocations.map((x) => [x.address, x.status])).to.deep.equal([['10.0.0.5', 'active']]);
    expect((await netops(['run', 'remove_peer', 'in=bma', 'ip=10.0.0.5'])).code).to.equal(0);
  });

  it('the vars file is private (0600) while Ansible runs and gone afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netops-fake-'));
    const fake = join(dir, 'ansible-playbook');
    const log = join(dir, 'seen');
    // A stand-in that records the mode of the -e @vars file it was given, then fails without output.
    writeFileSync(fake, `#!/bin/sh\nfor a in "$@"; do case "$a" in @*) f="\${a#@}"; stat -c '%a %n' "$f" > ${log}; grep -c Sup3r "$f" >> ${log};; esac; done\nexit 2\n`);
    chmodSync(fake, 0o755);
    const r = await netops(['add-peer', '--in', 'bma', '--ip', '10.0.0.1', '--as', '65100', '--password', 'Sup3rS3cret'], { NETOPS_ANSIBLE_PLAYBOOK: fake });
    expect(r.code).to.not.equal(0);
    const [mode, file] = readFileSync(log, 'utf8').split('\n')[0]!.split(' ');
    expect(mode).to.equal('600');
    expect(existsSync(file!), 'removed after the run').to.equal(false);
    expect(r.out + r.err).to.not.contain('Sup3rS3cret');
    rmSync(dir, { recursive: true, force: true });
  });
});
