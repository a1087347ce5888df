/**
 * The bridge's sustained no-loss knee (issue 11): the real CLI as its own process, the pack's
 * forward set (the default), real UDP on 127.0.0.1, the webhook double in this process. At each
 * rate of BENCH_KNEE_RATES (default 10k…100k msg/s) the sender thread offers the napalm-logs
 * corpus samples (shared/corpus/napalm-logs, round-robin, each with a sequence number appended)
 * for BENCH_KNEE_SECONDS (default 60), plus one BGP Down (critical) a second; then every message
 * must have been received and none dropped anywhere: the kernel (/proc/net/udp drops), the
 * receiver and processor queues, the spool; every critical must reach the webhook. The sweep
 * stops at the first rate that loses anything; the knee is the last rate that lost nothing.
 * CPU per thread of the bridge and load average are in each row's note.
 * `npm run bench -- knee`, or `node dist/bench/knee.js`. Not part of `npm test`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import dgram from 'node:dgram';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { printFigures, type Figure } from './figure.js';
import { cpuNote, freeUdpPort, peakRss, startBridge, threadCpu } from './bridge.js';
import { corpusFixtures } from '../test/syslog/fixtures.js';
import { startSt2Webhook } from '../test/support/st2-webhook.js';

const KEY = 'bench-api-key';
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

interface SenderData {
  netopsKneeSender: true;
  port: number;
  rate: number;
  seconds: number;
  lines: string[];
}

/** The sender thread: `rate` corpus lines a second and one critical a second; posts {done, sent, criticals}. */
async function sender(d: SenderData): Promise<void> {
  const sock = dgram.createSocket('udp4');
  sock.connect(d.port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const total = d.rate * d.seconds;
  const t0 = performance.now();
  let sent = 0;
  let crit = 0;
  const n = d.lines.length;
  await new Promise<void>((done) => {
    const tick = () => {
      const elapsed = performance.now() - t0;
      const due = Math.min(total, Math.floor((elapsed * d.rate) / 1000));
      while (sent < due) {
        sock.send(`${d.lines[sent % n]} seq=${sent}`);
        sent++;
      }
      while (crit < Math.min(d.seconds, Math.floor(elapsed / 1000))) {
        sock.send(`<27>May  1 10:00:00 crit${crit % 200} bgpd[1]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor 172.31.${crit >> 8}.${crit & 255}(Unknown) in vrf default Down`);
        crit++;
      }
      if (sent >= total && crit >= d.seconds) return done();
      setTimeout(tick, 1);
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  parentPort!.postMessage({ done: true, sent, criticals: crit });
}

interface Step {
  rate: number;
  ok: boolean;
  lost: number;
  why: string;
  note: string;
}

async function step(rate: number, seconds: number, lines: string[]): Promise<Step> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-knee-'));
  const criticals = new Set<string>();
  const st2 = await startSt2Webhook({
    apiKey: KEY,
    onEvent: (p) => {
      const m = /neighbor (172\.31\.\d+\.\d+)\(/.exec(String(p.raw));
      if (m) criticals.add(m[1]!);
    },
  });
  const port = await freeUdpPort();
  const b = await startBridge(port, st2.url, dir, []);
  const load0 = loadavg()[0]!;
  try {
    const cpu0 = threadCpu(b.child.pid!);
    const res = await sendKneeLoad(port, rate, seconds, lines);
    const cpu1 = threadCpu(b.child.pid!);
    const expected = res.sent + res.criticals;
    const deadline = Date.now() + 30_000;
    while ((b.stats()?.received.total ?? 0) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await st2.waitFor(() => criticals.size >= res.criticals, 15_000, 'criticals').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1200));
    const s = b.stats()!;
    const peak = peakRss(b.child.pid!) / 2 ** 20;
    const received = s.received.total as number;
    const kernel = (s.udp_kernel_drops as number | null) ?? 0;
    const queue = s.udp_queue_drops as number;
    const bridgeDrops = (s.dropped_total as number) - queue;
    const critLost = res.criticals - criticals.size;
    const lost = expected - received + bridgeDrops;
    const why = [
      kernel > 0 ? `kernel dropped ${kernel} (receiver thread behind)` : '',
      queue > 0 ? `queues dropped ${queue} (raw by reason ${JSON.stringify(s.udp_raw_drops_by_reason ?? {})}, lanes by level ${JSON.stringify(s.udp_queue_drops_by_level)}; classification behind)` : '',
      bridgeDrops > 0 ? `bridge dropped ${bridgeDrops} ${JSON.stringify(s.dropped)}` : '',
      expected - received - kernel > 0 ? `${expected - received - kernel} not received in time` : '',
      critLost > 0 ? `${critLost} criticals not at the webhook` : '',
    ].filter(Boolean).join('; ');
    const ok = lost === 0 && critLost === 0;
    const note = `sent ${expected} (${res.criticals} critical), received ${received}; kernel ${kernel}, queue ${queue}, spool/bridge ${bridgeDrops}; criticals at webhook ${criticals.size}/${res.criticals}; storm ${JSON.stringify(s.storm)}, spool depth by level ${JSON.stringify(s.spool?.depthByLevel)}, delivered ${s.delivered}, not forwarded ${s.not_forwarded}; rss peak ${round(peak)} MB; load ${round(load0, 2)}→${round(loadavg()[0]!, 2)}; ${cpuNote(cpu0, cpu1, seconds)}`;
    return { rate, ok, lost, why: why || 'nothing lost', note };
  } finally {
    if (b.child.exitCode === null) await b.stop();
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs this bench's sender thread against 127.0.0.1:`port` (another bench's target: bench/knee-napalm-logs.ts); resolves when it is done. */
export function sendKneeLoad(port: number, rate: number, seconds: number, lines: string[]): Promise<{ sent: number; criticals: number }> {
  const w = new Worker(new URL(import.meta.url), { workerData: { netopsKneeSender: true, port, rate, seconds, lines } satisfies SenderData });
  return new Promise<{ sent: number; criticals: number }>((ok, fail) => {
    w.on('message', (m: { done: boolean; sent: number; criticals: number }) => m.done && ok({ sent: m.sent, criticals: m.criticals }));
    w.once('error', fail);
    w.once('exit', (code) => fail(new Error(`knee sender thread exited (${code}) before it was done`))); // after ok: no effect
  }).finally(() => void w.terminate().catch(() => undefined));
}

/** What a caller may fix instead of the environment (bench/knee-napalm-logs.ts: the same lines and rates for both). */
export interface KneeOptions {
  seconds?: number;
  rates?: number[];
  lines?: string[];
}

/** The sweep; one figure per rate tried and the knee. */
export async function benchKnee(o: KneeOptions = {}): Promise<Figure[]> {
  const seconds = o.seconds ?? (Number(process.env.BENCH_KNEE_SECONDS ?? 60) || 60);
  const rates = o.rates ?? (process.env.BENCH_KNEE_RATES ?? '10000,20000,30000,40000,50000,60000,80000,100000').split(',').map(Number).filter((n) => n > 0);
  const lines = o.lines ?? corpusFixtures().map((f) => f.raw.replace(/\s+$/, ''));
  if (lines.length === 0) throw new Error('no napalm-logs corpus (shared/corpus/napalm-logs) to send');
  const out: Figure[] = [];
  let knee = 0;
  let limit = 'not reached';
  for (const rate of rates) {
    process.stderr.write(`bench knee: ${rate} msg/s for ${seconds} s…\n`);
    const s = await step(rate, seconds, lines);
    out.push({ name: `bridge knee step ${rate} msg/s × ${seconds} s: ${s.why}`, median: s.lost, unit: 'msgs lost', target: '0', ok: s.ok, note: s.note });
    if (!s.ok) {
      limit = `${rate} msg/s: ${s.why}`;
      break;
    }
    knee = rate;
  }
  out.push({ name: `bridge sustained no-loss knee (${seconds} s per rate; first loss at ${limit})`, median: knee, unit: 'msg/s', target: '>= 50000 msg/s', ok: knee >= 50_000 });
  return out;
}

if (!isMainThread && (workerData as Partial<SenderData> | null)?.netopsKneeSender) void sender(workerData as SenderData);

if (isMainThread && process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printFigures(benchKnee());
}
