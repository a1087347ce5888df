/**
 * The seed command on the NAPALM path end to end, as StackStorm runs it: the generated entry
 * scripts (pack/actions/<task>.mjs, spawned with local-shell-script's exact argv) → task
 * runtime → source of truth (a copy of the lab's, whose bma-edge1 names napalm_driver: frr)
 * → derived inventory → ansible-playbook → napalm-ansible → the napalm-frr driver → the lab
 * router. Everything about the network is read back from the router with vtysh.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO, bgpState, useLab, vtysh, waitForBgpState } from '../support/lab.js';
import { ensureVenv } from '../support/venv.js';
import { FileStore } from '../../sot/file/store.js';

let stateDir = '';
const sotDir = () => join(stateDir, 'sot');
const env = () => ({ NETOPS_STATE_DIR: stateDir, NETOPS_SOT_DIR: sotDir(), NETOPS_CONFIG: join(REPO, 'lab', 'netops.yaml'), NETOPS_LOCK_WAIT: '1', NETOPS_USER: 'tester' });

interface Doc { status: string; exit_code: number; summary: string; sot: { outcome: string } | null; hosts: { host: string; status: string; data: Record<string, unknown>; commands: string[] }[] }

/** Run a generated entry script exactly as StackStorm's local-shell-script runner would. */
async function st2Exec(task: string, values: Record<string, unknown>): Promise<{ code: number; doc: Doc; raw: string }> {
  const entry = join(REPO, 'pack', 'actions', `${task}.mjs`);
  const meta = parse(readFileSync(join(REPO, 'pack', 'actions', `${task}.yaml`), 'utf8')) as { parameters: unknown };
  const { stdout: command } = await execa('python3', [join(REPO, 'test', 'support', 'st2_command.py')], { input: JSON.stringify({ entry, parameters: meta.parameters, values }) });
  const r = await execa('/bin/sh', ['-c', `chmod +x ${entry}; ${command}`], { env: env(), reject: false });
  let doc: Doc;
  try { doc = JSON.parse(r.stdout) as Doc; } catch { throw new Error(`${task}: no result document (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`); }
  return { code: r.exitCode ?? -1, doc, raw: r.stdout + r.stderr };
}

describe('napalm: the seed command through the generated entry scripts (source of truth names napalm_driver: frr)', function () {
  this.timeout(300_000);
  let up = false;
  before(async function () {
    await useLab(this);
    up = true;
    await ensureVenv();
    stateDir = mkdtempSync(join(tmpdir(), 'netops-napalm-state-'));
    cpSync(join(REPO, 'lab', 'sot'), sotDir(), { recursive: true });
    const f = join(sotDir(), 'sites', 'bma.yml');
    const site = parse(readFileSync(f, 'utf8')) as { routers: { name: string; napalm_driver: string | null }[] };
    site.routers.find((r) => r.name === 'bma-edge1')!.napalm_driver = 'frr';
    writeFileSync(f, stringify(site));
    const run = await vtysh('bma-edge1', 'show running-config');
    const nbrs = [...new Set([...run.matchAll(/^ neighbor (\S+) /gm)].map((m) => m[1]!))];
    if (nbrs.length) await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', ...nbrs.map((n) => `no neighbor ${n}`)]);
  });
  after(async () => {
    if (up) await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', 'no neighbor 10.0.0.1']).catch(() => undefined);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('add peer → Established via NAPALM, a second run changes nothing, show compliance complies, remove peer → gone', async () => {
    const store = new FileStore(sotDir());
    const add = await st2Exec('add_peer', { in: 'bma', ip: '10.0.0.1', as: 65100 });
    expect(add.code, add.raw).to.equal(0);
    expect(add.doc.status).to.equal('changed');
    expect(add.doc.sot!.outcome).to.equal('committed');
    expect(add.doc.hosts[0]!.data).to.deep.include({ peer: '10.0.0.1', state: 'Established', changed: true, via: 'napalm frr', diff: ' router bgp 65000\n+ neighbor 10.0.0.1 remote-as 65100' });
    expect(await waitForBgpState('bma-edge1', '10.0.0.1', 'Established')).to.equal('Established');
    expect((await store.site('bma'))!.peers.map((p) => [p.ip, p.as, p.status])).to.deep.equal([['10.0.0.1', 65100, 'active']]);

    const before = await vtysh('bma-edge1', 'show running-config');
    const again = await st2Exec('add_peer', { in: 'bma', ip: '10.0.0.1', as: 65100 });
    expect(again.code, again.raw).to.equal(0);
    expect(again.doc.status, 'an identical add reports no change').to.equal('ok');
    expect(again.doc.hosts[0]).to.deep.include({ status: 'ok' });
    expect(again.doc.hosts[0]!.data).to.deep.include({ changed: false, diff: '', commands: [], via: 'napalm frr' });
    expect(await vtysh('bma-edge1', 'show running-config')).to.equal(before);

    const comp = await st2Exec('show_compliance', { in: 'bma' });
    expect(comp.code, comp.raw).to.equal(0);
    expect(comp.doc.hosts[0]!.data).to.deep.include({ complies: true, expected: [{ ip: '10.0.0.1', as: 65100 }], missing: [], wrong_as: [], unexpected: [] });

    const rm = await st2Exec('remove_peer', { in: 'bma', ip: '10.0.0.1' });
    expect(rm.code, rm.raw).to.equal(0);
    expect(rm.doc.status).to.equal('changed');
    expect(rm.doc.hosts[0]!.data).to.deep.include({ removed: true, changed: true, via: 'napalm frr' });
    expect(await bgpState('bma-edge1', '10.0.0.1')).to.equal('absent');
    expect((await store.site('bma'))!.peers).to.deep.equal([]);

    // the site runs no peers now: compliance with an empty expectation, not a failure
    const none = await st2Exec('show_compliance', { in: 'bma' });
    expect(none.code, none.raw).to.equal(0);
    expect(none.doc.hosts[0]!.data).to.deep.include({ complies: true, expected: [], unexpected: [] });
    expect(readdirSync(join(stateDir, 'journal', 'bma')), 'no journal left').to.deep.equal([]);
  });
});
