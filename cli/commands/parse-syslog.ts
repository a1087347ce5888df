/**
 * `netops parse-syslog`: raw syslog messages on stdin, one per line → one JSON DeviceEvent per
 * line on stdout. Unrecognised messages are printed too (error: null).
 */
import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Classifier, ClassifierStats } from '../../bridge/parse.js';
import { addStats, classifyBatch, emptyStats, type BatchOptions } from './parse-syslog-batch.js';
import type { WorkerSetup } from './parse-syslog-worker.js';
import { parseFlags, UsageError, type FlagSpec } from '../args.js';

/** Streams the command reads and writes (tests pass their own). */
export interface ParseSyslogIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage: netops parse-syslog [--json] [--pretty] [--ip ADDR] [--stats] [--profiles DIR]
  Reads raw syslog messages, one per line, on stdin; prints one JSON event per line.
  --json          compact JSON, one event per line (the default)
  --pretty        indented JSON instead (events separated by a blank line)
  --ip ADDR       the address the messages came from (default 127.0.0.1)
  --stats         print counts per OS and error to stderr at the end
  --profiles DIR  device profiles to use (default: the repository's profiles/)
  An input over 1 MiB is classified in worker threads (one per core, at most two; output in input
  order); NETOPS_PARSE_WORKERS=N sets how many (0: none).`;

/** Flags of the command (util.parseArgs, strict). */
const FLAGS: FlagSpec = {
  json: { type: 'boolean' },
  pretty: { type: 'boolean' },
  stats: { type: 'boolean' },
  ip: { type: 'string' },
  profiles: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Write, waiting for 'drain' when the stream is full; a stream that fails or closes instead rejects. */
async function write(out: NodeJS.WritableStream, s: string | Uint8Array): Promise<void> {
  if (out.write(s)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (e: Error) => done(e);
    const onClose = () => done(new Error('stdout closed'));
    out.once('drain', onDrain);
    out.once('error', onError);
    out.once('close', onClose);
  });
}

/** How the work is split (tests; the defaults suit the command). */
export interface ParseSyslogTuning {
  /** Worker threads: 0 classifies on the main thread (default: $NETOPS_PARSE_WORKERS, else see workerCount). */
  workers?: number;
  /** Input bytes per batch (default 256 KiB). */
  batchBytes?: number;
}

/** Run the command; resolves to the exit code (0 ok, 1 profiles broken, 2 bad usage). */
export default async function parseSyslogCommand(
  argv: string[],
  io: ParseSyslogIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
  tuning: ParseSyslogTuning = {},
): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags(argv, FLAGS, { command: 'netops parse-syslog', help: 'netops parse-syslog --help' }));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts = { pretty: values.pretty === true, stats: values.stats === true, ip: typeof values.ip === 'string' ? values.ip : '127.0.0.1', profiles: typeof values.profiles === 'string' ? values.profiles : undefined };
  const input = new InputBatches(io.stdin, tuning.batchBytes ?? BATCH_BYTES);
  // small inputs are classified here; larger ones in worker threads (profiles load in each)
  const workers = tuning.workers ?? await workerCount(() => input.head(INLINE_MAX_BYTES, INLINE_WAIT_MS));
  const stats = emptyStats();
  const code = workers === 0 ? await runInline(input, opts, io, stats) : await runWorkers(input, workers, opts, io, stats);
  if (code !== 0) return code;
  if (opts.stats) io.stderr.write(`${JSON.stringify(stats)}\n`);
  return 0;
}

/** Input smaller than this (whole) is classified on the main thread, without workers. */
const INLINE_MAX_BYTES = 1024 * 1024;
/** …and arrived within this time (an interactive input gets the workers, and a profile error at once). */
const INLINE_WAIT_MS = 100;
/** A batch is cut at the last line break once this many bytes are waiting. */
const BATCH_BYTES = 256 * 1024;

/**
 * Worker threads to use: $NETOPS_PARSE_WORKERS when set (0: none), else none for a small input
 * and otherwise one per core, at most two.
 */
async function workerCount(small: () => Promise<{ ended: boolean }>): Promise<number> {
  const env = process.env.NETOPS_PARSE_WORKERS;
  if (env !== undefined && /^\d+$/.test(env)) return Math.min(Number(env), 16);
  return (await small()).ended ? 0 : Math.min(2, Math.max(1, availableParallelism()));
}

type Opts = BatchOptions & { profiles: string | undefined };

function profileProblem(io: ParseSyslogIo, message: string, problems: number): number {
  io.stderr.write(`${message}\nnetops parse-syslog: ${problems} problem(s) in the device profiles\n`);
  return 1;
}

/** Classify on this thread, batch by batch. */
async function runInline(input: InputBatches, opts: Opts, io: ParseSyslogIo, stats: ClassifierStats): Promise<number> {
  // the classifier's modules are loaded only here: with workers, this thread never classifies
  const { Classifier, ProfileError } = await import('../../bridge/parse.js');
  let classifier: Classifier;
  try {
    classifier = new Classifier(opts.profiles ? { profilesDir: opts.profiles } : {});
  } catch (e) {
    if (e instanceof ProfileError) return profileProblem(io, e.message, e.diagnostics.length);
    throw e;
  }
  for (let b = await input.next(); b !== null; b = await input.next()) {
    const out = classifyBatch(classifier, b.toString('utf8'), opts);
    if (out.byteLength > 0) await write(io.stdout, out);
  }
  addStats(stats, classifier.stats);
  return 0;
}

interface BatchReply {
  type: 'batch';
  seq: number;
  bytes: Uint8Array;
  stats: ClassifierStats;
}
type Reply = BatchReply | { type: 'ready' } | { type: 'profile-error'; message: string; problems: number };

/**
 * Classify in `n` worker threads: this thread reads, cuts the input into batches of whole lines,
 * hands each to the least busy worker, and writes the replies in input order.
 */
async function runWorkers(input: InputBatches, n: number, opts: Opts, io: ParseSyslogIo, stats: ClassifierStats): Promise<number> {
  const setup: WorkerSetup = { pretty: opts.pretty, ip: opts.ip, ...(opts.profiles ? { profiles: opts.profiles } : {}) };
  const url = new URL('./parse-syslog-worker.js', import.meta.url);
  const pool = Array.from({ length: n }, () => ({ worker: new Worker(url, { workerData: setup }), busy: 0 }));
  const done = new Map<number, BatchReply>();
  let failure: Error | null = null;
  // the reader and the writer each wait for a change: every event wakes both
  const waiting = new Set<() => void>();
  const signal = (): void => {
    const all = [...waiting];
    waiting.clear();
    for (const w of all) w();
  };
  const until = async (ok: () => boolean): Promise<void> => {
    while (!ok() && failure === null) await new Promise<void>((resolve) => waiting.add(resolve));
    if (failure) throw failure;
  };
  let ready = 0;
  let broken: { message: string; problems: number } | null = null;
  for (const slot of pool) {
    slot.worker.on('message', (m: Reply) => {
      if (m.type === 'ready') ready++;
      else if (m.type === 'profile-error') broken ??= m;
      else {
        slot.busy--;
        done.set(m.seq, m);
      }
      signal();
    });
    slot.worker.on('error', (e: Error) => {
      failure ??= e;
      signal();
    });
    slot.worker.on('exit', (code) => {
      failure ??= new Error(`parse-syslog worker exited (${code}) before the input was done`);
      signal();
    });
  }
  try {
    await until(() => broken !== null || ready === n);
    const bad = broken as { message: string; problems: number } | null; // (set by the listeners)
    if (bad) return profileProblem(io, bad.message, bad.problems);
    let sent = 0;
    let written = 0;
    let allSent = false;
    // replies are written in input order, while the next batches are read and classified
    const writer = (async () => {
      for (;;) {
        await until(() => done.has(written) || (allSent && written === sent));
        const r = done.get(written);
        if (r === undefined) return;
        done.delete(written);
        written++;
        addStats(stats, r.stats);
        if (r.bytes.byteLength > 0) await write(io.stdout, Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength));
        signal();
      }
    })();
    writer.catch((e: unknown) => {
      failure ??= e instanceof Error ? e : new Error(String(e)); // stdout failed: stop reading too
      signal();
    });
    for (let b = await input.next(); b !== null; b = await input.next()) {
      // at most two batches in flight per worker, and few replies waiting for the writer
      await until(() => sent - written < 3 * n && pool.some((s) => s.busy < 2));
      const slot = pool.reduce((a, s) => (s.busy < a.busy ? s : a));
      slot.busy++;
      const own = b.byteOffset === 0 && b.buffer.byteLength === b.byteLength;
      slot.worker.postMessage({ seq: sent++, bytes: b }, own ? [b.buffer as ArrayBuffer] : []);
    }
    allSent = true;
    signal();
    await writer;
    return 0;
  } finally {
    for (const s of pool) s.worker.removeAllListeners('exit');
    await Promise.all(pool.map((s) => s.worker.terminate()));
  }
}

/**
 * stdin as batches of whole lines: cut right after the last CR or LF once a batch's bytes are waiting
 * (a line break byte is never inside a UTF-8 sequence, so a batch decodes on its own); the
 * input's last piece may lack its line break.
 */
class InputBatches {
  private readonly it: AsyncIterator<Buffer | string>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private done = false;

  constructor(stream: NodeJS.ReadableStream, private readonly batchBytes: number) {
    this.it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  }

  /** Whether the input has ended and every byte of it was handed out. */
  get ended(): boolean {
    return this.done && this.pendingBytes === 0;
  }

  /**
   * Read ahead until `bytes` are waiting, the input ends or `ms` have passed; `ended`: it ended
   * first (a slow or interactive input is not waited for).
   */
  async head(bytes: number, ms: number): Promise<{ ended: boolean }> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
    try {
      while (!this.done && this.pendingBytes < bytes) {
        if ((await Promise.race([this.read(), late])) === 'late') break;
      }
    } finally {
      clearTimeout(timer);
    }
    return { ended: this.done };
  }

  /** The next batch, or null when the input is done. */
  async next(): Promise<Buffer | null> {
    for (;;) {
      if (this.pendingBytes >= this.batchBytes || (this.done && this.pendingBytes > 0)) {
        const cut = this.done ? this.pendingBytes : this.lastBreak();
        if (cut > 0) return this.take(cut);
      }
      if (this.done) return null;
      await this.read();
    }
  }

  private reading: Promise<void> | null = null;

  /** Read one chunk (a read left running by head() is joined, not repeated). */
  private read(): Promise<void> {
    this.reading ??= this.readChunk().finally(() => (this.reading = null));
    return this.reading;
  }

  private async readChunk(): Promise<void> {
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return;
    }
    const chunk = typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value;
    if (chunk.byteLength === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
  }

  /** Bytes up to and including the last CR or LF waiting; 0 when there is none. */
  private lastBreak(): number {
    let before = this.pendingBytes;
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const c = this.pending[i]!;
      before -= c.byteLength;
      const at = Math.max(c.lastIndexOf(10), c.lastIndexOf(13));
      if (at >= 0) return before + at + 1;
    }
    return 0;
  }

  private take(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const out = n === all.byteLength ? all : all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.byteLength > 0 ? [rest] : [];
    this.pendingBytes = rest.byteLength;
    return out;
  }
}

// Runnable on its own too: node dist/cli/commands/parse-syslog.js [--ip ADDR] < messages
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  parseSyslogCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`netops parse-syslog: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
