/**
 * NAPALM path vs cli_config path for `add peer in=bma ip=10.0.0.1 as=65100` on the lab, in
 * the same run, alternating (add, then remove, untimed): wall time of each playbook run
 * (until Established), the ratio, and where the time goes (median seconds of the slowest
 * tasks, from the json callback's task durations). Needs the lab up (root).
 *   node dist/bench/napalm.js [runs=3]      (also in `npm run bench`, section "napalm")
 */
import { type Figure, median } from './figure.js';
import { runPlaybook, vtysh } from '../test/support/lab.js';

const BMA = ['bma-edge1'];
const PEER = { in: 'bma', ip: '10.0.0.1', as: 65100 };
type Tasks = { plays: { tasks: { task: { name: string; duration?: { start: string; end: string } } }[] }[] };

function taskSeconds(json: unknown): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of (json as Tasks).plays) for (const t of p.tasks) {
    const d = t.task.duration;
    if (d) m.set(t.task.name, (m.get(t.task.name) ?? 0) + (Date.parse(d.end) - Date.parse(d.start)) / 1000);
  }
  return m;
}

async function clear(): Promise<void> {
  const run = await vtysh('bma-edge1', 'show running-config');
  if (run.includes(' neighbor 10.0.0.1 ')) await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', 'no neighbor 10.0.0.1']);
}

/** Figures of the comparison (lab must be up). */
export async function benchNapalm(runs = Number(process.env.BENCH_NAPALM_RUNS ?? 3)): Promise<Figure[]> {
  const paths = { napalm: {}, cli_config: { napalm_driver: '' } } as Record<string, Record<string, string>>;
  const wall: Record<string, number[]> = { napalm: [], cli_config: [] };
  const per: Record<string, Map<string, number[]>> = { napalm: new Map(), cli_config: new Map() };
  await clear();
  for (let i = 0; i < runs; i++) {
    for (const [path, extraVars] of Object.entries(paths)) {
      const r = await runPlaybook('add_peer', PEER, { limit: BMA, extraVars });
      if (r.results['bma-edge1']?.state !== 'Established') throw new Error(`${path}: not Established: ${JSON.stringify(r.failures)}`);
      wall[path]!.push(r.durationMs / 1000);
      for (const [n, s] of taskSeconds(r.json)) per[path]!.set(n, [...(per[path]!.get(n) ?? []), s]);
      await runPlaybook('remove_peer', { in: 'bma', ip: '10.0.0.1' }, { limit: BMA, extraVars });
      await clear();
    }
  }
  const top = (path: string) => [...per[path]!].map(([n, xs]) => [n, median(xs)] as const).sort((a, b) => b[1] - a[1]).slice(0, 4)
    .map(([n, s]) => `${n} ${s.toFixed(2)} s`).join('; ');
  const fig = (path: string): Figure => ({ name: `add peer via ${path} (wall, until Established)`, median: median(wall[path]!), unit: 's', runs, min: Math.min(...wall[path]!), max: Math.max(...wall[path]!), note: top(path) });
  return [fig('napalm'), fig('cli_config'), { name: 'add peer: napalm / cli_config', median: median(wall.napalm!) / median(wall.cli_config!), unit: 'x', runs }];
}

if (process.argv[1]?.endsWith('napalm.js')) {
  const figs = await benchNapalm(Number(process.argv[2] ?? 3));
  for (const f of figs) console.log(`${f.name}: median ${f.median.toFixed(2)} ${f.unit}${f.min !== undefined ? ` (min ${f.min.toFixed(2)}, max ${f.max!.toFixed(2)}, n=${f.runs})` : ''}${f.note ? `\n  slowest tasks: ${f.note}` : ''}`);
}
