/**
 * Recovery: read the segments in order, cut a torn last line (crash mid-write), skip records
 * below the cursor and tombstoned ones, and return the rest in seq order with their lane.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { rankOf } from './levels.js';
import { SEG_RE, parseLine } from './lines.js';
import { newSegment, type Segment } from './writer.js';

/** A pending record found on disk. */
export interface RecoveredRecord {
  seq: number;
  rank: number;
  off: number;
  size: number;
  seg: Segment;
  /** The payload when it fits the memory budget, else null (read back later). */
  json: string | null;
}

/** What recovery found. */
export interface Recovered {
  segments: Segment[];
  records: RecoveredRecord[];
  /** First seq for new appends. */
  nextSeq: number;
  tornLines: number;
  corruptLines: number;
}

/** Scan `dir` (cursor already read) keeping payloads in memory up to `memBytes` characters. */
export async function recoverSegments(dir: string, cursor: number, memBytes: number, log?: (level: 'warn', msg: string) => void): Promise<Recovered> {
  const all = await fsp.readdir(dir);
  for (const n of all.filter((n) => n.endsWith('.log.tmp'))) await fsp.rm(join(dir, n), { force: true });
  const names = all.filter((n) => SEG_RE.test(n)).sort();
  const out: Recovered = { segments: [], records: [], nextSeq: cursor, tornLines: 0, corruptLines: 0 };
  let lastSeq = -1;
  const dropped = new Set<number>();
  const recs: RecoveredRecord[] = [];
  let keepJson = 0;
  for (const name of names) {
    const path = join(dir, name);
    const seg = newSegment(Number(SEG_RE.exec(name)![1]), path);
    const buf = await fsp.readFile(path);
    let off = 0;
    while (off < buf.length) {
      const nl = buf.indexOf(0x0a, off);
      if (nl < 0) {
        out.tornLines++;
        log?.('warn', `spool: ${name}: cutting a torn last line (${buf.length - off} bytes)`);
        await fsp.truncate(path, off);
        break;
      }
      const size = nl + 1 - off;
      const parsed = parseLine(buf.toString('utf8', off, nl));
      if (!parsed) {
        out.corruptLines++;
        log?.('warn', `spool: ${name}: skipping an unreadable line at byte ${off}`);
      } else if ('drop' in parsed) {
        dropped.add(parsed.drop);
      } else if (parsed.seq > lastSeq) {
        lastSeq = parsed.seq;
        if (parsed.seq >= cursor) {
          const keep = keepJson + parsed.json.length <= memBytes;
          if (keep) keepJson += parsed.json.length;
          recs.push({ seq: parsed.seq, rank: rankOf(parsed.level), off, size, seg, json: keep ? parsed.json : null });
        }
      } else {
        out.corruptLines++;
      }
      off = nl + 1;
    }
    seg.bytes = seg.durable = off;
    out.segments.push(seg);
  }
  out.nextSeq = Math.max(cursor, lastSeq + 1);
  out.records = recs.filter((r) => !dropped.has(r.seq));
  return out;
}
