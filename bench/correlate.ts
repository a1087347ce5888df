/**
 * Benchmarks of the bridge's correlation (bridge/correlate/) on a file store whose audit log
 * holds 100,000 entries:
 * 1. start: read the routers, step back from the end of history.jsonl to the window, index it;
 * 2. lookup per event (the only work on the event path), median of batch means, for an event
 *    whose peer a change names, one whose peer none names (walks the router's whole window), and
 *    one from a router without changes;
 * 3. following: one appended entry picked up by a poll.
 * Two logs: 100k entries over 30 days (≈ 140 in the last hour), and 100k entries all inside the
 * window on one router (the per-router bound decides).
 */
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type Figure } from './figure.js';
import { Correlator } from '../bridge/correlate/correlator.js';
import { FileStore } from '../sot/file/store.js';
import type { HistoryEntry } from '../sot/types.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const N = 100_000;
const HOUR = 3_600_000;

function entry(i: number, atMs: number): HistoryEntry {
  const ip = `10.0.${(i >> 8) & 255}.${i & 255}`;
  return {
    id: `bench-${i}`, at: new Date(atMs).toISOString(), user: i % 3 ? 'alice' : 'bob', channel: i % 2 ? 'netops' : null, via: i % 2 ? 'chat' : 'terminal',
    task: i % 5 ? 'add_peer' : 'remove_peer', site: i % 4 ? 'bma' : 'gbg', params: { in: i % 4 ? 'bma' : 'gbg', ip, as: 65100 + (i % 50) },
    plan: [`record ${ip} in IPAM (prefix 10.0.0.0/16, site bma)`, `${i % 4 ? 'bma-edge1' : 'gbg-edge1'}: neighbor ${ip} remote-as ${65100 + (i % 50)}`],
    status: 'changed', summary: 'bench', txn: `bench-${i}`,
  };
}

async function scenario(name: string, spanMs: number, lastIp: string): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-correlate-'));
  try {
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    const store = new FileStore(join(dir, 'sot'));
    const now = Date.now();
    const lines: string[] = [];
    for (let i = 0; i < N; i++) lines.push(JSON.stringify(entry(i, now - spanMs + (spanMs * i) / N)));
    writeFileSync(store.historyFile, lines.join('\n') + '\n');
    const bytes = lines.reduce((a, l) => a + l.length + 1, 0);
    const heapNote = (globalThis as { gc?: () => void }).gc ? '' : ' (run node --expose-gc for the heap figure)';

    const gc = (globalThis as { gc?: () => void }).gc;
    lines.length = 0;
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = process.hrtime.bigint();
    const c = new Correlator({ sot: store, historyFile: store.historyFile, windowMs: HOUR, pollMs: 3_600_000, log: () => undefined });
    await c.start();
    const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const st = c.stats();
    gc?.();
    const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;

    const ev = (router: string, peer: string) => ({ router, host: router, ip: '192.0.2.2', peer, interface: null });
    const cases: Array<[string, ReturnType<typeof ev>]> = [
      ['peer named by the newest change', ev('bma-edge1', lastIp)],
      ['peer named by no change', ev('bma-edge1', '10.255.255.255')],
      ['router without changes', ev('bma-peer9', '10.0.0.1')],
    ];
    const out: Figure[] = [];
    for (const [what, e] of cases) {
      const per: number[] = [];
      let found = 0;
      for (let b = 0; b < 200; b++) {
        const s = process.hrtime.bigint();
        for (let k = 0; k < 1000; k++) if (c.lookup(e)) found++;
        per.push(Number(process.hrtime.bigint() - s) / 1000 / 1000);
      }
      out.push({ name: `correlation lookup per event, ${name}: ${what}${found ? '' : ' (none found)'}`, median: Number(median(per).toFixed(3)), unit: 'µs', runs: 200, min: Number(Math.min(...per).toFixed(3)), max: Number(Math.max(...per).toFixed(3)), target: '≤ 10 µs' });
    }
    const follow: number[] = [];
    for (let k = 0; k < 20; k++) {
      appendFileSync(store.historyFile, JSON.stringify(entry(N + k, Date.now())) + '\n');
      const s = process.hrtime.bigint();
      await c.poll();
      follow.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    await c.close();
    return [
      { name: `correlation start, ${name} (${(bytes / 1e6).toFixed(1)} MB log; ${st.held} changes held; heap +${heapMb.toFixed(1)} MB${heapNote})`, median: Number(startMs.toFixed(1)), unit: 'ms', runs: 1 },
      ...out,
      { name: `correlation: one appended entry picked up by a poll, ${name}`, median: Number(median(follow).toFixed(3)), unit: 'ms', runs: follow.length },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** All figures. */
export async function benchCorrelate(): Promise<Figure[]> {
  return [
    ...(await scenario('100k entries over 30 days', 30 * 24 * HOUR, `10.0.${((N - 4) >> 8) & 255}.${(N - 4) & 255}`)),
    ...(await scenario('100k entries in the last hour', HOUR - 60_000, `10.0.${((N - 4) >> 8) & 255}.${(N - 4) & 255}`)),
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const f of await benchCorrelate()) console.log(`${f.name}: ${f.median} ${f.unit}${f.min !== undefined ? ` (min ${f.min}, max ${f.max})` : ''}`);
}
