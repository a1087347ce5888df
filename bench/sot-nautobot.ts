/**
 * Source-of-truth overhead of `add peer` with the Nautobot backend: plan + prepare + commit of
 * one peer against the real throwaway Nautobot (scripts/nautobot/up.sh; started and stopped
 * here when it is not running), median over BENCH_RUNS_NAUTOBOT runs (default 9), as a run does it
 * (site read, plan, prepare, commit), with the time of every REST call by phase. The peer is
 * removed again between runs, outside the timing. Also: one REST round trip, for scale.
 * Both paths, one after the other: through netops' Nautobot App (`app`: one GET, one POST per
 * phase) and the stock REST path (`rest`); BENCH_NAUTOBOT_MODES=app or =rest for one only.
 * `node dist/bench/sot-nautobot.js` prints the figures; bench/run.ts can call benchSotNautobot().
 */
import axios from 'axios';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NautobotSourceOfTruth } from '../sot/nautobot/index.js';
import type { Actor, Change } from '../sot/types.js';
import type { CallTiming } from '../sot/nautobot/client.js';
import { ensureNautobot, NB_STATE, resetNautobotPeers, teardownNautobotIfStarted } from '../test/support/nautobot.js';
import { median, type Figure } from './figure.js';
import { pidFromFile, treeCpuMs } from './proc-cpu.js';

/** CPU ms used so far by Nautobot's server side: uWSGI (master + workers) and PostgreSQL. */
function serverCpuMs(): number | null {
  const roots = [pidFromFile(join(NB_STATE, 'uwsgi.pid')), pidFromFile(join(NB_STATE, 'pg', 'data', 'postmaster.pid'))].filter((x): x is number => x !== null);
  return roots.length ? treeCpuMs(roots) : null;
}

const actor: Actor = { user: 'bench', channel: '#bench', via: 'chat', command: '!add peer ip=10.0.0.5 as=65200 in=bma' };
const change: Change = { kind: 'add_peer', site: 'bma', ip: '10.0.0.5', as: 65200, description: 'bench peer', routers: [] };

/** Median plan/prepare/commit/total ms of `add peer` against Nautobot, and one REST GET, per path. */
export async function benchSotNautobot(runs = Number(process.env.BENCH_RUNS_NAUTOBOT ?? 9)): Promise<Figure[]> {
  const nb = await ensureNautobot();
  const modes = (process.env.BENCH_NAUTOBOT_MODES ?? 'app,rest').split(',').map((m) => m.trim()).filter((m): m is 'app' | 'rest' => m === 'app' || m === 'rest');
  try {
    const out: Figure[] = [];
    for (const mode of modes) out.push(...(await benchMode(nb, mode, runs)));
    return out;
  } finally {
    await teardownNautobotIfStarted();
  }
}

async function benchMode(nb: { url: string; tokenFile: string }, mode: 'app' | 'rest', runs: number): Promise<Figure[]> {
  {
    let phase = '';
    const calls = new Map<string, number[]>();
    const onCall = (c: CallTiming) => {
      if (!phase) return;
      const k = `${phase}: ${c.method} ${c.path.replace(/[0-9a-f-]{36}\//, '<id>/')}${c.items > 1 ? ` ×${c.items}` : ''}`;
      calls.set(k, [...(calls.get(k) ?? []), c.ms]);
    };
    const sot = new NautobotSourceOfTruth({ url: nb.url, tokenFile: nb.tokenFile, onCall, app: mode === 'app' });
    const http = axios.create({ baseURL: `${nb.url}/api/`, headers: { Authorization: `Token ${readFileSync(nb.tokenFile, 'utf8').trim()}` } });
    await resetNautobotPeers([change.ip]);
    // warm every uWSGI worker (the first GraphQL query of a worker builds the schema)
    for (let i = 0; i < 6; i++) await sot.site('bma');
    const t = { site: [] as number[], plan: [] as number[], prepare: [] as number[], commit: [] as number[], total: [] as number[], run: [] as number[], get: [] as number[], cpu: [] as number[] };
    for (let i = 0; i < runs; i++) {
      // as runTask does it: read the site (routers for the inventory), then plan, plan again under the locks, prepare, commit
      const c0 = serverCpuMs();
      const ts = performance.now();
      phase = 'site';
      const view = (await sot.site(change.site))!;
      const t0 = performance.now();
      phase = 'plan';
      const plan = await sot.plan(change, actor, view);
      // runChange plans again once it holds the routers' locks (runtime/txn.ts replanUnderLocks): a second site read
      await sot.plan(change, actor);
      const t1 = performance.now();
      phase = 'prepare';
      await sot.prepare(plan);
      const t2 = performance.now();
      phase = 'commit';
      await sot.commit(plan);
      const t3 = performance.now();
      phase = '';
      const c1 = serverCpuMs();
      if (c0 !== null && c1 !== null) t.cpu.push(c1 - c0);
      t.site.push(t0 - ts);
      t.run.push(t3 - ts);
      t.plan.push(t1 - t0);
      t.prepare.push(t2 - t1);
      t.commit.push(t3 - t2);
      t.total.push(t3 - t0);
      const g0 = performance.now();
      await http.get('dcim/locations/', { params: { name: 'bma' } });
      t.get.push(performance.now() - g0);
      await resetNautobotPeers([change.ip]);
    }
    const fig = (name: string, xs: number[], target?: string): Figure => {
      const m = median(xs);
      return { name: name.replace(/^sot nautobot/, `sot nautobot [${mode}]`), median: m, unit: 'ms', runs: xs.length, min: Math.min(...xs), max: Math.max(...xs), target, ok: target ? m <= 300 : undefined };
    };
    return [
      fig('sot nautobot: add peer as a run does it (site read, plan, prepare, commit)', t.run, '≤ 300 ms'),
      fig('sot nautobot: add peer plan+prepare+commit', t.total, '≤ 300 ms'),
      fig('sot nautobot: site read', t.site),
      fig('sot nautobot: plan', t.plan),
      fig('sot nautobot: prepare', t.prepare),
      fig('sot nautobot: commit', t.commit),
      fig('sot nautobot: one REST GET (scale)', t.get),
      ...(t.cpu.length ? [fig('sot nautobot: server CPU per add peer as a run does it (uWSGI + PostgreSQL, /proc)', t.cpu)] : []),
      ...[...calls].map(([k, xs]) => ({ ...fig(`sot nautobot call ${k}`, xs), runs: xs.length })),
    ];
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`load before: ${load()}`);
  const rows = await benchSotNautobot();
  console.log(`load after: ${load()}\n`);
  console.log('| benchmark | median | min | max | runs | unit | target |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- | --- |');
  for (const r of rows) console.log(`| ${r.name} | ${r.median.toFixed(0)} | ${r.min!.toFixed(0)} | ${r.max!.toFixed(0)} | ${r.runs} | ${r.unit} | ${r.target ?? ''} |`);
}
