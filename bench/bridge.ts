/**
 * Bridge benchmarks, black-box: the real CLI (`node dist/cli/netops.js bridge`) as a separate
 * process, real UDP on 127.0.0.1, the StackStorm webhook double in this process.
 *
 * 1. ingest: 20,000 msg/s over UDP for BENCH_SECONDS (default 60): sent vs received at the bridge
 *    (plus kernel and queue drops), RSS per second and peak (VmHWM). Default flags, so unknown
 *    messages are parsed and counted but not forwarded (BENCH_FORWARD_ALL=1 forwards them too).
 * 2. latency: 1,000 msg/s for BENCH_SECONDS, every message forwarded: receipt-to-POST latency,
 *    measured from the send on the sender's side to the arrival of the POST at the double.
 * 3. storm (issue 11): 20,000 msg/s for BENCH_SECONDS of BGP-Up (info) events from many peers and
 *    noise, a webhook double limited to about 200 req/s (40 ms per request, 8 in flight), and 20
 *    BGP Down (critical) events injected at random times: p99 send-to-POST latency of the
 *    criticals, drops anywhere, RSS. The bridge runs as shipped with the pack's forward set.
 * Medians are over one-second windows. Run alone: `node dist/bench/bridge.js`.
 */
import { median, type Figure } from './figure.js';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startSt2Webhook } from '../test/support/st2-webhook.js';


const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KEY = 'bench-api-key';

function cli(): string[] {
  const main = join(REPO, 'dist', 'cli', 'netops.js');
  return existsSync(main) ? [main, 'bridge'] : [join(REPO, 'dist', 'cli', 'commands', 'bridge.js')];
}


function percentile(xs: number[] | Float64Array, p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** A realistic mix: BGP and interface changes from many routers, and plenty of noise. */
function message(i: number): string {
  const r = i % 40;
  switch (i % 8) {
    case 0:
      return `<29>May  1 10:00:00 edge${r} bgpd[1234]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor 10.${r}.${(i >> 3) % 250}.1(Unknown) in vrf default ${i % 16 ? 'Down' : 'Up'} Peer closed the session seq=${i}`;
    case 1:
      return `<189>May  1 10:00:00 core${r}: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/${i % 48}, changed state to down seq=${i}`;
    case 2:
      return `<28>Mar 31 08:41:59 mx${r} mib2d[2222]: SNMP_TRAP_LINK_DOWN: ifIndex ${500 + (i % 100)}, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/${i % 24} seq=${i}`;
    default:
      return `<30>May  1 10:00:00 srv${r} sshd[22]: Accepted publickey for user${i % 5} from 192.0.2.${i % 250} port ${i % 60000} ssh2 seq=${i}`;
  }
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
  statsFile: string;
  stats: () => Record<string, any> | null;
  stop: () => Promise<number | null>;
}

export async function startBridge(port: number, st2Url: string, dir: string, extra: string[]): Promise<Running> {
  const statsFile = join(dir, 'stats.json');
  const words = (v: string | undefined) => (v ?? '').split(' ').filter(Boolean);
  // BENCH_BRIDGE_ARGS: more bridge flags for an A/B run (e.g. "--concurrency 32")
  const more = words(process.env.BENCH_BRIDGE_ARGS);
  const args = [...cli(), '--udp', `127.0.0.1:${port}`, '--spool', join(dir, 'spool'), '--st2-url', st2Url, '--stats-json', statsFile, '--stats-interval', '1s', '--stats-log', '0', ...extra, ...more];
  const nodeArgs = words(process.env.BENCH_NODE_ARGS);
  const child = spawn(process.execPath, [...nodeArgs, ...args], { env: { ...process.env, ST2_API_KEY: KEY }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((ok, fail) => {
    const t = setInterval(() => {
      if (/ ready: /.test(err)) {
        clearInterval(t);
        ok();
      }
    }, 20);
    child.once('exit', (c) => {
      clearInterval(t);
      fail(new Error(`bridge exited ${c}: ${err}`));
    });
  });
  return {
    child,
    stderr: () => err,
    statsFile,
    stats: () => {
      try {
        return JSON.parse(readFileSync(statsFile, 'utf8')) as Record<string, any>;
      } catch {
        return null;
      }
    },
    stop: async () => {
      const done = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      child.kill('SIGTERM');
      return done;
    },
  };
}

export function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Events lost out of `sent`, from the bridge's stats, each counted once: datagrams never counted
 * as received that no counter accounts for (the kernel's drops, or still unread), plus every drop
 * the bridge counted (dropped_total: the spool's, the lanes', and the raw drops before
 * classification, which are not in received).
 */
export function lostEvents(sent: number, s: Record<string, any>): number {
  const laneDrops = Object.values((s.udp_queue_drops_by_level ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0);
  const rawDrops = (s.udp_queue_drops as number) - laneDrops;
  return sent - (s.received.total as number) - rawDrops + (s.dropped_total as number);
}

/** Resident memory of a process now (Linux /proc/PID/status): total, anonymous, file-backed (code), in MB. */
export function rssNow(pid: number): { rss: number; anon: number; file: number } {
  try {
    const t = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(t)?.[1] ?? NaN) / 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return { rss: NaN, anon: NaN, file: NaN };
  }
}

/** Samples of the bridge's memory, one a second: RSS (from /proc) and each thread's heap (from its stats). */
export class MemorySampler {
  readonly rss: number[] = [];
  private top: { rss: number; note: string } = { rss: -1, note: '' };
  private readonly heapMax: Record<string, number> = {};
  sample(pid: number, st: Record<string, any> | null): void {
    const r = rssNow(pid);
    if (!Number.isNaN(r.rss)) this.rss.push(r.rss);
    const th = (st?.threads ?? {}) as Record<string, { heap_total: number; heap_used: number; external: number; array_buffers: number; young?: number } | undefined>;
    const mb = (x: number | undefined) => (x === undefined ? '?' : String(round(x / 2 ** 20)));
    for (const [k, v] of Object.entries(th)) if (v) this.heapMax[k] = Math.max(this.heapMax[k] ?? 0, v.heap_total);
    if (r.rss > this.top.rss) {
      const heaps = Object.entries(th).map(([k, v]) => `${k} heap ${mb(v?.heap_used)}/${mb(v?.heap_total)} MB (young ${mb(v?.young)}) ext ${mb(v?.external)} MB`).join(', ');
      this.top = { rss: r.rss, note: `at the highest sample ${round(r.rss)} MB RSS (anon ${round(r.anon)}, file ${round(r.file)}): ${heaps}; spool depth ${st?.spool?.depth ?? '?'}, unwritten ${mb(st?.spool?.unwrittenBytes)} MB` };
    }
  }
  note(): string {
    return `${this.top.note}; largest heap per thread ${Object.entries(this.heapMax).map(([k, v]) => `${k} ${round(v / 2 ** 20)} MB`).join(', ')}`;
  }
}

/** CPU seconds per thread of a process (Linux /proc/PID/task/TID/stat: utime + stime), by thread name and id. */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  const hz = 100;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      out.set(`${Number(tid) === pid ? 'main' : name}#${tid}`, (Number(f[11]) + Number(f[12])) / hz);
    } catch {
      // thread gone
    }
  }
  return out;
}

/** CPU used per thread between two samples, busiest first, as "name 12.3 s" (threads under 0.2 s left out). */
export function cpuNote(before: Map<string, number>, after: Map<string, number>, seconds: number): string {
  const rows = [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).sort((a, b) => b[1] - a[1]);
  return `CPU per thread over ${seconds} s: ${rows.map(([k, v]) => `${k.replace(/#\d+$/, '')} ${round(v)} s`).join(', ')}`;
}

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** Send `rate` msg/s for `seconds` (message i carries seq=i); calls onSecond after each second; records send times (epoch ms). */
async function send(port: number, rate: number, seconds: number, onSecond: (s: number) => void, sentAt?: Float64Array): Promise<void> {
  const sock = dgram.createSocket('udp4');
  sock.connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const total = rate * seconds;
  const t0 = performance.now();
  let sent = 0;
  let second = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const elapsed = performance.now() - t0;
      const due = Math.min(total, Math.floor((elapsed * rate) / 1000));
      while (sent < due) {
        if (sentAt) sentAt[sent] = performance.timeOrigin + performance.now();
        sock.send(message(sent));
        sent++;
      }
      while (elapsed >= (second + 1) * 1000 && second < seconds) onSecond(++second);
      if (sent >= total) return done();
      setTimeout(tick, 2);
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
}

async function ingest(seconds: number, rate: number): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-ingest-'));
  const st2 = await startSt2Webhook({ apiKey: KEY });
  const port = await freeUdpPort();
  const b = await startBridge(port, st2.url, dir, process.env.BENCH_FORWARD_ALL ? ['--forward-unknown'] : []);
  const rates: number[] = [];
  const rss: number[] = [];
  let prev: { t: number; n: number } | null = null;
  try {
    await send(port, rate, seconds, () => {
      const s = b.stats();
      if (!s) return;
      const t = Date.parse(s.time as string);
      // The bridge writes its counters once a second: a rate between two distinct samples.
      if (prev && t > prev.t) rates.push(((s.received.total - prev.n) * 1000) / (t - prev.t));
      if (!prev || t > prev.t) {
        prev = { t, n: s.received.total };
        rss.push(s.rss_bytes / 2 ** 20);
      }
    });
    const total = rate * seconds;
    const deadline = Date.now() + 10_000;
    while ((b.stats()?.received.total ?? 0) < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1200));
    const peak = peakRss(b.child.pid!) / 2 ** 20;
    const s = b.stats()!;
    await b.stop();
    const received = s.received.total as number;
    const loss = total - received;
    const windows = rates.length > 2 ? rates.slice(1) : rates;
    return [
      { name: 'bridge udp ingest rate', median: round(median(windows), 0), min: round(Math.min(...windows), 0), max: round(Math.max(...windows), 0), unit: 'msg/s', target: `${rate} msg/s offered`, ok: median(windows) >= rate * 0.98 },
      {
        name: 'bridge udp ingest loss (sent - received)',
        median: loss,
        unit: 'msgs',
        target: '0',
        ok: loss === 0,
        note: `sent ${total}, received ${received}, kernel drops ${s.udp_kernel_drops ?? 'n/a'}, queue drops ${s.udp_queue_drops}, bridge drops ${s.dropped_total}; parsed ${s.parsed}, unknown ${s.unknown}, damped ${s.damping.suppressed}, delivered ${s.delivered}, spool depth ${s.spool.depth}`,
      },
      { name: 'bridge rss under ingest', median: round(median(rss)), min: round(Math.min(...rss)), max: round(Math.max(...rss)), unit: 'MB', target: '<= 200 MB', ok: peak <= 200, note: `peak (VmHWM) ${round(peak)} MB` },
    ];
  } finally {
    if (b.child.exitCode === null) await b.stop();
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function latency(seconds: number, rate: number): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-latency-'));
  const total = rate * seconds;
  const sentAt = new Float64Array(total);
  const arrivals: Array<[number, number]> = [];
  const st2 = await startSt2Webhook({
    apiKey: KEY,
    onEvent: (p) => {
      const m = /seq=(\d+)$/.exec(String(p.raw));
      if (m) arrivals.push([Number(m[1]), performance.timeOrigin + performance.now()]);
    },
  });
  const port = await freeUdpPort();
  const b = await startBridge(port, st2.url, dir, ['--forward-set', 'none', '--forward-unknown', '--flap-window', '0']);
  try {
    await send(port, rate, seconds, () => undefined, sentAt);
    await st2.waitFor(() => arrivals.length >= total, 30_000, 'all latency events').catch(() => undefined);
    const s = b.stats();
    await b.stop();
    // Windows by send second.
    const windows: number[][] = Array.from({ length: seconds }, () => []);
    const all: number[] = [];
    for (const [seq, at] of arrivals) {
      const l = at - sentAt[seq]!;
      all.push(l);
      windows[Math.min(seconds - 1, Math.floor(seq / rate))]!.push(l);
    }
    const p50s = windows.filter((w) => w.length > 0).map((w) => percentile(w, 50));
    const p99s = windows.filter((w) => w.length > 0).map((w) => percentile(w, 99));
    const note = `${arrivals.length}/${total} delivered; over all events p50 ${round(percentile(all, 50), 2)} ms, p99 ${round(percentile(all, 99), 2)} ms, max ${round(Math.max(...all), 2)} ms; bridge rss ${s ? round(s.rss_bytes / 2 ** 20) : '?'} MB`;
    return [
      { name: 'bridge receipt-to-POST latency p50 @1000 msg/s', median: round(median(p50s), 2), min: round(Math.min(...p50s), 2), max: round(Math.max(...p50s), 2), unit: 'ms', note },
      { name: 'bridge receipt-to-POST latency p99 @1000 msg/s', median: round(median(p99s), 2), min: round(Math.min(...p99s), 2), max: round(Math.max(...p99s), 2), unit: 'ms', target: '<= 100 ms', ok: median(p99s) <= 100 && arrivals.length >= total },
    ];
  } finally {
    if (b.child.exitCode === null) await b.stop();
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The storm: mostly BGP Up (info) from 40 routers × 250 peers, the rest unknown noise. */
function stormMessage(i: number): string {
  const r = i % 40;
  if (i % 2 === 0) return `<29>May  1 10:00:00 edge${r} bgpd[1234]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor 10.${r}.${(i >> 1) % 250}.1(Unknown) in vrf default Up`;
  return `<30>May  1 10:00:00 srv${r} sshd[22]: Accepted publickey for user${i % 5} from 192.0.2.${i % 250} port ${i % 60000} ssh2 seq=${i}`;
}

async function storm(seconds: number, rate: number, criticals: number): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-storm-'));
  const arrivals = new Map<number, number>();
  const st2 = await startSt2Webhook({
    apiKey: KEY,
    onEvent: (p) => {
      const m = /neighbor 172\.31\.0\.(\d+)\(/.exec(String(p.raw));
      if (m) arrivals.set(Number(m[1]), performance.timeOrigin + performance.now());
    },
  });
  st2.behave({ delayMs: 40 });
  const port = await freeUdpPort();
  const forwardSet = join(REPO, 'pack', 'bridge', 'forward.json');
  const b = await startBridge(port, st2.url, dir, existsSync(forwardSet) ? ['--forward-set', forwardSet] : []);
  // Critical k at a random time, from its own router and peer (172.31.0.k).
  const at = Array.from({ length: criticals }, () => 1000 + Math.random() * (seconds * 1000 - 2000)).sort((x, y) => x - y);
  const sentAt = new Map<number, number>();
  const total = rate * seconds;
  const cpu0 = threadCpu(b.child.pid!);
  const mem = new MemorySampler();
  // The sender runs in its own thread, so that sending 20,000 datagrams a second never delays
  // this thread's webhook double (whose arrival times are the measurement).
  const sender = new Worker(new URL(import.meta.url), { workerData: { netopsStormSender: true, port, rate, seconds, at } });
  const rssTimer = setInterval(() => mem.sample(b.child.pid!, b.stats()), 1000);
  try {
    await new Promise<void>((done, fail) => {
      sender.on('message', (m: { k?: number; t?: number; done?: boolean }) => {
        if (m.done) done();
        else sentAt.set(m.k!, m.t!);
      });
      sender.once('error', fail);
    });
    clearInterval(rssTimer);
    const cpuAt = threadCpu(b.child.pid!);
    await st2.waitFor(() => arrivals.size >= criticals, 30_000, 'the criticals').catch(() => undefined);
    const deadline = Date.now() + 30_000;
    while ((b.stats()?.received.total ?? 0) < total + criticals && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 1200));
    const peak = peakRss(b.child.pid!) / 2 ** 20;
    const s = b.stats()!;
    const lat = [...sentAt].map(([k, t]) => (arrivals.get(k) ?? Infinity) - t);
    const p99 = percentile(lat, 99);
    const lost = lostEvents(total + criticals, s);
    const note = `${arrivals.size}/${criticals} criticals at the webhook, latencies p50 ${round(percentile(lat, 50))} ms max ${round(Math.max(...lat))} ms; sent ${total + criticals}, received ${s.received.total}, kernel drops ${s.udp_kernel_drops ?? 'n/a'}, queue drops ${s.udp_queue_drops}, bridge drops ${s.dropped_total}; not forwarded ${s.not_forwarded}, storm absorbed ${s.storm?.absorbed}, delivered ${s.delivered} (${s.st2?.accept_rate}/s), spool depth ${s.spool.depth}, queue drops by level ${JSON.stringify(s.udp_queue_drops_by_level)}, raw by reason ${JSON.stringify(s.udp_raw_drops_by_reason ?? {})}; ${cpuNote(cpu0, cpuAt, seconds)}`;
    await b.stop();
    return [
      { name: `bridge storm: critical send-to-POST p99 @${rate} msg/s, webhook 200 req/s`, median: round(p99), unit: 'ms', target: '<= 1000 ms', ok: p99 <= 1000, note },
      { name: 'bridge storm: events lost (unseen, plus drops)', median: lost, unit: 'msgs', target: '0', ok: lost === 0 },
      { name: 'bridge storm: rss', median: round(median(mem.rss)), unit: 'MB', target: '<= 200 MB', ok: peak <= 200, note: `peak (VmHWM) ${round(peak)} MB; ${mem.note()}` },
    ];
  } finally {
    clearInterval(rssTimer);
    void sender.terminate();
    if (b.child.exitCode === null) await b.stop();
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the benchmarks (BENCH_BRIDGE=ingest,latency,storm picks some); figures as medians over one-second windows. */
export async function benchBridge(): Promise<Figure[]> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 60) || 60;
  const pick = (process.env.BENCH_BRIDGE ?? 'ingest,latency,storm').split(',');
  const out: Figure[] = [];
  if (pick.includes('ingest')) out.push(...(await ingest(seconds, 20_000)));
  if (pick.includes('latency')) out.push(...(await latency(seconds, 1000)));
  if (pick.includes('storm')) out.push(...(await storm(seconds, Number(process.env.BENCH_STORM_RATE ?? 20_000) || 20_000, 20)));
  return out;
}

/** The storm's sender thread: `rate` info/noise datagrams a second for `seconds`, the criticals at their times (posted back with their send times). */
async function stormSender(d: { port: number; rate: number; seconds: number; at: number[] }): Promise<void> {
  const sock = dgram.createSocket('udp4');
  sock.connect(d.port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  const total = d.rate * d.seconds;
  const t0 = performance.now();
  let sent = 0;
  let next = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const elapsed = performance.now() - t0;
      const due = Math.min(total, Math.floor((elapsed * d.rate) / 1000));
      while (sent < due) sock.send(stormMessage(sent++));
      while (next < d.at.length && elapsed >= d.at[next]!) {
        parentPort!.postMessage({ k: next, t: performance.timeOrigin + performance.now() });
        sock.send(`<27>May  1 10:00:00 crit${next} bgpd[1]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor 172.31.0.${next}(Unknown) in vrf default Down`);
        next++;
      }
      if (sent >= total && next >= d.at.length) return done();
      setTimeout(tick, 2);
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  parentPort!.postMessage({ done: true });
}

if (!isMainThread && (workerData as { netopsStormSender?: boolean } | null)?.netopsStormSender) void stormSender(workerData as { port: number; rate: number; seconds: number; at: number[] });

if (isMainThread && process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchBridge().then(
    (rs) => {
      for (const r of rs) process.stdout.write(`${r.ok === false ? 'FAIL' : 'ok  '} ${r.name}: median ${r.median} ${r.unit}${r.min !== undefined ? ` (min ${r.min}, max ${r.max})` : ''}${r.target ? `, target ${r.target}` : ''}${r.note ? ` — ${r.note}` : ''}\n`);
      process.stdout.write(`${JSON.stringify(rs)}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
