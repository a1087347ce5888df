/**
 * The on-disk spool: durable per-level lanes (critical, warning, info) of events waiting for
 * StackStorm, each in order within its lane.
 *
 * Layout of the spool directory: `seg-<first seq>.log` segments of JSON lines (lines.ts), written
 * in batches (writer.ts); `cursor.json` `{"next":N}`: every seq below N is finished, written
 * atomically every `cursorMs` (files.ts); `lock`: the pid of the bridge using the directory.
 * All lanes share the segments; a record's lane is its event's level, so a restart rebuilds the
 * lanes (recover.ts). Delivery is at-least-once: a record finished less than `cursorMs` before a
 * crash is sent again, with its id. `next` serves the lanes through the lane scheduler
 * (../lanes.ts); what is kept when room runs out is the drop policy (policy.ts). Every drop is
 * counted by level and reason and tombstoned, so a restart does not revive it. Segments with
 * mostly dead bytes are rewritten (compact.ts) once the dead bytes pass a quarter of `maxBytes`.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { DeviceEvent } from '../event.js';
import { DEFAULT_SHARES, initialLaneState, pickLane, type LaneState, type Shares } from '../lanes.js';
import { compactSegment } from './compact.js';
import { lockDir, readCursor, unlockDir, writeCursorFile } from './files.js';
import { DROP_REASONS, LEVELS, rankOf, type DropReason, type Level } from './levels.js';
import { eventJson, recordLine, segName, tombLine } from './lines.js';
import { admit } from './policy.js';
import { recoverSegments } from './recover.js';
import { Ring } from './ring.js';
import { MemWindow } from './window.js';
import { BatchWriter, closeSegment, newSegment, type Segment } from './writer.js';

export { LEVELS, type Level, type DropReason } from './levels.js';

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
  /** Bytes waiting for the disk before warning events are refused (info at half of it; default 64 MiB). */
  maxUnwrittenBytes?: number;
  /** Bytes waiting for the disk before critical events are refused (default 4 × maxUnwrittenBytes). */
  hardUnwrittenBytes?: number;
  /** Guaranteed delivery shares of the lower lanes (see lanes.ts). */
  shares?: Shares;
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

/** How far behind one lane is. */
export interface LaneStats {
  /** Queued, not in flight. */
  queued: number;
  /** Age of the oldest queued record (ms, 0 when empty). */
  lagMs: number;
  /** Records handed to delivery from this lane. */
  served: number;
}

/** Spool counters. */
export interface SpoolStats {
  /** Pending events (queued + in flight). */
  depth: number;
  depthByLevel: Record<Level, number>;
  lanes: Record<Level, LaneStats>;
  pendingBytes: number;
  diskBytes: number;
  /** Bytes appended, not yet on disk. */
  unwrittenBytes: number;
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
  /** Payloads read back from disk because they were not in the memory window: reads and records. */
  readBack: { reads: number; records: number };
}

interface InFlight {
  seq: number;
  level: number;
  off: number;
  size: number;
  at: number;
}

class NotDurable extends Error {}

/** The spool; create with `Spool.open`. */
export class Spool {
  private readonly o: Required<Omit<SpoolOptions, 'log'>> & Pick<SpoolOptions, 'log'>;
  private readonly queues: [Ring, Ring, Ring] = [new Ring(), new Ring(), new Ring()];
  private readonly inFlight = new Map<number, InFlight>();
  private readonly mem: MemWindow;
  private readonly writer: BatchWriter;
  private segments: Segment[] = [];
  private nextSeq = 0;
  private cursorWritten = -1;
  private liveCount = 0;
  private liveBytes = 0;
  private readonly liveByLevel = [0, 0, 0];
  private readonly served = [0, 0, 0];
  private lanes: LaneState = initialLaneState;
  private io: Promise<unknown> = Promise.resolve();
  private cursorTimer: NodeJS.Timeout | null = null;
  private waiters: Array<() => void> = [];
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
    reads: 0,
    readRecords: 0,
    dropped: Object.fromEntries(LEVELS.map((l) => [l, Object.fromEntries(DROP_REASONS.map((r) => [r, 0]))])) as Record<Level, Record<DropReason, number>>,
  };

  private constructor(opts: SpoolOptions) {
    const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    const maxEvents = opts.maxEvents ?? 200_000;
    const maxUnwrittenBytes = opts.maxUnwrittenBytes ?? 64 * 1024 * 1024;
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
      maxUnwrittenBytes,
      hardUnwrittenBytes: Math.max(maxUnwrittenBytes, opts.hardUnwrittenBytes ?? maxUnwrittenBytes * 4),
      shares: opts.shares ?? DEFAULT_SHARES,
      log: opts.log,
    };
    this.mem = new MemWindow(this.o.memBytes);
    this.writer = new BatchWriter({
      flushMs: this.o.flushMs,
      fsync: this.o.fsync,
      serial: (fn) => this.serial(fn),
      isClosed: () => this.closed,
      active: () => this.segments[this.segments.length - 1]!,
      loud: (m) => this.loud(m),
      afterFlush: () => this.maybeCompact(),
    });
  }

  /** Open (or create) the spool in `opts.dir`, recovering what a previous run left. */
  static async open(opts: SpoolOptions): Promise<Spool> {
    const sp = new Spool(opts);
    await fsp.mkdir(opts.dir, { recursive: true });
    await lockDir(opts.dir);
    try {
      await sp.recover();
    } catch (e) {
      await unlockDir(opts.dir);
      throw e;
    }
    return sp;
  }

  /**
   * How full the spool is, 0…1 and more: the largest of pending bytes and events against their soft
   * bounds and bytes waiting for the disk against info's share of the write buffer. Sources that
   * can wait (TCP) are paused above a threshold of it, so the drop policy never has to act on them.
   */
  fill(): number {
    return Math.max(this.liveBytes / this.o.maxBytes, this.liveCount / this.o.maxEvents, this.writer.unwrittenBytes / (this.o.maxUnwrittenBytes / 2));
  }

  /**
   * Queue an event in its level's lane (written to disk within flushMs). Applies the drop policy.
   * `json`: the event's JSON text when the caller has it already (it must be JSON.stringify(ev)'s).
   */
  append(ev: DeviceEvent, json: string = JSON.stringify(ev)): AppendResult {
    const rank = rankOf(ev.level);
    const level = LEVELS[rank]!;
    const seq = this.nextSeq;
    const line = recordLine(seq, json);
    const size = Buffer.byteLength(line);
    const dropped: DropNote[] = [];
    const q = this.queues;
    const v = admit(rank, size, {
      liveBytes: this.liveBytes,
      liveCount: this.liveCount,
      laneCount: [q[0].length, q[1].length, q[2].length],
      laneBytes: [q[0].bytes, q[1].bytes, q[2].bytes],
      oldestSize: (l, i) => q[l]!.size(i),
      maxBytes: this.o.maxBytes,
      maxEvents: this.o.maxEvents,
      hardBytes: this.o.hardBytes,
      hardEvents: this.o.hardEvents,
      unwrittenBytes: this.writer.unwrittenBytes,
      maxUnwrittenBytes: this.o.maxUnwrittenBytes,
      hardUnwrittenBytes: this.o.hardUnwrittenBytes,
      ioFailing: this.writer.ioFailing,
      closed: this.closed,
    });
    if (!v.accept) {
      this.s.dropped[level][v.reason]++;
      dropped.push({ level, reason: v.reason });
      if (rank === 2) this.loud(`spool: refusing a critical event (${v.reason}): ${this.liveCount} events, ${this.liveBytes} bytes pending, ${this.writer.unwrittenBytes} bytes waiting for the disk`);
      return { accepted: false, dropped };
    }
    for (let l = 0; l < 2; l++) for (let k = 0; k < v.evict[l]!; k++) this.dropOldest(l, 'spool_full', dropped);
    if (v.overSoft) {
      this.s.overSoft++;
      this.loud(`spool over its soft bound with critical events only (${this.liveCount} events, ${this.liveBytes} bytes); accepting critical events up to the hard bound, refusing others`);
    }

    let seg = this.segments[this.segments.length - 1]!;
    if (seg.bytes >= this.o.segmentBytes) seg = this.rotate();
    this.nextSeq++;
    const off = seg.bytes;
    this.writer.append(seg, line, size, seq + 1);
    seg.live += size;
    this.queues[rank]!.push(seq, off, size, Date.now());
    this.liveCount++;
    this.liveBytes += size;
    this.liveByLevel[rank]!++;
    this.s.appended++;
    // The window holds the payloads needed soonest: a lane's oldest. Once one of a lane's pending
    // payloads is only on disk, the lane's later ones stay there too (keeping them would take
    // the room read-ahead needs, and every read would fetch a few records between held ones), until
    // the lane is held whole again. Critical payloads may use twice the window: they are the ones
    // that must not wait for a read-back.
    const lane = this.queues[rank]!;
    if (lane.length === 1 || this.mem.has(lane.seq(lane.length - 2))) this.mem.offer(seq, json, rank === 2 ? this.o.memBytes : 0);
    this.wake();
    return { accepted: true, dropped };
  }

  /**
   * The next pending record by lane (critical first, lower lanes their guaranteed share), in seq
   * order within its lane; in flight (not droppable) until `finish`. Waits while the spool is
   * empty; null once closed or when `signal` aborts.
   */
  async next(signal?: AbortSignal): Promise<SpoolRecord | null> {
    for (;;) {
      if (this.closed || signal?.aborted) return null;
      const pick = pickLane(this.queues.map((q) => q.length > 0), this.lanes, this.o.shares);
      const rank = pick.lane;
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
      this.lanes = pick.state;
      const e = this.queues[rank]!.shift();
      const f: InFlight = { seq: e.seq, level: rank, off: e.off, size: e.size, at: e.at };
      this.inFlight.set(e.seq, f);
      let json = this.mem.get(e.seq);
      if (json === undefined) {
        try {
          json = await this.readBack(f);
        } catch (err) {
          if (err instanceof NotDurable) {
            // The disk refuses writes: put it back and wait for the retry to get it down.
            if (this.inFlight.delete(e.seq)) this.queues[rank]!.unshift(f.seq, f.off, f.size, f.at);
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
      this.served[rank]!++;
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
    const now = Date.now();
    const lane = (r: number): LaneStats => {
      const q = this.queues[r]!;
      return { queued: q.length, lagMs: q.length > 0 ? Math.max(0, now - q.at(0)) : 0, served: this.served[r]! };
    };
    return {
      depth: this.liveCount,
      depthByLevel: { info: this.liveByLevel[0]!, warning: this.liveByLevel[1]!, critical: this.liveByLevel[2]! },
      lanes: { info: lane(0), warning: lane(1), critical: lane(2) },
      pendingBytes: this.liveBytes,
      diskBytes: this.segments.reduce((n, s) => n + s.bytes, 0),
      unwrittenBytes: this.writer.unwrittenBytes,
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
      writeErrors: this.writer.writeErrors,
      nextSeq: this.nextSeq,
      durableSeq: this.writer.durableSeq,
      head: this.head(),
      readBack: { reads: this.s.reads, records: this.s.readRecords },
    };
  }

  /** Write everything appended so far to disk (and fsync). */
  flush(): Promise<void> {
    return this.serial(() => this.writer.flushNow());
  }

  /** Flush, write the cursor, release the directory. Records in flight stay pending for next time. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.writer.cancel();
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    this.cursorTimer = null;
    for (const w of this.waiters.splice(0)) w();
    await this.serial(async () => {
      await this.writer.flushNow();
      await this.writeCursor();
      for (const s of this.segments) await closeSegment(s);
    });
    await unlockDir(this.o.dir);
  }

  // ---- internals -------------------------------------------------------------------------

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
    const tomb = tombLine(e.seq, reason);
    this.writer.append(this.segments[this.segments.length - 1]!, tomb, tomb.length, 0);
  }

  private forget(seq: number, rank: number, size: number): void {
    this.mem.delete(seq);
    this.liveCount--;
    this.liveBytes -= size;
    this.liveByLevel[rank]!--;
    const seg = this.segmentOf(seq);
    if (seg) seg.live -= size;
    this.scheduleCursor();
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    for (const w of this.waiters.splice(0)) w();
  }

  private rotate(): Segment {
    const seg = newSegment(this.nextSeq, join(this.o.dir, segName(this.nextSeq)));
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

  private scheduleCursor(): void {
    if (this.cursorTimer || this.closed) return;
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null;
      void this.serial(() => this.writeCursor()).catch((err: Error) => this.o.log?.('error', `spool: cannot write cursor: ${err.message}`));
    }, this.o.cursorMs);
  }

  /** Persist the head atomically, then delete segments wholly below it (retired: their unwritten lines are discarded). */
  private async writeCursor(): Promise<void> {
    const head = this.head();
    if (head !== this.cursorWritten) {
      await writeCursorFile(this.o.dir, head, this.o.fsync);
      this.cursorWritten = head;
    }
    // A segment is finished when the next one starts at or below the head.
    while (this.segments.length > 1 && this.segments[1]!.first <= head) {
      const seg = this.segments.shift()!;
      seg.retired = true;
      await closeSegment(seg);
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
      for (const [s, o] of await compactSegment(seg, live, head, this.o.fsync)) this.relocate(s, o);
      this.s.compactions++;
      dead -= before - seg.bytes;
    }
  }

  /** Read a record that is not in memory, with read-ahead of the records queued after it in its lane. */
  private readBack(f: InFlight): Promise<string> {
    return this.serial(async () => {
      if (f.seq >= this.writer.durableSeq) await this.writer.flushNow();
      if (f.seq >= this.writer.durableSeq) throw new NotDurable();
      const seg = this.segmentOf(f.seq);
      if (!seg) throw new Error('segment gone');
      // Read ahead: following queued records of the same lane in the same segment, up to 1 MiB.
      const ahead: Array<{ seq: number; off: number; size: number }> = [];
      const q = this.queues[f.level]!;
      const budget = this.mem.bytes < this.o.memBytes + 2 * 1024 * 1024 ? Math.min(2048, q.length) : 0;
      for (let i = 0; i < budget; i++) {
        const s = q.seq(i);
        if (s >= this.writer.durableSeq || this.segmentOf(s) !== seg || this.mem.has(s)) break;
        const off = q.off(i);
        const size = q.size(i);
        if (off < f.off || off + size - f.off > 1024 * 1024) break;
        ahead.push({ seq: s, off, size });
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
      for (const a of ahead) this.mem.offer(a.seq, extract(a.off, a.size), 4 * 1024 * 1024);
      this.s.reads++;
      this.s.readRecords += 1 + ahead.length;
      return extract(f.off, f.size);
    });
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

  private async recover(): Promise<void> {
    const dir = this.o.dir;
    const cursor = await readCursor(dir, () => this.o.log?.('warn', 'spool: cursor.json unreadable; redelivering everything in the spool'));
    const r = await recoverSegments(dir, cursor, this.o.memBytes, this.o.log);
    this.segments = r.segments;
    this.nextSeq = r.nextSeq;
    this.s.tornLines = r.tornLines;
    this.s.corruptLines = r.corruptLines;
    const now = Date.now();
    for (const rec of r.records) {
      this.queues[rec.rank]!.push(rec.seq, rec.off, rec.size, now);
      rec.seg.live += rec.size;
      this.liveCount++;
      this.liveBytes += rec.size;
      this.liveByLevel[rec.rank]!++;
      this.s.recovered++;
      if (rec.json !== null) this.mem.offer(rec.seq, rec.json);
    }
    this.writer.durableSeq = this.nextSeq;
    // Appends go to a fresh segment.
    this.rotate();
    this.cursorWritten = -1;
    await this.writeCursor();
    if (this.s.recovered > 0) this.o.log?.('info', `spool: recovered ${this.s.recovered} pending events from ${dir}`);
  }
}
