/**
 * Syslog stream framing (RFC 6587): octet counting (`MSG-LEN SP SYSLOG-MSG`, also RFC 5425
 * for TLS) and non-transparent framing (messages end with LF), detected frame by frame, so a
 * connection may switch between them. Memory per connection is bounded by `maxFrame`.
 */

/** One syslog message cut out of a stream. */
export interface Frame {
  /** The message bytes without framing (no length prefix, no trailing CR/LF/NUL). */
  data: Buffer;
  /** True when the message was longer than maxFrame and its tail was discarded. */
  truncated: boolean;
  /** Original length in bytes (known for octet counting; for LF framing, bytes seen up to the LF). */
  length: number;
}

/** Default cap on one message: 64 KiB. */
export const DEFAULT_MAX_FRAME = 64 * 1024;

/**
 * The longest octet count believed for a given maxFrame: 16 times it, at least 1 MiB. A longer
 * claim (`999999999 `) is not a message but a broken or hostile stream: skipping it would swallow
 * everything after it, so the decoder stops and the connection is closed (and counted).
 */
export function maxOctetCount(maxFrame: number): number {
  return Math.max(1024 * 1024, 16 * maxFrame);
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SP = 0x20;
const MAX_LEN_DIGITS = 9;

type Mode =
  | { kind: 'start' }
  | { kind: 'octets'; remaining: number; total: number }
  | { kind: 'line' }
  | { kind: 'skip-octets'; remaining: number; total: number }
  | { kind: 'skip-line'; seen: number };

/**
 * Incremental decoder for one TCP/TLS connection: feed chunks with `push`, collect frames.
 * A frame starting with `[1-9][0-9]{0,8} SP` is octet-counted; anything else runs to the next LF
 * (so a TLS peer that sends LF framing despite RFC 5425 is still understood).
 * Oversize frames are truncated to `maxFrame` bytes (and flagged); the rest is skipped.
 */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private mode: Mode = { kind: 'start' };
  private readonly parts: Buffer[] = [];
  private partsLen = 0;
  /** Why the stream cannot be decoded any further (an absurd octet count); null while it can. */
  error: string | null = null;

  constructor(readonly maxFrame = DEFAULT_MAX_FRAME) {}

  /** Bytes held for an unfinished frame (bounded by maxFrame plus one length prefix). */
  get buffered(): number {
    return this.buf.length + this.partsLen;
  }

  /** Feed a chunk; returns the frames it completed. */
  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    if (this.error !== null) return out;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let pos = 0;
    for (;;) {
      const m = this.mode;
      if (m.kind === 'start') {
        while (pos < this.buf.length && isGap(this.buf[pos]!)) pos++;
        if (pos >= this.buf.length) break;
        const detected = this.detect(pos);
        if (detected === 'need-more') break;
        if (detected === 'line') {
          this.mode = { kind: 'line' };
          continue;
        }
        if (detected.len > maxOctetCount(this.maxFrame)) {
          this.error = `octet count ${detected.len} is longer than any message (at most ${maxOctetCount(this.maxFrame)})`;
          this.buf = Buffer.alloc(0);
          return out;
        }
        pos = detected.next;
        this.mode =
          detected.len > this.maxFrame
            ? { kind: 'octets', remaining: this.maxFrame, total: detected.len }
            : { kind: 'octets', remaining: detected.len, total: detected.len };
        continue;
      }
      if (m.kind === 'octets') {
        const take = Math.min(m.remaining, this.buf.length - pos);
        if (take > 0) this.addPart(this.buf.subarray(pos, pos + take));
        pos += take;
        m.remaining -= take;
        if (m.remaining > 0) break;
        const truncated = m.total > this.maxFrame;
        out.push({ data: trimEnd(this.takeParts()), truncated, length: m.total });
        this.mode = truncated ? { kind: 'skip-octets', remaining: m.total - this.maxFrame, total: m.total } : { kind: 'start' };
        continue;
      }
      if (m.kind === 'skip-octets') {
        const take = Math.min(m.remaining, this.buf.length - pos);
        pos += take;
        m.remaining -= take;
        if (m.remaining > 0) break;
        this.mode = { kind: 'start' };
        continue;
      }
      if (m.kind === 'line') {
        const lf = this.buf.indexOf(LF, pos);
        const end = lf < 0 ? this.buf.length : lf;
        const room = this.maxFrame - this.partsLen;
        if (end - pos > room) {
          // Oversize line: keep maxFrame bytes, emit them flagged, skip to the next LF.
          this.addPart(this.buf.subarray(pos, pos + room));
          const seen = this.partsLen + (end - pos - room);
          out.push({ data: trimEnd(this.takeParts()), truncated: true, length: seen });
          if (lf < 0) {
            this.mode = { kind: 'skip-line', seen };
            pos = this.buf.length;
            break;
          }
          pos = lf + 1;
          this.mode = { kind: 'start' };
          continue;
        }
        this.addPart(this.buf.subarray(pos, end));
        if (lf < 0) {
          pos = this.buf.length;
          break;
        }
        pos = lf + 1;
        const data = this.takeParts();
        out.push({ data: trimEnd(data), truncated: false, length: data.length });
        this.mode = { kind: 'start' };
        continue;
      }
      // skip-line
      const lf = this.buf.indexOf(LF, pos);
      if (lf < 0) {
        pos = this.buf.length;
        break;
      }
      pos = lf + 1;
      this.mode = { kind: 'start' };
    }
    // Keep only unread bytes and pending parts, copied, so the caller's chunk can be released.
    this.buf = pos >= this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(pos));
    if (this.parts.length > 0) {
      const pending = Buffer.concat(this.parts, this.partsLen);
      this.parts.length = 0;
      this.parts.push(pending);
    }
    return out;
  }

  /** The connection closed: an unterminated LF-framed message is still a message. */
  end(): Frame[] {
    const out: Frame[] = [];
    if (this.mode.kind === 'line' && this.partsLen > 0) {
      const data = this.takeParts();
      out.push({ data: trimEnd(data), truncated: false, length: data.length });
    } else if (this.mode.kind === 'start' && this.buf.length > 0) {
      // Only digits were waiting for a length prefix that never came: a bare line.
      out.push({ data: trimEnd(this.buf), truncated: false, length: this.buf.length });
    } else if (this.mode.kind === 'octets' && this.partsLen > 0) {
      // Stream ended inside an octet-counted frame: deliver what arrived, flagged.
      out.push({ data: trimEnd(this.takeParts()), truncated: true, length: this.mode.total });
    }
    this.buf = Buffer.alloc(0);
    this.parts.length = 0;
    this.partsLen = 0;
    this.mode = { kind: 'start' };
    return out.filter((f) => f.data.length > 0);
  }

  /** Octet counting when the frame starts with `[1-9][0-9]{0,8} SP`; else LF framing. */
  private detect(pos: number): { len: number; next: number } | 'line' | 'need-more' {
    const b = this.buf;
    const first = b[pos]!;
    if (first < 0x31 || first > 0x39) return 'line';
    let i = pos;
    let len = 0;
    while (i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39) {
      len = len * 10 + (b[i]! - 0x30);
      i++;
      if (i - pos > MAX_LEN_DIGITS) return 'line';
    }
    if (i >= b.length) return 'need-more';
    if (b[i] !== SP) return 'line';
    return { len, next: i + 1 };
  }

  private addPart(p: Buffer): void {
    if (p.length === 0) return;
    this.parts.push(p);
    this.partsLen += p.length;
  }

  private takeParts(): Buffer {
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLen);
    this.parts.length = 0;
    this.partsLen = 0;
    return data;
  }
}

/** Bytes between frames that carry nothing (stray CR/LF/NUL after an octet-counted frame). */
function isGap(c: number): boolean {
  return c === LF || c === CR || c === NUL;
}

/** Strip trailing CR, LF and NUL (some senders end frames with them). */
export function trimEnd(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && isGap(b[end - 1]!)) end--;
  return end === b.length ? b : b.subarray(0, end);
}

/** One UDP datagram is one message (RFC 5426); cap it and strip trailing line ends. */
export function datagramFrame(msg: Buffer, maxFrame = DEFAULT_MAX_FRAME): Frame {
  const truncated = msg.length > maxFrame;
  return { data: trimEnd(truncated ? msg.subarray(0, maxFrame) : msg), truncated, length: msg.length };
}
