/**
 * Compaction: rewrite a segment keeping only the records still pending (and tombstones that may
 * still matter), through a temp file and a rename. Returns the new offset of each kept record.
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { syncDir, writeAtomic } from './files.js';
import type { Segment } from './writer.js';

/** Rewrite `seg` keeping records in `live` and tombstones of seqs in [head, seg.first); new offsets by seq. */
export async function compactSegment(seg: Segment, live: Set<number>, head: number, fsync: boolean): Promise<Array<[number, number]>> {
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
  await writeAtomic(seg.path, out.join(''), fsync);
  if (fsync) await syncDir(dirname(seg.path));
  seg.bytes = seg.durable = off;
  return offs;
}
