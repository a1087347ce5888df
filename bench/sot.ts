/**
 * Benchmarks of the file store (sot/file/):
 * 1. source-of-truth overhead per `add peer` beyond the router push: open the store, read the
 *    site, check for leftover journals, plan, plan again (under the locks), journal, prepare, commit, clear the journal and
 *    append the audit log — the work runChange adds around ansible-playbook — in-process;
 * 2. `show site` on a site with 1,000 peers (and 1,000 allocations): the read in-process, and
 *    the whole `netops show-site --json` command, node start-up included, with the JSON read
 *    cache of the state directory, without it (the first read after a hand edit), and right after
 *    a change netops made (whose write left the cache).
 */
import { execa } from 'execa';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { median, type Figure } from './figure.js';
import { openSot } from '../sot/open.js';
import { clearReadMemo } from '../sot/file/yaml-file.js';
import { clearJournal, readJournal, writeJournal } from '../runtime/journal.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'netops.js');
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** A site file with `n` active peers in 10.128.0.0/16. */
function bigSite(n: number): string {
  const at = '2026-12-01T10:00:00Z';
  const ip = (i: number) => `10.128.${Math.floor((i * 4 + 1) / 256)}.${(i * 4 + 1) % 256}`;
  return stringify({
    site: 'big', description: 'benchmark site',
    routers: [{ name: 'big-edge1', platform: 'frr', address: '192.0.2.10', local_as: 65010, own_addresses: ['192.0.2.10'] }],
    prefixes: [{ prefix: '10.128.0.0/16', description: 'peering' }],
    allocations: Array.from({ length: n }, (_, i) => ({ address: ip(i), prefix: '10.128.0.0/16', owner: `bgp-peer AS${64512 + (i % 1000)}`, description: `peer ${i}`, status: 'active', by: 'bench', at, via: 'chat', txn: `t${i}` })),
    peers: Array.from({ length: n }, (_, i) => ({ ip: ip(i), as: 64512 + (i % 1000), routers: ['big-edge1'], description: `peer ${i}`, status: 'active', by: 'bench', at, via: 'chat', channel: 'noc', txn: `t${i}` })),
  });
}

/** Both figures. */
export async function benchSot(runs = Number(process.env.BENCH_RUNS ?? 15)): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-sot-'));
  try {
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    writeFileSync(join(dir, 'sot', 'sites', 'big.yml'), bigSite(1000));
    const stateDir = join(dir, 'state');
    const o = { backend: 'file' as const, dir: join(dir, 'sot'), seed: null, lockDir: join(stateDir, 'locks', 'sot'), lockWait: 5, nautobotUrl: null, nautobotTokenFile: null };
    const actor = { user: 'bench', channel: 'noc', via: 'chat' as const, command: 'add peer in=bma ip=10.0.0.1 as=65100' };
    const overhead: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const t0 = process.hrtime.bigint();
      const sot = openSot(o);
      await sot.site('bma');
      readJournal(stateDir, 'bma');
      const change = { kind: 'add_peer' as const, site: 'bma', ip: '10.0.0.1', as: 65100, description: null, routers: ['bma-edge1'] };
      const plan = await sot.plan(change, actor);
      await sot.plan(change, actor); // runChange plans again under the routers' locks (runtime/txn.ts replanUnderLocks)
      const j = { txn: plan.txn, task: 'add_peer', site: 'bma', phase: 'prepared' as const, plan, routers: ['bma-edge1'], applied: [], params: {}, pid: process.pid, start: null, run: plan.txn, user: 'bench', since: '', problem: null };
      writeJournal(stateDir, j);
      await sot.prepare(plan);
      writeJournal(stateDir, { ...j, phase: 'pushing' });
      await sot.commit(plan);
      clearJournal(stateDir, 'bma', plan.txn);
      await sot.record({ id: plan.txn, at: '', user: 'bench', channel: 'noc', via: 'chat', task: 'add_peer', site: 'bma', params: {}, plan: plan.steps, status: 'changed', summary: '', txn: plan.txn });
      if (i > 0) overhead.push(ms(t0)); // the first run pays module warm-up (Ajv compile), once per process
      const rm = await sot.plan({ kind: 'remove_peer', site: 'bma', ip: '10.0.0.1', routers: ['bma-edge1'] }, actor);
      await sot.prepare(rm);
      await sot.commit(rm);
    }
    const read: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < runs; i++) {
      clearReadMemo();
      const t0 = process.hrtime.bigint();
      const v = await openSot(o).site('big');
      if (v!.peers.length !== 1000) throw new Error('big site did not load');
      cold.push(ms(t0));
      const t1 = process.hrtime.bigint();
      await openSot(o).site('big'); // the same bytes again (plan after the site read of a run)
      read.push(ms(t1));
    }
    const cli: number[] = [];
    const cliCold: number[] = [];
    const env = { NETOPS_SOT_DIR: o.dir, NETOPS_STATE_DIR: stateDir };
    const show = async (into: number[]) => {
      const t0 = process.hrtime.bigint();
      const r = await execa('node', [CLI, 'show-site', '--in', 'big', '--json'], { env, reject: false });
      if (r.exitCode !== 0) throw new Error(r.stderr);
      into.push(ms(t0));
    };
    const bare: number[] = [];
    for (let i = 0; i < Math.min(runs, 9); i++) {
      rmSync(join(stateDir, 'cache'), { recursive: true, force: true });
      await show(cliCold); // the first read after a hand edit: parse, validate, write the JSON cache
      await show(cli); // later reads: the JSON cache
      const t0 = process.hrtime.bigint();
      await execa('node', ['-e', '0']); // for scale: node's own start-up in the same rounds
      bare.push(ms(t0));
    }
    // the first read after a change netops made (add a peer, then remove it): the write primed the
    // cache. Written through the pack's bundle, as a run does: the cache key holds the code of the
    // read's checks, and the bundle's (minified) code is not the compiled tree's.
    const cliAfterWrite: number[] = [];
    const bundle = (await import(pathToFileURL(join(REPO, 'pack', 'actions', 'runtime', 'netops.mjs')).href)) as { openSot: typeof openSot };
    const writer = bundle.openSot({ ...o, cacheDir: join(stateDir, 'cache', 'sot') });
    for (let i = 0; i < Math.min(runs, 3); i++) {
      for (const change of [{ kind: 'add_peer' as const, site: 'big', ip: '10.128.200.1', as: 65100, description: null, routers: ['big-edge1'] }, { kind: 'remove_peer' as const, site: 'big', ip: '10.128.200.1', routers: ['big-edge1'] }]) {
        const plan = await writer.plan(change, actor);
        await writer.prepare(plan);
        await writer.commit(plan);
        await show(cliAfterWrite);
      }
    }
    return [
      { name: 'file store: source-of-truth overhead per add peer (plan, journal, prepare, commit, audit log)', median: median(overhead), unit: 'ms', runs, target: '≤ 20 ms' },
      { name: 'file store: read a site with 1,000 peers (parse + validate)', median: median(cold), unit: 'ms', runs },
      { name: 'file store: read it again in the same process (same bytes)', median: median(read), unit: 'ms', runs },
      { name: 'file store: `netops show-site --json` on 1,000 peers, whole process', median: median(cli), unit: 'ms', runs: cli.length, target: '≤ 200 ms' },
      { name: 'file store: the same, first read after a hand edit (no JSON cache yet)', median: median(cliCold), unit: 'ms', runs: cliCold.length },
      { name: 'bare `node -e 0` in the same rounds (for scale: netops\' own part is the difference)', median: median(bare), unit: 'ms', runs: bare.length },
      { name: 'file store: the same, first read after netops added or removed a peer (the write primed the cache)', median: median(cliAfterWrite), unit: 'ms', runs: cliAfterWrite.length },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const f of await benchSot()) console.log(`${f.name}: median ${f.median.toFixed(1)} ${f.unit} over ${f.runs} runs${f.target ? ` (target ${f.target})` : ''}`);
}
