/**
 * The spool's admission and drop policy, a pure function.
 *
 * Pending bounds (`maxBytes`/`maxEvents`, soft): when an append would exceed them the oldest
 * pending `info` events are dropped, then the oldest `warning` events; an event never pushes out
 * an event more severe than itself, and in-flight events are never candidates. If that is not
 * enough, a `critical` event is still accepted up to `hardBytes`/`hardEvents`; any other event is
 * refused. Beyond the hard bound even a critical event is refused (`spool_hard_full`).
 *
 * Bytes not yet on disk (the write buffer) are bounded per level, so the lower lanes are shed
 * first when the disk falls behind: info is refused above half of `maxUnwrittenBytes`, warning
 * above it, critical only above `hardUnwrittenBytes`. The reason names the cause: the disk
 * refusing writes (`spool_io_error`) or merely being slower than the input (`write_buffer_full`).
 */
import type { DropReason } from './levels.js';

/** What the policy looks at. */
export interface Room {
  liveBytes: number;
  liveCount: number;
  /** Queued (not in flight) events and bytes per lane (index = rank). */
  laneCount: readonly number[];
  laneBytes: readonly number[];
  /** Size of the i-th oldest queued record of a lane. */
  oldestSize: (lane: number, i: number) => number;
  maxBytes: number;
  maxEvents: number;
  hardBytes: number;
  hardEvents: number;
  unwrittenBytes: number;
  maxUnwrittenBytes: number;
  hardUnwrittenBytes: number;
  /** The last write failed (the disk refuses). */
  ioFailing: boolean;
  closed: boolean;
}

/** The decision for one append. */
export type Verdict =
  | { accept: true; /** Oldest records to drop per lane first. */ evict: number[]; /** Accepted above the soft bound. */ overSoft: boolean }
  | { accept: false; reason: DropReason };

/** Decide whether an event of `rank` and `size` bytes is kept, and what it pushes out. */
export function admit(rank: number, size: number, r: Room): Verdict {
  if (r.closed) return { accept: false, reason: 'spool_closed' };
  const unwrittenLimit = rank >= 2 ? r.hardUnwrittenBytes : rank === 1 ? r.maxUnwrittenBytes : r.maxUnwrittenBytes / 2;
  if (r.unwrittenBytes + size > unwrittenLimit) return { accept: false, reason: r.ioFailing ? 'spool_io_error' : 'write_buffer_full' };

  let bytes = r.liveBytes + size;
  let count = r.liveCount + 1;
  const over = () => bytes > r.maxBytes || count > r.maxEvents;
  const evict = [0, 0, 0];
  if (!over()) return { accept: true, evict, overSoft: false };
  // Lanes it may push out: info for info; info, then warning for warning and critical.
  const lanes = rank === 0 ? [0] : [0, 1];
  if (rank < 2) {
    let b = bytes;
    let c = count;
    for (const l of lanes) {
      b -= r.laneBytes[l]!;
      c -= r.laneCount[l]!;
    }
    if (b > r.maxBytes || c > r.maxEvents) return { accept: false, reason: 'spool_full' };
  }
  for (const l of lanes) {
    while (over() && evict[l]! < r.laneCount[l]!) {
      bytes -= r.oldestSize(l, evict[l]!);
      count--;
      evict[l]!++;
    }
  }
  if (!over()) return { accept: true, evict, overSoft: false };
  if (rank < 2) return { accept: false, reason: 'spool_full' };
  if (bytes > r.hardBytes || count > r.hardEvents) return { accept: false, reason: 'spool_hard_full' };
  return { accept: true, evict, overSoft: true };
}
