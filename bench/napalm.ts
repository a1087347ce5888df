/**
 * NAPALM path vs cli_config path for `add peer in=bma ip=10.0.0.1 as=65100` on the lab, in
 * the same run, alternating (add, then remove, untimed): wall time of each playbook run
 * (until Established), the ratio, and where the time goes, as medians over the runs:
 *  - from the json callback: ansible start-up + exit (wall − play), each task's duration;
 *  - inside the NAPALM modules, from the napalm-frr driver's own timings (NAPALM_FRR_TIMING,
 *    napalm_frr/timing.py): Python + napalm import, connection (ssh open + close),
 *    get_config, load (FRR's parser checks the candidate), compare_config, commit_config, getters.
 * Needs the lab up (root).
 *   node dist/bench/napalm.js [runs=3]      (also in `npm run bench`, section "napalm")
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Figure, median } from './figure.js';
import { runPlaybook, vtysh } from '../test/support/lab.js';

const BMA = ['bma-edge1'];
const PEER = { in: 'bma', ip: '10.0.0.1', as: 65100 };
type Json = { plays: { play: { duration?: { start: string; end: string } }; tasks: { task: { name: string; duration?: { start: string; end: string } }; hosts: Record<string, { action?: string }> }[] }[] };
const secs = (d?: { start: string; end: string }) => (d ? (Date.parse(d.end) - Date.parse(d.start)) / 1000 : 0);

/** Seconds per phase of one run. */
export function phases(json: unknown, wallSeconds: number, timings: { phase: string; seconds: number }[]): Map<string, number> {
  const j = json as Json;
  const m = new Map<string, number>();
  const add = (k: string, s: number) => m.set(k, (m.get(k) ?? 0) + s);
  add('ansible start-up + exit', wallSeconds - j.plays.reduce((a, p) => a + secs(p.play.duration), 0));
  for (const p of j.plays) for (const t of p.tasks) {
    const s = secs(t.task.duration);
    const action = t.hosts['bma-edge1']?.action ?? '';
    if (t.task.name.startsWith('Wait until the session is Established')) add('verification: wait until Established (task)', s);
    else if (t.task.name === 'Check that NAPALM and the driver are installed') add('NAPALM install check (python + import)', s);
    else if (/^napalm_/.test(action)) add(`task: ${t.task.name}`, s);
    else if (/cli_config|cli_command/.test(action)) add(`task: ${t.task.name}`, s);
    else add('controller-side tasks (checks, render, result)', s);
  }
  if (timings.length) {
    const sum = (ph: string[]) => timings.filter((x) => ph.includes(x.phase)).reduce((a, x) => a + x.seconds, 0);
    add('  in NAPALM modules: Python + napalm import', sum(['import']));
    add('  in NAPALM modules: connection (ssh open + close)', sum(['open', 'close']));
    add('  in NAPALM modules: get_config (archive)', sum(['get_config']));
    add('  in NAPALM modules: load candidate (FRR parse check)', sum(['load_merge_candidate', 'load_replace_candidate']));
    add('  in NAPALM modules: compare_config (diff)', sum(['compare_config']));
    add('  in NAPALM modules: commit_config', sum(['commit_config', 'discard_config']));
    add('  in NAPALM modules: getters (bgp neighbors)', sum(['get_bgp_neighbors', 'get_bgp_neighbors_detail', 'get_facts']));
  }
  return m;
}

async function clear(): Promise<void> {
  const run = await vtysh('bma-edge1', 'show running-config');
  if (run.includes(' neighbor 10.0.0.1 ')) await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', 'no neighbor 10.0.0.1']);
}

/** Figures of the comparison (lab must be up). */
export async function benchNapalm(runs = Number(process.env.BENCH_NAPALM_RUNS ?? 3)): Promise<Figure[]> {
  // the lab's routers take the cli_config path by default: the NAPALM runs name the driver
  const paths = { napalm: { napalm_driver: 'frr' }, cli_config: { napalm_driver: '' } } as Record<string, Record<string, string>>;
  const wall: Record<string, number[]> = { napalm: [], cli_config: [] };
  const per: Record<string, Map<string, number[]>> = { napalm: new Map(), cli_config: new Map() };
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-napalm-'));
  const saved = process.env.NAPALM_FRR_TIMING;
  try {
    await clear();
    for (let i = 0; i < runs; i++) {
      for (const [path, extraVars] of Object.entries(paths)) {
        const file = join(dir, `${path}-${i}.jsonl`);
        process.env.NAPALM_FRR_TIMING = file;
        const r = await runPlaybook('add_peer', PEER, { limit: BMA, extraVars });
        delete process.env.NAPALM_FRR_TIMING;
        if (r.results['bma-edge1']?.state !== 'Established') throw new Error(`${path}: not Established: ${JSON.stringify(r.failures)}`);
        if ((r.results['bma-edge1']?.via !== undefined) !== (path === 'napalm')) throw new Error(`${path}: ran the other path`);
        wall[path]!.push(r.durationMs / 1000);
        const timings = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { phase: string; seconds: number }) : [];
        for (const [n, s] of phases(r.json, r.durationMs / 1000, timings)) per[path]!.set(n, [...(per[path]!.get(n) ?? []), s]);
        await runPlaybook('remove_peer', { in: 'bma', ip: '10.0.0.1' }, { limit: BMA, extraVars });
        await clear();
      }
    }
  } finally {
    if (saved === undefined) delete process.env.NAPALM_FRR_TIMING; else process.env.NAPALM_FRR_TIMING = saved;
    rmSync(dir, { recursive: true, force: true });
  }
  const breakdown = (path: string) => [...per[path]!].map(([n, xs]) => `${n} ${median(xs).toFixed(2)} s`).join('; ');
  const fig = (path: string): Figure => ({ name: `add peer via ${path} (wall, until Established)`, median: median(wall[path]!), unit: 's', runs, min: Math.min(...wall[path]!), max: Math.max(...wall[path]!), note: breakdown(path) });
  return [fig('napalm'), fig('cli_config'), { name: 'add peer: napalm / cli_config', median: median(wall.napalm!) / median(wall.cli_config!), unit: 'x', runs }];
}

if (process.argv[1]?.endsWith('napalm.js')) {
  const figs = await benchNapalm(Number(process.argv[2] ?? 3));
  for (const f of figs) {
    console.log(`${f.name}: median ${f.median.toFixed(2)} ${f.unit}${f.min !== undefined ? ` (min ${f.min.toFixed(2)}, max ${f.max!.toFixed(2)}, n=${f.runs})` : ''}`);
    if (f.note) for (const part of f.note.split('; ')) console.log(`    ${part}`);
  }
}
