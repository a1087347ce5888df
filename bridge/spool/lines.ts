/**
 * The segment file format: `seg-<first seq, 16 digits>.log`, JSON lines, either a record
 * `{"seq":N,"event":{…}}` or a tombstone `{"drop":N,"reason":"…"}`.
 */

/** Segment file names. */
export const SEG_RE = /^seg-(\d{16})\.log$/;

/** The file name of the segment starting at `first`. */
export function segName(first: number): string {
  return `seg-${String(first).padStart(16, '0')}.log`;
}

/** A record line for event JSON. */
export function recordLine(seq: number, json: string): string {
  return `{"seq":${seq},"event":${json}}\n`;
}

/** A tombstone line. */
export function tombLine(seq: number, reason: string): string {
  return `{"drop":${seq},"reason":"${reason}"}\n`;
}

/** The event JSON inside a record line `{"seq":N,"event":…}` (with or without its newline). */
export function eventJson(line: string): string {
  const i = line.indexOf(',"event":');
  const end = line.endsWith('\n') ? line.length - 2 : line.length - 1;
  return line.slice(i + 9, end);
}

/** A parsed segment line: record, tombstone, or null when unreadable. */
export type Line = { seq: number; level: string; json: string } | { drop: number } | null;

/** Parse one segment line (without its newline). */
export function parseLine(text: string): Line {
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
