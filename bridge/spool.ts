/**
 * The on-disk spool: a durable FIFO of events waiting for StackStorm.
 *
 * Layout of the spool directory:
 * - `seg-<first seq, 16 digits>.log`: append-only segments of JSON lines, either a record
 *   `{"seq":N,"event":{…}}` or a tombstone `{"drop":N,"reason":"…"}` for a record the full-spool
 *   policy dropped. Lines are written in batches (every `flushMs`), one write + one fsync per batch.
 * - `cursor.json`: `{"next":N}`: every seq below N is finished (delivered, rejected or dropped).
 *   Written atomically (temp file, fsync, rename, fsync of the directory) every `cursorMs`.
 * - `lock`: the pid of the bridge using the directory.
 *
 * Recovery reads the segments in order, truncates a torn last line, skips records below the
 * cursor and tombstoned ones, and hands the rest out again in order. Delivery is therefore
 * at-least-once: a record finished less than `cursorMs` before a crash is sent again, with its id.
 *
 * Bounds: `maxBytes`/`maxEvents` (soft) on pending events. When an append would exceed them the
 * oldest pending `info` events are dropped, then the oldest `warning` events; an event never
 * pushes out an event more severe than itself, and in-flight events are never dropped. If that
 * is not enough, a `critical` event is still accepted up to `hardBytes`/`hardEvents` (logged
 * loudly); any other event is refused. Beyond the hard bound even a critical event is refused.
 * Every drop is counted by level and reason and tombstoned, so a restart does not revive it.
 * Dropped records leave dead bytes in their segment; segments with mostly dead bytes are
 * rewritten (compacted) once the dead bytes pass a quarter of `maxBytes`.
 */
import { promises as fsp, constants as fsc } from 'node:fs';
import { join } from 'node:path';
import type { DeviceEvent } from './event.js';

/** Event levels in order of severity (index = rank). */
export const LEVELS = ['info', 'warning', 'critical'] as const;
/** A DeviceEvent level. */
export type Level = (typeof LEVELS)[number];

/** Why an event was dropped. */
export type DropReason = 'spool_full' | 'spool_hard_full' | 'spool_io_error';

/** Spool settings (sizes in bytes, times in milliseconds). */
export interface SpoolOptions {
  dir: string;
  /** Soft bound on pending event bytes (default 256 MiB). */
  maxBytes?: number;
  /** Soft bound on pending events (default 200000). */
  maxEvents?: number;
  /** Hard bound for critical events (default 2 × maxBytes). */
  hardBytes?: number;
  /** Hard bound for critical events (default 2 × maxEvents). */
  hardEvents?: number;
  /** Segment size before rotating (default 8 MiB). */
  segmentBytes?: number;
  /** Batch write interval (default 20). */
  flushMs?: number;
  /** Cursor write interval (default 250). */
  cursorMs?: number;
  /** Pending payloads kept in memory (characters); the rest is read back from disk (default 8 MiB). */
  memBytes?: number;
  /** fsync each batch (default true). */
  fsync?: boolean;
  /** Unwritten bytes held when the disk fails, before appends are refused (default 64 MiB). */
  maxUnwrittenBytes?: number;
  /** Logger (no event payloads are logged). */
  log?: (level: 'info' | 'warn' | 'error', msg: string) => void;
}

/** A pending record handed to the deliverer. */
export interface SpoolRecord {
  seq: number;
  level: Level;
  /** The event, as JSON. */
  json: string;
}

/** An event the spool dropped. */
export interface DropNote {
  level: Level;
  reason: DropReason;
}

/** What `append` did. */
export interface AppendResult {
  accepted: boolean;
  /** Events dropped to make room (older ones) or the new one itself when refused. */
  dropped: DropNote[];
}

/** Spool counters. */
export interface SpoolStats {
  /** Pending events (queued + in flight). */
  depth: number;
  depthByLevel: Record<Level, number>;
  pendingBytes: number;
  diskBytes: number;
  segments: number;
  inFlight: number;
  appended: number;
  /** Records recovered from disk at open. */
  recovered: number;
  finished: number;
  dropped: Record<Level, Record<DropReason, number>>;
  /** Events accepted above the soft bound (critical only). */
  overSoft: number;
  tornLines: number;
  corruptLines: number;
  compactions: number;
  writeErrors: number;
  /** Next seq and the first seq not yet durable. */
  nextSeq: number;
  durableSeq: number;
  head: number;
}

const RANK: Record<string, number> = { info: 0, warning: 1, critical: 2 };
const SEG_RE = /^seg-(\d{16})\.log$/;

/** FIFO of (seq, offset, size) in typed columns: about 20 bytes per pending event. */
class Ring {
  private seqs = new Float64Array(1024);
  private offs = new Float64Array(1024);
  private sizes = new Uint32Array(1024);
  private start = 0;
  length = 0;
  /** Sum of sizes. */
  bytes = 0;

  push(seq: number, off: number, size: number): void {
    this.bytes += size;
    if (this.length === this.seqs.length) this.grow();
    const i = (this.start + this.length) % this.seqs.length;
    this.seqs[i] = seq;
    this.offs[i] = off;
    this.sizes[i] = size;
    this.length++;
  }

  /** i-th entry from the front. */
  seq(i: number): number {
    return this.seqs[(this.start + i) % this.seqs.length]!;
  }
  off(i: number): number {
    return this.offs[(this.start + i) % this.seqs.length]!;
  }
  size(i: number): number {
    return this.sizes[(this.start + i) % this.seqs.length]!;
  }
  setOff(i: number, off: number): void {
    this.offs[(this.start + i) % this.seqs.length] = off;
  }

  /** Put an entry back at the front (it must be older than every queued one). */
  unshift(seq: number, off: number, size: number): void {
    this.bytes += size;
    if (this.length === this.seqs.length) this.grow();
    this.start = (this.start - 1 + this.seqs.length) % this.seqs.length;
    this.seqs[this.start] = seq;
    this.offs[this.start] = off;
    this.sizes[this.start] = size;
    this.length++;
  }

  /** Index of seq (binary search; entries are sorted), or -1. */
  find(seq: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.seq(mid);
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  shift(): { seq: number; off: number; size: number } {
    const i = this.start;
    const e = { seq: this.seqs[i]!, off: this.offs[i]!, size: this.sizes[i]! };
    this.bytes -= e.size;
    this.start = (this.start + 1) % this.seqs.length;
    this.length--;
    if (this.length === 0) this.start = 0;
    return e;
  }

  private grow(): void {
    const n = this.seqs.length * 2;
    const seqs = new Float64Array(n);
    const offs = new Float64Array(n);
    const sizes = new Uint32Array(n);
    for (let k = 0; k < this.length; k++) {
      const i = (this.start + k) % this.seqs.length;
      seqs[k] = this.seqs[i]!;
      offs[k] = this.offs[i]!;
      sizes[k] = this.sizes[i]!;
    }
    this.seqs = seqs;
    this.offs = offs;
    this.sizes = sizes;
    this.start = 0;
  }
}

interface Segment {
  first: number;
  path: string;
  /** Logical size, including lines not yet written. */
  bytes: number;
  /** Bytes written (and fsynced when fsync is on). */
  durable: number;
  /** Bytes of pending records in this segment. */
  live: number;
  fd: fsp.FileHandle | null;
}

interface Unwritten {
  seg: Segment;
  chunks: string[];
  bytes: number;
  /** Highest record seq in the group + 1 (0 when only tombstones). */
  seqEnd: number;
}

interface InFlight {
  seq: number;
  level: number;
  off: number;
  size: number;
}

/** The spool; create with `Spool.open`. */
export class Spool {
  private readonly o: Required<Omit<SpoolOptions, 'log'>> & Pick<SpoolOptions, 'log'>;
  private readonly queues: [Ring, Ring, Ring] = [new Ring(), new Ring(), new Ring()];
  private readonly inFlight = new Map<number, InFlight>();
  private readonly cache = new Map<number, string>();
  private cacheBytes = 0;
  private segments: Segment[] = [];
  private unwritten: Unwritten[] = [];
  private unwrittenBytes = 0;
  private nextSeq = 0;
  private durableSeq = 0;
  private cursorWritten = -1;
  private liveCount = 0;
  private liveBytes = 0;
  private readonly liveByLevel = [0, 0, 0];
  private io: Promise<unknown> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private cursorTimer: NodeJS.Timeout | null = null;
  private waiters: Array<() => void> = [];
  private durableWaiters: Array<{ seq: number; resolve: () => void }> = [];
  private closed = false;
  private lastLoud = 0;
  private readonly s = {
    appended: 0,
    recovered: 0,
    finished: 0,
    overSoft: 0,
    tornLines: 0,
    corruptLines: 0,
    compactions: 0,
    writeErrors: 0,
    dropped: {
      info: { spool_full: 0, spool_hard_full: 0, spool_io_error: 0 },
      warning: { spool_full: 0, spool_hard_full: 0, spool_io_error: 0 },
      critical: { spool_full: 0, spool_hard_full: 0, spool_io_error: 0 },
    } as Record<Level, Record<DropReason, number>>,
  };

  private constructor(opts: SpoolOptions) {
    const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    const maxEvents = opts.maxEvents ?? 200_000;
    this.o = {
      dir: opts.dir,
      maxBytes,
      maxEvents,
      hardBytes: Math.max(maxBytes, opts.hardBytes ?? maxBytes * 2),
      hardEvents: Math.max(maxEvents, opts.hardEvents ?? maxEvents * 2),
      segmentBytes: opts.segmentBytes ?? 8 * 1024 * 1024,
      flushMs: opts.flushMs ?? 20,
      cursorMs: opts.cursorMs ?? 250,
      memBytes: opts.memBytes ?? 8 * 1024 * 1024,
      fsync: opts.fsync ?? true,
      maxUnwrittenBytes: opts.maxUnwrittenBytes ?? 64 * 1024 * 1024,
      log: opts.log,
    };
  }

  /** Open (or create) the spool in `opts.dir`, recovering what a previous run left. */
  static async open(opts: SpoolOptions): Promise<Spool> {
    const sp = new Spool(opts);
    await fsp.mkdir(opts.dir, { recursive: true });
    await sp.lock();
    try {
      await sp.recover();
    } catch (e) {
      await fsp.rm(join(opts.dir, 'lock'), { force: true });
      throw e;
    }
    return sp;
  }

  /** Queue an event (written to disk within flushMs). Applies the full-spool policy. */
  append(ev: DeviceEvent): AppendResult {
    const json = JSON.stringify(ev);
    const rank = RANK[ev.level] ?? 0;
    const level = LEVELS[rank]!;
    const seq = this.nextSeq;
    const line = `{"seq":${seq},"event":${json}}\n`;
    const size = Buffer.byteLength(line);
    const dropped: DropNote[] = [];
    if (this.closed) return this.refuse(level, 'spool_io_error', dropped);
    if (this.unwrittenBytes + size > this.o.maxUnwrittenBytes) return this.refuse(level, 'spool_io_error', dropped);

    const over = () => this.liveBytes + size > this.o.maxBytes || this.liveCount + 1 > this.o.maxEvents;
    if (over() && rank < 2) {
      // Would dropping every queued event it may push out (info; info and warning) make room? If not, refuse it without dropping any.
      let bytes = 0;
      let count = 0;
      for (let r = 0; r <= rank; r++) {
        bytes += this.queues[r]!.bytes;
        count += this.queues[r]!.length;
      }
      if (this.liveBytes - bytes + size > this.o.maxBytes || this.liveCount - count + 1 > this.o.maxEvents) return this.refuse(level, 'spool_full', dropped);
    }
    while (over()) {
      let victim = -1;
      for (let r = 0; r <= rank && r < 2; r++) {
        if (this.queues[r]!.length > 0) {
          victim = r;
          break;
        }
      }
      if (victim < 0) break;
      this.dropOldest(victim, 'spool_full', dropped);
    }
    if (over()) {
      const hardOk = this.liveBytes + size <= this.o.hardBytes && this.liveCount + 1 <= this.o.hardEvents;
      if (rank < 2) return this.refuse(level, 'spool_full', dropped);
      if (!hardOk) {
        this.loud(`spool at its hard bound (${this.liveCount} events, ${this.liveBytes} bytes): refusing a critical event`);
        return this.refuse(level, 'spool_hard_full', dropped);
      }
      this.s.overSoft++;
      this.loud(`spool over its soft bound with critical events only (${this.liveCount} events, ${this.liveBytes} bytes); accepting critical events up to the hard bound, refusing others`);
    }

    let seg = this.segments[this.segments.length - 1]!;
    if (seg.bytes >= this.o.segmentBytes) seg = this.rotate();
    this.nextSeq++;
    const off = seg.bytes;
    this.write(seg, line, size, seq + 1);
    seg.live += size;
    this.queues[rank]!.push(seq, off, size);
    this.liveCount++;
    this.liveBytes += size;
    this.liveByLevel[rank]!++;
    this.s.appended++;
    if (this.cacheBytes + json.length <= this.o.memBytes) {
      this.cache.set(seq, json);
      this.cacheBytes += json.length;
    }
    this.wake();
    return { accepted: true, dropped };
  }

  /**
   * The next pending record in seq order, now in flight (not droppable) until `finish`.
   * Waits while the spool is empty; null once closed or when `signal` aborts.
   */
  async next(signal?: AbortSignal): Promise<SpoolRecord | null> {
    for (;;) {
      if (this.closed || signal?.aborted) return null;
      const rank = this.headRank();
      if (rank < 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            signal?.removeEventListener('abort', done);
            resolve();
          };
          signal?.addEventListener('abort', done);
          this.waiters.push(done);
        });
        continue;
      }
      const e = this.queues[rank]!.shift();
      const f: InFlight = { seq: e.seq, level: rank, off: e.off, size: e.size };
      this.inFlight.set(e.seq, f);
      let json = this.cache.get(e.seq);
      if (json === undefined) {
        try {
          json = await this.readBack(f);
        } catch (err) {
          if (err instanceof NotDurable) {
            // The disk refuses writes: put it back and wait for the retry to get it down.
            if (this.inFlight.delete(e.seq)) this.queues[rank]!.unshift(f.seq, f.off, f.size);
            await new Promise((r) => setTimeout(r, 500));
            continue;
          }
          // Unreadable: finish it so the queue moves on, and say so.
          this.o.log?.('error', `spool: cannot read back record ${e.seq}: ${(err as Error).message}`);
          this.s.corruptLines++;
          this.finish(e.seq);
          continue;
        }
      }
      return { seq: e.seq, level: LEVELS[rank]!, json };
    }
  }

  /** Records still queued (not in flight) in seq order, up to `max`, without taking them. */
  peekQueued(max: number): number[] {
    const idx = [0, 0, 0];
    const out: number[] = [];
    while (out.length < max) {
      let best = -1;
      for (let r = 0; r < 3; r++) {
        const q = this.queues[r]!;
        if (idx[r]! < q.length && (best < 0 || q.seq(idx[r]!) < this.queues[best]!.seq(idx[best]!))) best = r;
      }
      if (best < 0) break;
      out.push(this.queues[best]!.seq(idx[best]!));
      idx[best]!++;
    }
    return out;
  }

  /** A record in flight is finished (delivered or permanently rejected). */
  finish(seq: number): void {
    const f = this.inFlight.get(seq);
    if (!f) return;
    this.inFlight.delete(seq);
    this.forget(seq, f.level, f.size);
    this.s.finished++;
  }

  /** True once closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Lowest seq not finished (everything below it is done). */
  head(): number {
    let h = this.nextSeq;
    for (const q of this.queues) if (q.length > 0 && q.seq(0) < h) h = q.seq(0);
    for (const s of this.inFlight.keys()) if (s < h) h = s;
    return h;
  }

  /** Counters and depth. */
  stats(): SpoolStats {
    const dropped = {} as Record<Level, Record<DropReason, number>>;
    for (const l of LEVELS) dropped[l] = { ...this.s.dropped[l] };
    return {
      depth: this.liveCount,
      depthByLevel: { info: this.liveByLevel[0]!, warning: this.liveByLevel[1]!, critical: this.liveByLevel[2]! },
      pendingBytes: this.liveBytes,
      diskBytes: this.segments.reduce((n, s) => n + s.bytes, 0),
      segments: this.segments.length,
      inFlight: this.inFlight.size,
      appended: this.s.appended,
      recovered: this.s.recovered,
      finished: this.s.finished,
      dropped,
      overSoft: this.s.overSoft,
      tornLines: this.s.tornLines,
      corruptLines: this.s.corruptLines,
      compactions: this.s.compactions,
      writeErrors: this.s.writeErrors,
      nextSeq: this.nextSeq,
      durableSeq: this.durableSeq,
      head: this.head(),
    };
  }

  /** Write everything appended so far to disk (and fsync). */
  flush(): Promise<void> {
    return this.serial(() => this.flushNow());
  }

  /** Flush, write the cursor, release the directory. Records in flight stay pending for next time. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    this.flushTimer = this.cursorTimer = null;
    for (const w of this.waiters.splice(0)) w();
    await this.serial(async () => {
      await this.flushNow();
      await this.writeCursor();
      for (const s of this.segments) {
        await s.fd?.close().catch(() => undefined);
        s.fd = null;
      }
    });
    for (const w of this.durableWaiters.splice(0)) w.resolve();
    await fsp.rm(join(this.o.dir, 'lock'), { force: true });
  }

  // ---- internals -------------------------------------------------------------------------

  private refuse(level: Level, reason: DropReason, dropped: DropNote[]): AppendResult {
    this.s.dropped[level][reason]++;
    dropped.push({ level, reason });
    return { accepted: false, dropped };
  }

  private loud(msg: string): void {
    const now = Date.now();
    if (now - this.lastLoud < 10_000) return;
    this.lastLoud = now;
    this.o.log?.('error', msg);
  }

  private dropOldest(rank: number, reason: DropReason, dropped: DropNote[]): void {
    const e = this.queues[rank]!.shift();
    const level = LEVELS[rank]!;
    this.forget(e.seq, rank, e.size);
    this.s.dropped[level][reason]++;
    dropped.push({ level, reason });
    const tomb = `{"drop":${e.seq},"reason":"${reason}"}\n`;
    const seg = this.segments[this.segments.length - 1]!;
    this.write(seg, tomb, tomb.length, 0);
  }

  private forget(seq: number, rank: number, size: number): void {
    const json = this.cache.get(seq);
    if (json !== undefined) {
      this.cache.delete(seq);
      this.cacheBytes -= json.length;
    }
    this.liveCount--;
    this.liveBytes -= size;
    this.liveByLevel[rank]!--;
    const seg = this.segmentOf(seq);
    if (seg) seg.live -= size;
    this.scheduleCursor();
  }

  private headRank(): number {
    let best = -1;
    for (let r = 0; r < 3; r++) {
      const q = this.queues[r]!;
      if (q.length > 0 && (best < 0 || q.seq(0) < this.queues[best]!.seq(0))) best = r;
    }
    return best;
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    for (const w of this.waiters.splice(0)) w();
  }

  private write(seg: Segment, line: string, size: number, seqEnd: number): void {
    seg.bytes += size;
    const last = this.unwritten[this.unwritten.length - 1];
    if (last && last.seg === seg) {
      last.chunks.push(line);
      last.bytes += size;
      if (seqEnd > last.seqEnd) last.seqEnd = seqEnd;
    } else {
      this.unwritten.push({ seg, chunks: [line], bytes: size, seqEnd });
    }
    this.unwrittenBytes += size;
    if (!this.flushTimer && !this.closed) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        void this.serial(() => this.flushNow()).catch(() => undefined);
      }, this.o.flushMs);
    }
  }

  private rotate(): Segment {
    const seg: Segment = { first: this.nextSeq, path: join(this.o.dir, segName(this.nextSeq)), bytes: 0, durable: 0, live: 0, fd: null };
    this.segments.push(seg);
    return seg;
  }

  private segmentOf(seq: number): Segment | undefined {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    let found: Segment | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]!.first <= seq) {
        found = segs[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Run disk work one piece at a time. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.io.then(fn, fn);
    this.io = p.catch(() => undefined);
    return p;
  }

  private async flushNow(): Promise<void> {
    // Take the batch: appends made while it is being written start a new one.
    const groups = this.unwritten;
    this.unwritten = [];
    while (groups.length > 0) {
      const g = groups[0]!;
      const active = this.segments[this.segments.length - 1];
      try {
        if (!g.seg.fd) g.seg.fd = await fsp.open(g.seg.path, 'a');
        const data = Buffer.from(g.chunks.join(''));
        await g.seg.fd.write(data);
        if (this.o.fsync) await g.seg.fd.datasync();
        g.seg.durable += data.length;
      } catch (err) {
        this.s.writeErrors++;
        this.loud(`spool: cannot write ${g.seg.path}: ${(err as Error).message}; keeping ${this.unwrittenBytes} bytes in memory and retrying`);
        await g.seg.fd?.truncate(g.seg.durable).catch(() => undefined);
        this.unwritten = [...groups, ...this.unwritten];
        if (!this.flushTimer && !this.closed) {
          this.flushTimer = setTimeout(() => {
            this.flushTimer = null;
            void this.serial(() => this.flushNow()).catch(() => undefined);
          }, 1000);
        }
        return;
      }
      groups.shift();
      this.unwrittenBytes -= g.bytes;
      if (g.seqEnd > this.durableSeq) this.durableSeq = g.seqEnd;
      if (g.seg !== active) {
        await g.seg.fd?.close().catch(() => undefined);
        g.seg.fd = null;
      }
    }
    if (this.durableWaiters.length > 0) {
      const still: typeof this.durableWaiters = [];
      for (const w of this.durableWaiters) (w.seq < this.durableSeq ? w.resolve() : still.push(w));
      this.durableWaiters = still;
    }
    await this.maybeCompact();
  }

  private scheduleCursor(): void {
    if (this.cursorTimer || this.closed) return;
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null;
      void this.serial(() => this.writeCursor()).catch((err: Error) => this.o.log?.('error', `spool: cannot write cursor: ${err.message}`));
    }, this.o.cursorMs);
  }

  /** Persist the head atomically, then delete segments wholly below it. */
  private async writeCursor(): Promise<void> {
    const head = this.head();
    if (head !== this.cursorWritten) {
      const path = join(this.o.dir, 'cursor.json');
      const tmp = `${path}.tmp`;
      const fh = await fsp.open(tmp, 'w');
      try {
        await fh.writeFile(`${JSON.stringify({ next: head })}\n`);
        if (this.o.fsync) await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, path);
      if (this.o.fsync) await syncDir(this.o.dir);
      this.cursorWritten = head;
    }
    // A segment is finished when the next one starts at or below the head.
    while (this.segments.length > 1 && this.segments[1]!.first <= head) {
      const seg = this.segments.shift()!;
      await seg.fd?.close().catch(() => undefined);
      await fsp.rm(seg.path, { force: true });
    }
  }

  /** Rewrite segments that are mostly dropped records, once dead bytes pass a quarter of maxBytes. */
  private async maybeCompact(): Promise<void> {
    const disk = this.segments.reduce((n, s) => n + s.durable, 0);
    const threshold = Math.max(this.o.maxBytes / 4, 2 * this.o.segmentBytes);
    if (disk - this.liveBytes <= threshold) return;
    const head = this.head();
    const headSeg = this.segmentOf(head);
    const candidates = this.segments
      .slice(0, -1)
      .filter((s) => s !== headSeg && s.bytes === s.durable && s.bytes - s.live > s.bytes / 2)
      .sort((a, b) => b.bytes - b.live - (a.bytes - a.live));
    let dead = disk - this.liveBytes;
    for (const seg of candidates) {
      if (dead <= threshold / 2) break;
      const before = seg.bytes;
      await this.compact(seg, head);
      dead -= before - seg.bytes;
    }
  }

  private async compact(seg: Segment, head: number): Promise<void> {
    const idx = this.segments.indexOf(seg);
    const end = this.segments[idx + 1]!.first;
    // Pending records of this segment (a record dropped meanwhile is kept: its tombstone is later).
    const live = new Set<number>();
    for (const q of this.queues) {
      for (let i = 0; i < q.length; i++) {
        const s = q.seq(i);
        if (s >= seg.first && s < end) live.add(s);
      }
    }
    for (const f of this.inFlight.values()) if (f.seq >= seg.first && f.seq < end) live.add(f.seq);
    const text = await fsp.readFile(seg.path, 'utf8');
    const out: string[] = [];
    const offs: Array<[number, number]> = [];
    let off = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      const rec = /^\{"seq":(\d+),/.exec(line);
      const tomb = rec ? null : /^\{"drop":(\d+)/.exec(line);
      const keep = rec ? live.has(Number(rec[1])) : tomb ? Number(tomb[1]) >= head && Number(tomb[1]) < seg.first : false;
      if (!keep) continue;
      if (rec) offs.push([Number(rec[1]), off]);
      const l = `${line}\n`;
      out.push(l);
      off += Buffer.byteLength(l);
    }
    const tmp = `${seg.path}.tmp`;
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(out.join(''));
      if (this.o.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, seg.path);
    if (this.o.fsync) await syncDir(this.o.dir);
    for (const [s, o] of offs) this.relocate(s, o);
    seg.bytes = seg.durable = off;
    this.s.compactions++;
  }

  /** Read a record that is not in memory, with read-ahead of the records queued after it. */
  private readBack(f: InFlight): Promise<string> {
    return this.serial(async () => {
      if (f.seq >= this.durableSeq) await this.flushNow();
      if (f.seq >= this.durableSeq) throw new NotDurable();
      const seg = this.segmentOf(f.seq);
      if (!seg) throw new Error('segment gone');
      // Read ahead: following queued records in the same segment, up to 1 MiB.
      const ahead: Array<{ seq: number; off: number; size: number }> = [];
      const budget = this.cacheBytes < this.o.memBytes + 2 * 1024 * 1024 ? 2048 : 0;
      for (const s of this.peekQueued(budget)) {
        if (s >= this.durableSeq || this.segmentOf(s) !== seg || this.cache.has(s)) break;
        const e = this.locate(s);
        if (!e || e.off < f.off || e.off + e.size - f.off > 1024 * 1024) break;
        ahead.push({ seq: s, ...e });
      }
      const endOff = ahead.length > 0 ? ahead[ahead.length - 1]!.off + ahead[ahead.length - 1]!.size : f.off + f.size;
      const buf = Buffer.alloc(Math.max(endOff, f.off + f.size) - f.off);
      const fh = await fsp.open(seg.path, 'r');
      try {
        const { bytesRead } = await fh.read(buf, 0, buf.length, f.off);
        if (bytesRead < f.size) throw new Error('short read');
      } finally {
        await fh.close();
      }
      const extract = (off: number, size: number): string => eventJson(buf.toString('utf8', off - f.off, off - f.off + size));
      for (const a of ahead) {
        if (a.seq === f.seq) continue;
        const json = extract(a.off, a.size);
        this.cache.set(a.seq, json);
        this.cacheBytes += json.length;
      }
      return extract(f.off, f.size);
    });
  }

  /** Offset and size of a queued record. */
  private locate(seq: number): { off: number; size: number } | null {
    for (const q of this.queues) {
      const i = q.find(seq);
      if (i >= 0) return { off: q.off(i), size: q.size(i) };
    }
    return null;
  }

  /** A pending record moved within its segment (compaction). */
  private relocate(seq: number, off: number): void {
    const f = this.inFlight.get(seq);
    if (f) {
      f.off = off;
      return;
    }
    for (const q of this.queues) {
      const i = q.find(seq);
      if (i >= 0) {
        q.setOff(i, off);
        return;
      }
    }
  }

  private async lock(): Promise<void> {
    const path = join(this.o.dir, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await fsp.open(path, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY);
        await fh.writeFile(`${process.pid}\n`);
        await fh.close();
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number((await fsp.readFile(path, 'utf8').catch(() => '')).trim());
        if (pid > 0 && pid !== process.pid && alive(pid)) throw new Error(`spool ${this.o.dir} is in use by process ${pid}`);
        await fsp.rm(path, { force: true });
      }
    }
    throw new Error(`cannot lock spool ${this.o.dir}`);
  }

  private async recover(): Promise<void> {
    const dir = this.o.dir;
    let cursor = 0;
    const ctext = await fsp.readFile(join(dir, 'cursor.json'), 'utf8').catch(() => null);
    if (ctext !== null) {
      try {
        const n = (JSON.parse(ctext) as { next?: unknown }).next;
        if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) cursor = n;
      } catch {
        this.o.log?.('warn', 'spool: cursor.json unreadable; redelivering everything in the spool');
      }
    }
    await fsp.rm(join(dir, 'cursor.json.tmp'), { force: true });
    const names = (await fsp.readdir(dir)).filter((n) => SEG_RE.test(n)).sort();
    for (const n of (await fsp.readdir(dir)).filter((n) => n.endsWith('.log.tmp'))) await fsp.rm(join(dir, n), { force: true });
    let lastSeq = -1;
    const dropped = new Set<number>();
    const recs: Array<{ seq: number; rank: number; off: number; size: number; seg: Segment; json: string | null }> = [];
    let keepJson = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const path = join(dir, name);
      const seg: Segment = { first: Number(SEG_RE.exec(name)![1]), path, bytes: 0, durable: 0, live: 0, fd: null };
      const buf = await fsp.readFile(path);
      let off = 0;
      while (off < buf.length) {
        const nl = buf.indexOf(0x0a, off);
        if (nl < 0) {
          // Torn last line (crash mid-write): cut it off.
          this.s.tornLines++;
          this.o.log?.('warn', `spool: ${name}: cutting a torn last line (${buf.length - off} bytes)`);
          await fsp.truncate(path, off);
          break;
        }
        const size = nl + 1 - off;
        const text = buf.toString('utf8', off, nl);
        const parsed = parseLine(text);
        if (!parsed) {
          this.s.corruptLines++;
          this.o.log?.('warn', `spool: ${name}: skipping an unreadable line at byte ${off}`);
        } else if ('drop' in parsed) {
          dropped.add(parsed.drop);
        } else if (parsed.seq > lastSeq) {
          lastSeq = parsed.seq;
          if (parsed.seq >= cursor) {
            // Keep payloads in memory only up to memBytes; the rest is read back when due.
            const keep = keepJson + parsed.json.length <= this.o.memBytes;
            if (keep) keepJson += parsed.json.length;
            recs.push({ seq: parsed.seq, rank: RANK[parsed.level] ?? 0, off, size, seg, json: keep ? parsed.json : null });
          }
        } else {
          this.s.corruptLines++;
        }
        off = nl + 1;
      }
      seg.bytes = seg.durable = off;
      this.segments.push(seg);
    }
    this.nextSeq = Math.max(cursor, lastSeq + 1);
    for (const r of recs) {
      if (dropped.has(r.seq)) continue;
      this.queues[r.rank]!.push(r.seq, r.off, r.size);
      r.seg.live += r.size;
      this.liveCount++;
      this.liveBytes += r.size;
      this.liveByLevel[r.rank]!++;
      this.s.recovered++;
      if (r.json !== null && this.cacheBytes + r.json.length <= this.o.memBytes) {
        this.cache.set(r.seq, r.json);
        this.cacheBytes += r.json.length;
      }
    }
    this.durableSeq = this.nextSeq;
    // Appends go to a fresh segment.
    this.rotate();
    this.cursorWritten = -1;
    await this.writeCursor();
    if (this.s.recovered > 0) this.o.log?.('info', `spool: recovered ${this.s.recovered} pending events from ${dir}`);
  }
}

class NotDurable extends Error {}

function segName(first: number): string {
  return `seg-${String(first).padStart(16, '0')}.log`;
}

/** The event JSON inside a record line `{"seq":N,"event":…}`. */
function eventJson(line: string): string {
  const i = line.indexOf(',"event":');
  const end = line.endsWith('\n') ? line.length - 2 : line.length - 1;
  return line.slice(i + 9, end);
}

function parseLine(text: string): { seq: number; level: string; json: string } | { drop: number } | null {
  try {
    const v = JSON.parse(text) as { seq?: unknown; event?: { level?: unknown }; drop?: unknown };
    if (typeof v.drop === 'number') return { drop: v.drop };
    if (typeof v.seq === 'number' && v.event && typeof v.event === 'object') {
      return { seq: v.seq, level: typeof v.event.level === 'string' ? v.event.level : 'info', json: eventJson(text) };
    }
    return null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on directories.
  } finally {
    await fh.close();
  }
}
