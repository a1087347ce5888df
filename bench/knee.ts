/**
 * The bridge's sustained no-loss knee (issue 11): the real CLI as its own process, the pack's
 * forward set (the default), real UDP on 127.0.0.1, the webhook double in this process. At each
 * rate of BENCH_KNEE_RATES the sender thread offers the napalm-logs corpus samples
 * (shared/corpus/napalm-logs, round-robin, each carrying a sequence number where it does not change
 * what the bridge makes of the line: `carrySeq`) for BENCH_KNEE_SECONDS (default 60; a shorter step
 * is for quick runs), plus one BGP Down (critical) a second; then every message must have been
 * received and none dropped anywhere: the kernel (/proc/net/udp drops), the receiver and processor
 * queues, the spool; every critical must reach the webhook. Before the sweep every sample, tagged
 * as the sender tags it, is sent once to a bridge that posts everything, and must arrive at the
 * webhook recognised (the same error as the untagged line). The sweep stops at the first rate that
 * loses anything; the knee is the last rate that lost nothing. CPU per thread of the bridge and
 * load average are in each row's note.
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
import { cpuNote, freeUdpPort, lostEvents, peakRss, startBridge, threadCpu } from './bridge.js';
import { Classifier } from '../bridge/parse.js';
import { nameThread } from '../bridge/thread.js';
import type { DeviceEvent } from '../bridge/event.js';
import { corpusFixtures } from '../test/syslog/fixtures.js';
import { startSt2Webhook } from '../test/support/st2-webhook.js';

const KEY = 'bench-api-key';
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** A line that carries a sequence number N as `head + N + tail`. */
export interface Tagged {
  head: string;
  tail: string;
  /** Where the number goes (for the notes): append, parens, reason, fraction, ios-seq. */
  where: string;
}

/** The knee's original form: ` seq=N` appended (napalm-logs' counter looks for the `seq=` token). */
export const appendSeq = (line: string): Tagged => ({ head: `${line} seq=`, tail: '', where: 'append' });

/**
 * Places for the number, tried in order. Appending is what the knee always did; 12 of the 93 corpus
 * samples have rules anchored at the end of the line, and for them the number goes into the last
 * parenthesis, a trailing reason (`state down - seq=N`), the time's fraction of a second
 * (`08:27:14.N`) or Cisco IOS's own sequence number (`<189>N: host: …`).
 */
const PLACES: Array<(line: string) => Tagged | null> = [
  appendSeq,
  (l) => (l.endsWith(')') ? { head: `${l.slice(0, -1)} seq=`, tail: ')', where: 'parens' } : null),
  (l) => ({ head: `${l} - seq=`, tail: '', where: 'reason' }),
  (l) => {
    const m = /(\d\d:\d\d:\d\d)(\.\d+)?/.exec(l);
    return m ? { head: `${l.slice(0, m.index + 8)}.`, tail: l.slice(m.index + m[0].length), where: 'fraction' } : null;
  },
  (l) => {
    const m = /^(<\d+>)\d+:/.exec(l);
    return m ? { head: m[1]!, tail: l.slice(m[0].length - 1), where: 'ios-seq' } : null;
  },
];

/** What the bridge makes of a line, as far as the knee cares: the same event kind from the same source. */
const meaning = (e: DeviceEvent): string => JSON.stringify([e.error, e.os, e.level, e.host, e.router, e.peer, e.interface, e.state, e.severity, e.facility]);

/**
 * Where each line can carry a sequence number without changing its classification (checked with
 * the bridge's classifier for several numbers); throws naming a line no place suits.
 */
export function carrySeq(lines: string[], classifier = new Classifier({})): Tagged[] {
  return lines.map((line) => {
    const want = meaning(classifier.parse(line, '127.0.0.1', 0));
    for (const place of PLACES) {
      const t = place(line);
      if (t && [0, 7, 1234567890].every((n) => meaning(classifier.parse(`${t.head}${n}${t.tail}`, '127.0.0.1', 0)) === want)) return t;
    }
    throw new Error(`the knee cannot tag this corpus line with a sequence number without changing its classification: ${line}`);
  });
}

/** Which tagged line and number a delivered raw message is (index into `tagged`), or null. */
export function readSeq(raw: string, tagged: Tagged[]): { sample: number; seq: number } | null {
  for (let i = 0; i < tagged.length; i++) {
    const t = tagged[i]!;
    if (raw.length <= t.head.length + t.tail.length || !raw.startsWith(t.head) || !raw.endsWith(t.tail)) continue;
    const mid = raw.slice(t.head.length, raw.length - t.tail.length);
    if (/^\d+$/.test(mid)) return { sample: i, seq: Number(mid) };
  }
  return null;
}

interface SenderData {
  netopsKneeSender: true;
  port: number;
  rate: number;
  seconds: number;
  heads: string[];
  tails: string[];
}

/** The sender thread: `rate` corpus lines a second and one critical a second; posts {done, sent, criticals}. */
async function sender(d: SenderData): Promise<void> {
  nameThread('knee-sender');
  const sock = dgram.createSocket('udp4');
  sock.connect(d.port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const total = d.rate * d.seconds;
  const t0 = performance.now();
  let sent = 0;
  let crit = 0;
  const n = d.heads.length;
  await new Promise<void>((done) => {
    const tick = () => {
      const elapsed = performance.now() - t0;
      const due = Math.min(total, Math.floor((elapsed * d.rate) / 1000));
      while (sent < due) {
        sock.send(`${d.heads[sent % n]}${sent}${d.tails[sent % n]}`);
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
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  parentPort!.postMessage({ done: true, sent, criticals: crit, seconds });
}

interface Step {
  rate: number;
  ok: boolean;
  lost: number;
  why: string;
  note: string;
}

async function step(rate: number, seconds: number, lines: Tagged[]): Promise<Step> {
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
    const own0 = threadCpu(process.pid);
    const res = await sendKneeLoad(port, rate, seconds, lines);
    const cpu1 = threadCpu(b.child.pid!);
    const own1 = threadCpu(process.pid);
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
    const lost = lostEvents(expected, s);
    const laneDrops = Object.values(s.udp_queue_drops_by_level as Record<string, number>).reduce((a, b) => a + b, 0);
    const why = [
      kernel > 0 ? `kernel dropped ${kernel} (receiver thread behind)` : '',
      queue > 0 ? `queues dropped ${queue} (raw by reason ${JSON.stringify(s.udp_raw_drops_by_reason ?? {})}, lanes by level ${JSON.stringify(s.udp_queue_drops_by_level)}; classification behind)` : '',
      bridgeDrops > 0 ? `bridge dropped ${bridgeDrops} ${JSON.stringify(s.dropped)}` : '',
      expected - received - kernel - (queue - laneDrops) > 0 ? `${expected - received - kernel - (queue - laneDrops)} not received in time` : '',
      critLost > 0 ? `${critLost} criticals not at the webhook` : '',
    ].filter(Boolean).join('; ');
    const ok = lost === 0 && critLost === 0;
    const note = `sent ${expected} (${res.criticals} critical) in ${round(res.seconds, 2)} s, received ${received}; kernel ${kernel}, queue ${queue}, spool/bridge ${bridgeDrops}; criticals at webhook ${criticals.size}/${res.criticals}; storm ${JSON.stringify(s.storm)}, spool depth by level ${JSON.stringify(s.spool?.depthByLevel)}, delivered ${s.delivered}, not forwarded ${s.not_forwarded}; udp spill ${s.udp_spill ? `${(s.udp_spill as { spilled: number }).spilled} spilled, ${(s.udp_spill as { replayed: number }).replayed} replayed` : 'off'}; rss peak ${round(peak)} MB; load ${round(load0, 2)}→${round(loadavg()[0]!, 2)}; bridge ${cpuNote(cpu0, cpu1, seconds)}; this bench (sender thread, webhook double on main) ${benchCpu(own0, own1)}`;
    return { rate, ok, lost, why: why || 'nothing lost', note };
  } finally {
    if (b.child.exitCode === null) await b.stop();
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** This process' CPU between two samples: the sender thread, the rest (the webhook double, on the main thread, and V8's helpers). */
function benchCpu(before: Map<string, number>, after: Map<string, number>): string {
  let sender = 0;
  let rest = 0;
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (k.startsWith('knee-sender#')) sender += d;
    else rest += d;
  }
  return `knee-sender ${round(sender)} s, the rest ${round(rest)} s`;
}

/** Runs this bench's sender thread against 127.0.0.1:`port` (another bench's target: bench/knee-napalm-logs.ts); resolves when it is done. */
export function sendKneeLoad(port: number, rate: number, seconds: number, lines: Tagged[]): Promise<{ sent: number; criticals: number; seconds: number }> {
  const w = new Worker(new URL(import.meta.url), { workerData: { netopsKneeSender: true, port, rate, seconds, heads: lines.map((l) => l.head), tails: lines.map((l) => l.tail) } satisfies SenderData });
  return new Promise<{ sent: number; criticals: number; seconds: number }>((ok, fail) => {
    w.on('message', (m: { done: boolean; sent: number; criticals: number; seconds: number }) => m.done && ok({ sent: m.sent, criticals: m.criticals, seconds: m.seconds }));
    w.once('error', fail);
    w.once('exit', (code) => fail(new Error(`knee sender thread exited (${code}) before it was done`))); // after ok: no effect
  }).finally(() => void w.terminate().catch(() => undefined));
}

/** What a caller may fix instead of the environment (bench/knee-napalm-logs.ts: the same lines and rates for both). */
export interface KneeOptions {
  seconds?: number;
  rates?: number[];
  /** Lines already tagged (default: the corpus, `carrySeq`). */
  lines?: Tagged[];
  /** Check first that every sample arrives recognised at the webhook (default true). */
  check?: boolean;
}

/** Default rate steps (msg/s). */
export const KNEE_RATES = '5000,7500,10000,12500,15000,17500,20000,25000,30000,40000,50000';

/**
 * Every tagged sample once (number = its index) through a bridge that posts everything (no forward
 * set, unknown messages too, no damping, no storms): each must arrive at the webhook, its number read
 * back from the payload, with the error the untagged line gets. One figure.
 */
export async function checkMix(lines: string[], tagged: Tagged[]): Promise<Figure> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-knee-mix-'));
  const got = new Map<number, string | null>();
  const strays: string[] = [];
  const st2 = await startSt2Webhook({
    apiKey: KEY,
    onEvent: (p) => {
      const r = readSeq(String(p.raw), tagged);
      if (r && r.seq === r.sample) got.set(r.sample, (p.error as string | null) ?? null);
      else strays.push(String(p.raw).slice(0, 80));
    },
  });
  const port = await freeUdpPort();
  const b = await startBridge(port, st2.url, dir, ['--forward-set', 'none', '--forward-unknown', '--flap-window', '0', '--storm-threshold', '0']);
  try {
    const sock = dgram.createSocket('udp4');
    for (let i = 0; i < tagged.length; i++) {
      await new Promise<void>((ok, fail) => sock.send(`${tagged[i]!.head}${i}${tagged[i]!.tail}`, port, '127.0.0.1', (e) => (e ? fail(e) : ok())));
      await new Promise((r) => setTimeout(r, 2));
    }
    sock.close();
    await st2.waitFor(() => got.size >= tagged.length, 15_000, 'every sample').catch(() => undefined);
  } finally {
    await b.stop();
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const classifier = new Classifier({});
  const bad: string[] = [];
  for (let i = 0; i < tagged.length; i++) {
    const want = classifier.parse(lines[i]!, '127.0.0.1', 0).error;
    if (!got.has(i)) bad.push(`#${i} never arrived`);
    else if (got.get(i) === null || got.get(i) !== want) bad.push(`#${i} arrived as ${got.get(i)} (want ${want}): ${lines[i]!.slice(0, 60)}`);
  }
  const where = new Map<string, number>();
  for (const t of tagged) where.set(t.where, (where.get(t.where) ?? 0) + 1);
  const recognised = tagged.length - bad.length;
  return {
    name: `knee mix: corpus samples recognised at the webhook with their sequence number`,
    median: recognised,
    unit: `of ${tagged.length}`,
    target: `${tagged.length}`,
    ok: bad.length === 0 && strays.length === 0,
    note: `number carried: ${[...where].map(([k, n]) => `${k} ${n}`).join(', ')}${bad.length ? `; not recognised: ${bad.join('; ')}` : ''}${strays.length ? `; ${strays.length} payloads not read back, e.g. ${strays[0]}` : ''}`,
  };
}

/** The sweep; one figure per rate tried and the knee. */
export async function benchKnee(o: KneeOptions = {}): Promise<Figure[]> {
  const seconds = o.seconds ?? (Number(process.env.BENCH_KNEE_SECONDS ?? 60) || 60);
  const rates = o.rates ?? (process.env.BENCH_KNEE_RATES ?? KNEE_RATES).split(',').map(Number).filter((n) => n > 0);
  const out: Figure[] = [];
  let lines = o.lines;
  if (!lines) {
    const raw = corpusFixtures().map((f) => f.raw.replace(/\s+$/, ''));
    if (raw.length === 0) throw new Error('no napalm-logs corpus (shared/corpus/napalm-logs) to send');
    lines = carrySeq(raw);
    if (o.check ?? true) {
      const f = await checkMix(raw, lines);
      process.stderr.write(`bench knee: ${f.ok ? 'ok' : 'FAIL'} ${f.name}: ${f.median} ${f.unit} — ${f.note}\n`);
      out.push(f);
    }
  }
  if (lines.length === 0) throw new Error('no lines to send');
  let knee = 0;
  let limit = 'not reached';
  for (const rate of rates) {
    process.stderr.write(`bench knee: ${rate} msg/s for ${seconds} s…\n`);
    const s = await step(rate, seconds, lines);
    process.stderr.write(`bench knee: ${rate} msg/s: ${s.why} — ${s.note}\n`);
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
