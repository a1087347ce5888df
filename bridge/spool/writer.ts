/**
 * fsync batching: lines appended to segments are collected and written every `flushMs`, one
 * write (+ one fdatasync) per segment per batch. The newest segment keeps its handle open; a
 * finished segment's handle is closed and forgotten. Lines of a segment that was retired (every
 * record in it finished) before they reached the disk are discarded, not retried against a
 * closed handle; a handle found closed is reopened once. When the disk refuses, the batch stays
 * in memory and is retried every second (`ioFailing` until a write succeeds).
 */
import { promises as fsp } from 'node:fs';

/** One segment file. */
export interface Segment {
  first: number;
  path: string;
  /** Logical size, including lines not yet written. */
  bytes: number;
  /** Bytes written (and fsynced when fsync is on). */
  durable: number;
  /** Bytes of pending records in this segment. */
  live: number;
  fd: fsp.FileHandle | null;
  /** Deleted: every record in it is finished. */
  retired: boolean;
}

/** A new, empty segment. */
export function newSegment(first: number, path: string): Segment {
  return { first, path, bytes: 0, durable: 0, live: 0, fd: null, retired: false };
}

interface Group {
  seg: Segment;
  chunks: string[];
  bytes: number;
  /** Highest record seq in the group + 1 (0 when only tombstones). */
  seqEnd: number;
}

/** Writer settings and hooks. */
export interface WriterOptions {
  flushMs: number;
  fsync: boolean;
  /** Run disk work one piece at a time (shared with the spool's other disk work). */
  serial: <T>(fn: () => Promise<T>) => Promise<T>;
  isClosed: () => boolean;
  /** The newest segment (its handle stays open). */
  active: () => Segment;
  loud: (msg: string) => void;
  /** After each successful batch. */
  afterFlush: () => Promise<void>;
}

/** Collects appended lines and writes them in batches. */
export class BatchWriter {
  private unwritten: Group[] = [];
  /** Bytes appended, not yet on disk. */
  unwrittenBytes = 0;
  /** Every record below this seq is on disk (or finished). */
  durableSeq = 0;
  /** The last write failed. */
  ioFailing = false;
  writeErrors = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: WriterOptions) {}

  /** Queue a line for `seg`; `seqEnd` = record seq + 1 (0 for a tombstone). */
  append(seg: Segment, line: string, size: number, seqEnd: number): void {
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
    this.schedule(this.o.flushMs);
  }

  /** Stop the batch timer (close). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Write every queued batch now (call inside `serial`). */
  async flushNow(): Promise<void> {
    // Take the batch: appends made while it is being written start a new one.
    const groups = this.unwritten;
    this.unwritten = [];
    while (groups.length > 0) {
      const g = groups[0]!;
      if (!g.seg.retired) {
        try {
          await this.writeGroup(g);
        } catch (err) {
          this.writeErrors++;
          this.ioFailing = true;
          this.o.loud(`spool: cannot write ${g.seg.path}: ${(err as Error).message}; keeping ${this.unwrittenBytes} bytes in memory and retrying`);
          await g.seg.fd?.truncate(g.seg.durable).catch(() => undefined);
          this.unwritten = [...groups, ...this.unwritten];
          this.schedule(1000);
          return;
        }
      }
      groups.shift();
      this.unwrittenBytes -= g.bytes;
      if (g.seqEnd > this.durableSeq) this.durableSeq = g.seqEnd;
      if (g.seg !== this.o.active()) await closeSegment(g.seg);
    }
    this.ioFailing = false;
    await this.o.afterFlush();
  }

  private async writeGroup(g: Group): Promise<void> {
    const data = Buffer.from(g.chunks.join(''));
    for (let attempt = 0; ; attempt++) {
      try {
        if (!g.seg.fd) g.seg.fd = await fsp.open(g.seg.path, 'a');
        await g.seg.fd.write(data);
        if (this.o.fsync) await g.seg.fd.datasync();
        g.seg.durable += data.length;
        return;
      } catch (err) {
        // A handle closed under us (EBADF, "file closed"): reopen once.
        const code = (err as NodeJS.ErrnoException).code;
        if (attempt === 0 && (code === 'EBADF' || code === 'ERR_INVALID_STATE' || /closed/i.test((err as Error).message))) {
          g.seg.fd = null;
          continue;
        }
        throw err;
      }
    }
  }

  private schedule(ms: number): void {
    if (this.timer || this.o.isClosed()) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.o.serial(() => this.flushNow()).catch(() => undefined);
    }, ms);
  }
}

/** Close a segment's handle and forget it. */
export async function closeSegment(seg: Segment): Promise<void> {
  const fd = seg.fd;
  seg.fd = null;
  await fd?.close().catch(() => undefined);
}
