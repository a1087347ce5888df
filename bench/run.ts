/**
 * `npm run bench`: every benchmark, medians printed as a table. The lab figures need root
 * and bring the lab up (and down again if it was not up). BENCH_ONLY=parse,build,runtime,sot,bridge,lab
 * picks a subset (or name them: `npm run bench -- knee`); BENCH_SECONDS shortens the 60 s ingest run.
 * `knee` (the bridge's sustained no-loss sweep, bench/knee.ts, ~10 min) runs only when named, and so does
 * `knee-napalm-logs` (the same sweep beside napalm-logs' daemon, bench/knee-napalm-logs.ts).
 */
import { benchBuild } from './build.js';
import type { Figure } from './figure.js';
import { benchOverhead, benchRatio } from './runtime.js';
import { benchParse } from './parse.js';
import { benchBridge } from './bridge.js';
import { benchKnee } from './knee.js';
import { benchKneeSideBySide } from './knee-napalm-logs.js';
import { benchLab } from './lab.js';
import { benchNapalm } from './napalm.js';
import { benchSot } from './sot.js';
import { benchCorrelate } from './correlate.js';
import { ensureLab, labUnavailableReason, teardownLabIfStarted } from '../test/support/lab.js';

type Row = Figure;

const named = process.argv.slice(2).flatMap((a) => a.split(',')).filter(Boolean);
const only = named.length > 0 ? named : (process.env.BENCH_ONLY ?? 'build,runtime,sot,correlate,parse,bridge,lab,napalm').split(',');
const rows: Row[] = [];
const section = async (name: string, f: () => Promise<Row[]>) => {
  if (!only.includes(name)) return;
  process.stderr.write(`bench: ${name}…\n`);
  try { rows.push(...(await f())); } catch (e) { rows.push({ name: `${name}: not run (${(e as Error).message.split('\n')[0]})`, median: NaN, unit: '' }); }
};

// parse first: a CPU-bound loop measured before this process has spawned and waited on hundreds of children
await section('parse', () => benchParse());
await section('build', () => benchBuild());
await section('runtime', () => benchOverhead());
await section('sot', () => benchSot());
await section('correlate', () => benchCorrelate());
await section('bridge', () => benchBridge());
await section('knee', () => benchKnee());
await section('knee-napalm-logs', () => benchKneeSideBySide());
await section('lab', async () => {
  const why = labUnavailableReason();
  if (why) throw new Error(why);
  const lab = await benchLab();
  await ensureLab();
  try { return [...lab, ...(await benchRatio())]; } finally { await teardownLabIfStarted(); }
});

await section('napalm', async () => {
  const why = labUnavailableReason();
  if (why) throw new Error(why);
  await ensureLab();
  try { return await benchNapalm(); } finally { await teardownLabIfStarted(); }
});

const fmt = (r: Row) => (Number.isNaN(r.median) ? '—' : r.unit === 'x' ? r.median.toFixed(3) : r.median >= 100 ? r.median.toFixed(0) : r.median.toPrecision(3));
console.log('| benchmark | median | unit | target |');
console.log('| --- | ---: | --- | --- |');
for (const r of rows) console.log(`| ${r.name} | ${fmt(r)} | ${r.unit} | ${r.target ?? ''} |`);
