/**
 * Following the file store's append-only audit log (history.jsonl) by byte offset: each poll
 * reads only what was appended since the last one (at most `maxRead` bytes); a file replaced
 * (rotation: another inode) is read to its end, then the new one from its start; a file that
 * got shorter (truncation) is read again from its start; a torn last line waits for its end.
 * The first poll does not read the whole log: it steps back from the end, a chunk at a time,
 * to the first line older than `since`, and starts there.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { HistoryEntry } from '../../sot/types.js';

export interface TailOptions {
  path: string;
  /** On the first poll, start at the first line recorded before this (ms since epoch); 0: the whole file. */
  since: number;
  /** Bytes read per poll at most (default 4 MiB; the rest comes with the next polls). */
  maxRead?: number;
  /** Step of the backward scan (default 64 KiB). */
  chunk?: number;
  /** Longest line kept (default 1 MiB); longer ones are skipped and counted. */
  maxLine?: number;
}

/** Counters of the tail. */
export interface TailStats { lines: number; bad: number; rotations: number; truncations: number; offset: number; bytesRead: number }

const AT = /"at":"([^"]+)"/;

export class LogTail {
  private fd: FileHandle | null = null;
  private ino = -1;
  private dev = -1;
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);
  private skipping = false;
  private started = false;
  private readonly maxRead: number;
  private readonly chunk: number;
  private readonly maxLine: number;
  readonly counts: TailStats = { lines: 0, bad: 0, rotations: 0, truncations: 0, offset: 0, bytesRead: 0 };

  constructor(private readonly o: TailOptions) {
    this.maxRead = o.maxRead ?? 4 * 1024 * 1024;
    this.chunk = o.chunk ?? 64 * 1024;
    this.maxLine = o.maxLine ?? 1024 * 1024;
  }

  /** The entries appended since the last poll, oldest first. */
  async poll(): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    let st;
    try {
      st = await stat(this.o.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // Rotated away and not replaced yet: finish the old file, then wait for the new one.
      if (this.fd) { await this.readTo(out, Infinity); await this.closeFd(); this.counts.rotations++; }
      return out;
    }
    if (this.fd && (st.ino !== this.ino || st.dev !== this.dev)) {
      await this.readTo(out, Infinity);
      await this.closeFd();
      this.counts.rotations++;
    }
    if (!this.fd) {
      this.fd = await open(this.o.path, 'r');
      const fst = await this.fd.stat();
      this.ino = fst.ino;
      this.dev = fst.dev;
      this.offset = this.started || this.o.since <= 0 ? 0 : await this.startOffset(fst.size);
      this.partial = Buffer.alloc(0);
      this.skipping = false;
      this.mark = Buffer.alloc(0);
      this.started = true;
    }
    await this.readTo(out, this.maxRead);
    return out;
  }

  /** Read from the offset to the end of the open file (at most `limit` bytes). */
  private async readTo(out: HistoryEntry[], limit: number): Promise<void> {
    const fd = this.fd!;
    const size = (await fd.stat()).size;
    if (size < this.offset || !(await this.sameBytes(fd))) {
      this.counts.truncations++;
      this.offset = 0;
      this.partial = Buffer.alloc(0);
      this.skipping = false;
      this.mark = Buffer.alloc(0);
    }
    let left = Math.min(size - this.offset, limit);
    const buf = Buffer.allocUnsafe(Math.min(Math.max(left, 1), 1024 * 1024));
    while (left > 0) {
      const { bytesRead } = await fd.read(buf, 0, Math.min(buf.length, left), this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      this.counts.bytesRead += bytesRead;
      left -= bytesRead;
      this.lines(buf.subarray(0, bytesRead), out);
      this.remember(buf.subarray(0, bytesRead));
    }
    this.counts.offset = this.offset;
  }

  /** The last bytes read (up to 64): a file rewritten in place to the same size or longer shows up as different bytes there. */
  private mark: Buffer = Buffer.alloc(0);

  private remember(data: Buffer): void {
    this.mark = data.length >= 64 ? Buffer.from(data.subarray(data.length - 64)) : Buffer.concat([this.mark, data]).subarray(-64);
  }

  private async sameBytes(fd: FileHandle): Promise<boolean> {
    if (this.offset === 0 || this.mark.length === 0) return true;
    const b = Buffer.alloc(this.mark.length);
    const { bytesRead } = await fd.read(b, 0, b.length, this.offset - b.length);
    return bytesRead === b.length && b.equals(this.mark);
  }

  private lines(data: Buffer, out: HistoryEntry[]): void {
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      const piece = data.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) { this.skipping = false; this.partial = Buffer.alloc(0); continue; }
      const line = this.partial.length ? Buffer.concat([this.partial, piece]) : piece;
      this.partial = Buffer.alloc(0);
      this.entry(line, out);
    }
    if (start < data.length && !this.skipping) {
      this.partial = Buffer.concat([this.partial, data.subarray(start)]);
      if (this.partial.length > this.maxLine) { this.counts.bad++; this.partial = Buffer.alloc(0); this.skipping = true; }
    }
  }

  private entry(line: Buffer, out: HistoryEntry[]): void {
    const s = line.toString('utf8').trim();
    if (!s) return;
    try {
      const e = JSON.parse(s) as HistoryEntry;
      if (e && typeof e === 'object') { out.push(e); this.counts.lines++; return; }
    } catch { /* counted below */ }
    this.counts.bad++;
  }

  /** Offset of a line start at or before the first line recorded before `since` (0 if none is older). */
  private async startOffset(size: number): Promise<number> {
    const fd = this.fd!;
    const buf = Buffer.allocUnsafe(this.chunk);
    let end = size;
    while (end > 0) {
      const from = Math.max(0, end - this.chunk);
      const { bytesRead } = await fd.read(buf, 0, end - from, from);
      const data = buf.subarray(0, bytesRead);
      // Line starts in this chunk, earliest first; the first one whose time is readable decides.
      for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, nl + 1)) {
        const at = AT.exec(data.subarray(nl + 1, Math.min(data.length, nl + 1 + 512)).toString('utf8'))?.[1];
        if (!at) continue;
        const t = Date.parse(at);
        if (Number.isFinite(t) && t < this.o.since) return from + nl + 1;
        break;
      }
      end = from;
    }
    return 0;
  }

  private async closeFd(): Promise<void> {
    const fd = this.fd;
    this.fd = null;
    this.partial = Buffer.alloc(0);
    await fd?.close();
  }

  /** Close the file. */
  async close(): Promise<void> { await this.closeFd(); }
}
