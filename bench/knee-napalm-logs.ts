/**
 * The sustained no-loss knee of napalm-logs' daemon beside the bridge's, in one run (issue 11).
 * napalm-logs 0.11.0 (PyPI, pinned in requirements-bench.txt, in .venv-bench built by
 * scripts/venv-bench.sh, which this bench runs first) listens on 127.0.0.1 UDP with its zmq
 * publisher on 127.0.0.1 TCP, security disabled (plain msgpack, as its own tests run it), its
 * shipped profiles for every OS, its defaults otherwise (internal high-water mark 1000, one
 * worker process per OS; BENCH_NAPALM_LOGS_WORKERS sets its `-w`), its
 * Prometheus counters exported on 127.0.0.1 to say where it lost what.
 * bench/napalm-logs-count.py subscribes and prints the `seq=` token of each published message.
 * Both daemons get the same traffic from bench/knee.ts's own sender thread (`sendKneeLoad`): the
 * corpus lines round-robin with ` seq=N` appended, plus one FRR BGP Down a second. The mix is the
 * corpus samples both parse as sent (napalm-logs publishes an error tag for it and the bridge
 * classifies it), found by sending each once to a fresh daemon first; the FRR criticals have no
 * napalm-logs profile, so napalm-logs gets them too but they count only for the bridge.
 * At each rate of BENCH_KNEE_RATES (default 100…50,000 msg/s, below) for BENCH_KNEE_SECONDS
 * (default 60) a fresh napalm-logs runs, then a fresh bridge (bench/knee.ts `benchKnee`, that one
 * rate); napalm-logs loses a message when its seq was never published (kernel drops of its UDP
 * socket from /proc/net/udp; the rest inside it, located by its counters). Each side stops at its
 * first loss; its knee is the last rate that lost nothing. Stopped by PID: napalm-logs 0.11.0
 * does not exit on SIGTERM (its children's parent-watch threads outlive their main loop while the
 * parent joins them), so after 3 s its children are killed by PID, then the parent.
 * `npm run bench -- knee-napalm-logs` (e.g. BENCH_KNEE_SECONDS=20: ≈ 8 min), or
 * `node dist/bench/knee-napalm-logs.js`. Each step and its note go to stderr. Not part of `npm test`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printFigures, type Figure } from './figure.js';
import { freeUdpPort } from './bridge.js';
import { appendSeq, benchKnee, sendKneeLoad } from './knee.js';
import { parseSyslog } from '../bridge/parse.js';
import { corpusFixtures } from '../test/syslog/fixtures.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The bench's virtualenv (scripts/venv-bench.sh). */
export const BENCH_VENV = process.env.NETOPS_BENCH_VENV ?? join(REPO, '.venv-bench');
const COUNTER = join(REPO, 'bench', 'napalm-logs-count.py');
const DEFAULT_RATES = '100,200,300,500,750,1000,2000,5000,10000,15000,20000,30000,50000';
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds or checks .venv-bench (idempotent, quick when current); throws with the script's output when it fails. */
export function ensureBenchVenv(): void {
  const r = spawnSync('bash', [join(REPO, 'scripts', 'venv-bench.sh')], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`bash scripts/venv-bench.sh failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
}

async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (a === null || typeof a === 'string') throw new Error('no free TCP port on 127.0.0.1');
  return a.port;
}

const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

/** Direct children of a process, in start order (/proc/PID/task/TID/children). */
function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)) if (tid) out.push(Number(tid));
  } catch {
    // gone
  }
  return out;
}

/** CPU seconds (utime + stime) of one process, NaN when gone. */
function cpuSeconds(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Kernel drops and queued bytes of the UDP socket bound to 127.0.0.1:`port` (/proc/net/udp), null when not found. */
export function udpSocketDrops(port: number): { drops: number; rxQueue: number } | null {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    for (const l of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const f = l.trim().split(/\s+/);
      if (f[1] === local) return { drops: Number(f[f.length - 1]), rxQueue: parseInt(f[4]!.split(':')[1]!, 16) };
    }
  } catch {
    // no /proc
  }
  return null;
}

/** Prometheus text exposition → metric name (without `_total`) → sum over its label sets. */
async function scrape(url: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const text = await new Promise<string>((ok, fail) => {
    http.get(url, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => ok(b));
    }).once('error', fail);
  });
  for (const l of text.split('\n')) {
    const m = /^([a-z_]+?)(?:_total)?(?:\{[^}]*\})? ([0-9.e+]+)$/.exec(l);
    if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return out;
}

/** A running napalm-logs daemon (its own process tree). */
export interface NapalmLogs {
  pid: number;
  udpPort: number;
  pubUrl: string;
  /** Its Prometheus counters (metric name → sum over labels); its processes count every message whatever the HTTP exporter does. */
  metrics: () => Promise<Map<string, number>>;
  /** What it wrote to stdout/stderr (its log goes to the screen). */
  output: () => string;
  /** Its processes in start order: [publisher proxy, zmq publisher, one per OS…, server, listener]. */
  processes: () => number[];
  /** Stops it by PID (SIGTERM, then SIGKILL to its children and itself after 3 s); resolves when every process is gone. */
  stop: () => Promise<void>;
}

/** Starts napalm-logs with a UDP listener and a zmq publisher on free 127.0.0.1 ports; `dir` holds its config, IPC sockets (TMPDIR) and metrics dir. */
export async function startNapalmLogs(dir: string, workers = 1): Promise<NapalmLogs> {
  const udpPort = await freeUdpPort();
  const pubPort = await freeTcpPort();
  const metricsPort = await freeTcpPort();
  const cfg = join(dir, 'napalm-logs.yml');
  writeFileSync(
    cfg,
    [
      'address: 127.0.0.1',
      `port: ${udpPort}`,
      'listener:',
      '  udp: {}',
      'publisher:',
      '  zmq:',
      '    address: 127.0.0.1',
      `    port: ${pubPort}`,
      'disable_security: true',
      'log_level: warning',
      'log_file: cli',
      'metrics_enabled: true',
      'metrics_address: 127.0.0.1',
      `metrics_port: ${metricsPort}`,
      `metrics_dir: ${join(dir, 'metrics')}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(join(BENCH_VENV, 'bin', 'napalm-logs'), ['-c', cfg, '-w', String(workers)], {
    cwd: dir,
    env: { ...process.env, TMPDIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((ok, fail) => {
    child.once('spawn', () => ok());
    child.once('error', fail);
  });
  const pid = child.pid!;
  let known: number[] = [];
  const processes = () => {
    const now = children(pid);
    if (now.length > 0) known = now;
    return known;
  };
  return {
    pid,
    udpPort,
    pubUrl: `tcp://127.0.0.1:${pubPort}`,
    metrics: () => scrape(`http://127.0.0.1:${metricsPort}/metrics`),
    output: () => out,
    processes,
    stop: async () => {
      const kids = processes();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(3000)]);
      }
      for (const k of [...kids, ...children(pid)]) if (alive(k)) process.kill(k, 'SIGKILL');
      if (child.exitCode === null && child.signalCode === null) {
        await Promise.race([exited, sleep(2000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await exited;
      for (let i = 0; i < 50 && kids.some(alive); i++) await sleep(100);
    },
  };
}

/** The counter subscribed to a napalm-logs publisher: what it saw, by seq token. */
export interface Counter {
  /** seq token → what was published for it (with `decode`: "<error> <os>"; else ""), first time seen. */
  seen: Map<string, string>;
  /** Messages published in all (duplicates included). */
  published: () => number;
  /** Milliseconds since the last message arrived. */
  quietFor: () => number;
  stop: () => Promise<void>;
}

/** Starts bench/napalm-logs-count.py on `url` (with `decode`, also the error tag and OS of each message). */
export async function startCounter(url: string, decode = false): Promise<Counter> {
  const child = spawn(join(BENCH_VENV, 'bin', 'python'), [COUNTER, url, ...(decode ? ['--decode'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const seen = new Map<string, string>();
  let published = 0;
  let last = Date.now();
  let rest = '';
  let err = '';
  let ready = false;
  child.on('error', (e) => (err += `${e.message}\n`)); // e.g. no .venv-bench: said when it never gets ready
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      if (!ready) {
        ready = l === 'ready';
        continue;
      }
      const sp = l.indexOf(' ');
      const seq = sp < 0 ? l : l.slice(0, sp);
      published++;
      last = Date.now();
      if (!seen.has(seq)) seen.set(seq, sp < 0 ? '' : l.slice(sp + 1));
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 100 && !ready; i++) {
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`napalm-logs counter did not start: ${err.trim().split('\n').slice(-2).join(' | ')}`);
  }
  return {
    seen,
    published: () => published,
    quietFor: () => Date.now() - last,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(2000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function sendOnce(port: number, text: string): Promise<void> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((ok, fail) => s.send(text, port, '127.0.0.1', (e) => (e ? fail(e) : ok())));
  s.close();
}

/** Sends `line seq=w<n>` every 200 ms until the counter sees one (the daemon's processes and the subscription are up). */
export async function warmUp(nl: NapalmLogs, c: Counter, line: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (let n = 0; Date.now() < end; n++) {
    await sendOnce(nl.udpPort, `${line} seq=w${n}`);
    await sleep(200);
    if ([...c.seen.keys()].some((k) => k.startsWith('w'))) return;
  }
  throw new Error(`napalm-logs published nothing within ${timeoutMs / 1000} s: ${nl.output().trim().split('\n').slice(-3).join(' | ')}`);
}

/** Which of `lines`, sent as the knee's sender sends them (` seq=N` appended), napalm-logs publishes with an error tag: index → "<error> <os>". One fresh daemon, each line once. */
export async function napalmLogsParses(lines: string[]): Promise<Map<number, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-nl-'));
  const nl = await startNapalmLogs(dir);
  let c: Counter | null = null;
  try {
    c = await startCounter(nl.pubUrl, true);
    await warmUp(nl, c, lines[0]!);
    for (let i = 0; i < lines.length; i++) {
      await sendOnce(nl.udpPort, `${lines[i]} seq=${i}`);
      await sleep(10);
    }
    const want = lines.map((_, i) => String(i));
    for (let t = 0; t < 50 && !(want.every((k) => c!.seen.has(k)) || c.quietFor() > 2000); t++) await sleep(100);
    const out = new Map<number, string>();
    for (let i = 0; i < lines.length; i++) {
      const v = c.seen.get(String(i));
      if (v !== undefined && !/^(RAW|UNKNOWN) /.test(v)) out.set(i, v);
    }
    return out;
  } finally {
    await c?.stop();
    await nl.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** napalm-logs' own counters along its pipeline (listener → server → device processes → publisher), as the note shows them. */
const PIPELINE = [
  ['listener ingested', 'napalm_logs_listener_logs_ingested'],
  ['server received', 'napalm_logs_server_messages_received'],
  ['queued to devices', 'napalm_logs_server_messages_device_queued'],
  ['devices received', 'napalm_logs_device_messages_received'],
  ['devices published', 'napalm_logs_device_published_messages'],
  ['publisher published', 'napalm_logs_publisher_messages_published'],
] as const;

interface Step {
  rate: number;
  ok: boolean;
  lost: number;
  why: string;
  note: string;
}

/** One rate against a fresh napalm-logs: the knee's sender for `seconds`, then every corpus seq must have been published. */
async function napalmStep(rate: number, seconds: number, lines: string[], workers: number): Promise<Step> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-nl-'));
  const nl = await startNapalmLogs(dir, workers);
  let c: Counter | null = null;
  try {
    c = await startCounter(nl.pubUrl);
    await warmUp(nl, c, lines[0]!);
    const procs = nl.processes();
    const cpu0 = procs.map(cpuSeconds);
    const k0 = udpSocketDrops(nl.udpPort)?.drops ?? 0;
    const m0 = await nl.metrics();
    const load0 = loadavg()[0]!;
    const res = await sendKneeLoad(nl.udpPort, rate, seconds, lines.map(appendSeq));
    const cpu1 = procs.map(cpuSeconds);
    const got = () => {
      let n = 0;
      for (const k of c!.seen.keys()) if (/^\d+$/.test(k) && Number(k) < res.sent) n++;
      return n;
    };
    const deadline = Date.now() + 30_000;
    while (got() < res.sent && c.quietFor() < 3000 && Date.now() < deadline) await sleep(200);
    const sock = udpSocketDrops(nl.udpPort);
    const kernel = (sock?.drops ?? 0) - k0;
    const m1 = await nl.metrics();
    const hops = PIPELINE.map(([label, name]) => `${label} ${(m1.get(name) ?? 0) - (m0.get(name) ?? 0)}`).join(' → ');
    const published = got();
    const lost = res.sent - published;
    const inside = lost - kernel;
    const why = [
      kernel > 0 ? `kernel dropped ${kernel} (its UDP listener behind)` : '',
      inside > 0 ? `${inside} received but never published (its counters: ${hops})` : '',
    ].filter(Boolean).join('; ');
    const used = cpu1.map((v, i) => v - cpu0[i]!);
    const role = (i: number) => (i === 0 ? 'proxy' : i === 1 ? 'publisher' : i === procs.length - 1 ? 'listener' : i === procs.length - 2 ? 'server' : 'device');
    const dev = used.filter((_, i) => role(i) === 'device'); // workers per OS × OSes
    const byRole = ['listener', 'server', 'publisher', 'proxy'].map((r) => `${r} ${round(used[used.findIndex((_, i) => role(i) === r)] ?? NaN)} s`);
    const note = `sent ${res.sent} corpus lines (+ ${res.criticals} FRR criticals, no napalm-logs profile, not counted), published ${published} of them (${c.published()} messages in all); its counters ${hops}; kernel drops ${kernel}${sock ? `, UDP queue at the end ${sock.rxQueue} B` : ''}; load ${round(load0, 2)}→${round(loadavg()[0]!, 2)}; CPU per process over ${seconds} s: ${byRole.join(', ')}, ${dev.length} device processes ${round(dev.reduce((a, b) => a + b, 0))} s (busiest ${round(Math.max(...dev))} s)`;
    return { rate, ok: lost === 0, lost, why: why || 'nothing lost', note };
  } finally {
    await c?.stop();
    await nl.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The lines of the mix: corpus samples that napalm-logs publishes with an error tag and the bridge classifies, both as the sender sends them. */
export async function commonMix(): Promise<{ lines: string[]; total: number; napalmOnly: number; bridgeOnly: number }> {
  const all = corpusFixtures().map((f) => f.raw.replace(/\s+$/, ''));
  if (all.length === 0) throw new Error('no napalm-logs corpus (shared/corpus/napalm-logs) to send');
  const nl = await napalmLogsParses(all);
  const br = all.map((l, i) => parseSyslog(`${l} seq=${i}`, '127.0.0.1').error !== null);
  const lines = all.filter((_, i) => nl.has(i) && br[i]);
  return { lines, total: all.length, napalmOnly: all.filter((_, i) => nl.has(i) && !br[i]).length, bridgeOnly: all.filter((_, i) => !nl.has(i) && br[i]).length };
}

/** Each step with its note on stderr as it ends (`npm run bench`'s table shows no notes). */
const progress = (f: Figure) => process.stderr.write(`  ${f.ok === false ? 'FAIL' : 'ok  '} ${f.name}: ${f.median} ${f.unit}${f.note ? ` — ${f.note}` : ''}\n`);

/** Both sweeps, rate by rate (napalm-logs, then the bridge, each until its first loss); one figure per step, both knees and their ratio. */
export async function benchKneeSideBySide(): Promise<Figure[]> {
  const seconds = Number(process.env.BENCH_KNEE_SECONDS ?? 60) || 60;
  const rates = (process.env.BENCH_KNEE_RATES ?? DEFAULT_RATES).split(',').map(Number).filter((n) => n > 0);
  const workers = Number(process.env.BENCH_NAPALM_LOGS_WORKERS ?? 1) || 1;
  ensureBenchVenv();
  const mix = await commonMix();
  if (mix.lines.length === 0) throw new Error('no corpus sample that both napalm-logs and the bridge parse');
  const mixNote = `${mix.lines.length} of ${mix.total} corpus samples both parse (napalm-logs only ${mix.napalmOnly}, bridge only ${mix.bridgeOnly})`;
  const out: Figure[] = [];
  const knee = { nl: 0, br: 0 };
  const limit = { nl: 'not reached', br: 'not reached' };
  let nlDone = false;
  let brDone = false;
  for (const rate of rates) {
    if (nlDone && brDone) break;
    if (!nlDone) {
      process.stderr.write(`bench knee-napalm-logs: napalm-logs at ${rate} msg/s for ${seconds} s…\n`);
      const s = await napalmStep(rate, seconds, mix.lines, workers);
      out.push({ name: `napalm-logs knee step ${rate} msg/s × ${seconds} s: ${s.why}`, median: s.lost, unit: 'msgs lost', target: '0', ok: s.ok, note: s.note });
      progress(out[out.length - 1]!);
      if (s.ok) knee.nl = rate;
      else [nlDone, limit.nl] = [true, `${rate} msg/s: ${s.why}`];
    }
    if (!brDone) {
      process.stderr.write(`bench knee-napalm-logs: bridge at ${rate} msg/s for ${seconds} s…\n`);
      const [s] = await benchKnee({ seconds, rates: [rate], lines: mix.lines.map(appendSeq) });
      out.push(s!);
      progress(s!);
      if (s!.ok) knee.br = rate;
      else [brDone, limit.br] = [true, `${rate} msg/s: ${s!.name.replace(/^.*?: /, '')}`];
    }
  }
  out.push({ name: `napalm-logs 0.11.0 sustained no-loss knee (${workers} worker${workers > 1 ? 's' : ''} per OS; ${mixNote}; ${seconds} s per rate; first loss at ${limit.nl})`, median: knee.nl, unit: 'msg/s' });
  out.push({ name: `bridge sustained no-loss knee, same mix, same run (first loss at ${limit.br})`, median: knee.br, unit: 'msg/s', target: '>= 50000 msg/s', ok: knee.br >= 50_000 });
  out.push({ name: 'bridge knee ÷ napalm-logs knee', median: knee.nl > 0 ? knee.br / knee.nl : NaN, unit: 'x' });
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  printFigures(benchKneeSideBySide());
}
