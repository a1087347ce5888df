/**
 * Disk spill for the UDP receiver thread: when its raw queue is full (the processor thread far
 * behind), datagrams are written here instead of being dropped, and handed to the processor,
 * oldest file first, once the queue has room again: those that may be critical
 * (bridge/screen.ts) past twice the raw bound, up to `maxBytes`; the others past the bound, up to
 * `maxBytes * SPILL_BULK_SHARE` (the rest of the room is kept for those that may be critical). A file is written whole (temporary name, then renamed), so a crash never
 * leaves half a file to replay; files left by a previous run are replayed first (their receipt
 * times are kept, so the event ids are the ones they would have had). Bounded by `maxBytes` on
 * disk; past it the receiver drops and counts as before (`critical_hard_full`).
 *
 * The receiver thread must never wait for the disk (while it waits, the kernel drops): full chunks
 * are written and files read back on libuv's thread pool, one write at a time and in order; a
 * chunk whose write fails is lost, counted (`lost`) and reported to `onError`.
 *
 * File `spill-<seq>-<datagrams>.bin` (the count in the name, so a start reads no file), per
 * datagram: u32 length, u32 original length, f64 receipt time (ms), u8 address length, the address
 * (ASCII), the bytes.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Datagrams read back from one file, in the receiver's batch layout. */
export interface SpilledBatch {
  data: ArrayBuffer;
  lens: number[];
  orig: number[];
  ips: string[];
  times: number[];
}

/** Spill counters. */
export interface SpillStats {
  /** Datagrams written to the spill (cumulative). */
  spilled: number;
  /** Datagrams read back and handed on (cumulative). */
  replayed: number;
  /** Bytes waiting in the spill (files and the chunk not written yet). */
  bytes: number;
  /** Files waiting. */
  files: number;
  /** Datagrams found in files of a previous run (replayed first). */
  recovered: number;
  /** Of the spilled, datagrams that cannot be critical (cumulative). */
  bulk: number;
  /** Datagrams lost because their chunk could not be written (cumulative). */
  lost: number;
}

const HEAD = 4 + 4 + 8 + 1;

/** A spilled file could not be read back: its datagrams are lost (`lost` of them). */
export class SpillReadError extends Error {
  constructor(
    message: string,
    readonly lost: number,
  ) {
    super(message);
  }
}

/** The share of the spill's bound that datagrams which cannot be critical may fill. */
export const SPILL_BULK_SHARE = 0.5;
const NAME = /^spill-(\d{12})-(\d+)\.bin$/;

export class UdpSpill {
  private readonly files: Array<{ name: string; bytes: number }> = [];
  private chunk: Buffer;
  private used = 0;
  /** Datagrams in the chunk. */
  private count = 0;
  private next = 0;
  private diskBytes = 0;
  readonly stats: SpillStats = { spilled: 0, replayed: 0, bytes: 0, files: 0, recovered: 0, bulk: 0, lost: 0 };
  /** Chunks being written (bytes, count): they count against the bound. */
  private writingBytes = 0;
  private writingFiles = 0;
  private writes: Promise<void> = Promise.resolve();
  /** A write failed: later chunks are refused too (`add` returns false). */
  broken = false;

  /** `dir` is created; files a previous run left there are queued for replay. */
  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly chunkBytes = 1024 * 1024,
    private readonly onError: (err: Error, lost: number) => void = () => undefined,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir).sort()) {
      const m = NAME.exec(name);
      if (!m) {
        if (name.endsWith('.tmp')) rmSync(join(dir, name), { force: true }); // never renamed: not a whole file
        continue;
      }
      const bytes = statSync(join(dir, name)).size;
      this.files.push({ name, bytes });
      this.diskBytes += bytes;
      this.stats.recovered += Number(m[2]);
      this.next = Math.max(this.next, Number(m[1]) + 1);
    }
    this.chunk = Buffer.allocUnsafe(chunkBytes);
    this.refresh();
  }

  /**
   * Spill one datagram (bytes already cut to the frame limit); false when the spill is full. A
   * `bulk` datagram (cannot be critical) is refused past SPILL_BULK_SHARE of the bound.
   */
  add(data: Uint8Array, orig: number, ip: string, at: number, bulk = false): boolean {
    const size = HEAD + ip.length + data.length;
    if (this.broken || this.diskBytes + this.writingBytes + this.used + size > (bulk ? this.maxBytes * SPILL_BULK_SHARE : this.maxBytes)) return false;
    if (this.used + size > this.chunk.length) {
      this.writeChunk();
      if (size > this.chunk.length) this.chunk = Buffer.allocUnsafe(size);
    }
    const b = this.chunk;
    let o = this.used;
    o = b.writeUInt32LE(data.length, o);
    o = b.writeUInt32LE(orig, o);
    o = b.writeDoubleLE(at, o);
    o = b.writeUInt8(ip.length, o);
    o += b.write(ip, o, 'latin1');
    b.set(data, o);
    this.used = o + data.length;
    this.count++;
    this.stats.spilled++;
    if (bulk) this.stats.bulk++;
    this.refresh();
    return true;
  }

  /** The chunk gathered so far, named as its file, handed over; a new chunk starts. */
  private takeChunk(): { name: string; data: Buffer; count: number } {
    const out = { name: `spill-${String(this.next++).padStart(12, '0')}-${this.count}.bin`, data: this.chunk.subarray(0, this.used), count: this.count };
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
    this.used = 0;
    this.count = 0;
    return out;
  }

  /** Write the full chunk in the background (in order after earlier ones) and start a new one. */
  private writeChunk(): void {
    if (this.used === 0) return;
    const { name, data, count } = this.takeChunk();
    this.writingBytes += data.length;
    this.writingFiles++;
    this.writes = this.writes.then(async () => {
      const tmp = join(this.dir, `${name}.tmp`);
      try {
        await writeFile(tmp, data);
        await rename(tmp, join(this.dir, name));
        this.files.push({ name, bytes: data.length });
        this.diskBytes += data.length;
      } catch (err) {
        this.broken = true;
        this.stats.lost += count;
        await rm(tmp, { force: true }).catch(() => undefined);
        try {
          this.onError(err as Error, count);
        } catch {
          // the report must not stop the chain of writes
        }
      } finally {
        this.writingBytes -= data.length;
        this.writingFiles--;
        this.refresh();
      }
    });
    this.refresh();
  }

  /** Resolves once the chunks handed to the background are written (or lost). */
  settle(): Promise<void> {
    return this.writes;
  }

  /** Write the chunk gathered so far as one file, now (at close, after `settle`; throws what the disk says). */
  flush(): void {
    if (this.used === 0) return;
    const { name, data } = this.takeChunk();
    const tmp = join(this.dir, `${name}.tmp`);
    writeFileSync(tmp, data);
    renameSync(tmp, join(this.dir, name));
    this.files.push({ name, bytes: data.length });
    this.diskBytes += data.length;
    this.refresh();
  }

  /** Anything waiting (on disk, being written, or in the chunk). */
  get waiting(): boolean {
    return this.files.length > 0 || this.writingFiles > 0 || this.used > 0;
  }

  /**
   * The oldest spilled datagrams: the oldest file (read in the background, then removed), else the
   * chunk not written yet; null when nothing is waiting, or while the oldest is still being
   * written (ask again later). One call at a time.
   */
  async take(): Promise<SpilledBatch | null> {
    if (this.files.length === 0) {
      // a chunk on its way to the disk is older than the one being filled
      if (this.writingFiles > 0) return null;
      // nothing on disk: the chunk is read where it is
      if (this.used === 0) return null;
      const out = parseRecords(this.chunk.subarray(0, this.used));
      this.used = 0;
      this.count = 0;
      this.stats.replayed += out.lens.length;
      this.refresh();
      return out;
    }
    // taken off the list first: a file that cannot be read is given up, not retried forever
    const f = this.files.shift()!;
    this.diskBytes -= f.bytes;
    this.refresh();
    const path = join(this.dir, f.name);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (err) {
      const lost = Number(NAME.exec(f.name)?.[2] ?? 0);
      this.stats.lost += lost;
      await rm(path, { force: true }).catch(() => undefined);
      throw new SpillReadError(`${f.name}: ${(err as Error).message}`, lost);
    }
    // a file that cannot be removed is replayed again at the next start (ids are stable: at least once)
    await rm(path, { force: true }).catch(() => undefined);
    const out = parseRecords(buf);
    this.stats.replayed += out.lens.length;
    return out;
  }

  private refresh(): void {
    this.stats.bytes = this.diskBytes + this.writingBytes + this.used;
    this.stats.files = this.files.length + this.writingFiles;
  }
}

/** The records of one file; a record cut short at the end (not possible for a renamed file) is ignored. */
export function parseRecords(buf: Buffer): SpilledBatch {
  const lens: number[] = [];
  const orig: number[] = [];
  const ips: string[] = [];
  const times: number[] = [];
  const parts: Buffer[] = [];
  let o = 0;
  while (o + HEAD <= buf.length) {
    const len = buf.readUInt32LE(o);
    const og = buf.readUInt32LE(o + 4);
    const at = buf.readDoubleLE(o + 8);
    const ipLen = buf.readUInt8(o + 16);
    const start = o + HEAD + ipLen;
    if (start + len > buf.length) break;
    ips.push(buf.toString('latin1', o + HEAD, start));
    parts.push(buf.subarray(start, start + len));
    lens.push(len);
    orig.push(og);
    times.push(at);
    o = start + len;
  }
  const joined = Buffer.concat(parts);
  const data = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length) as ArrayBuffer;
  return { data, lens, orig, ips, times };
}
