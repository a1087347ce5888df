/**
 * The lane scheduler, a pure function: which lane (0 info, 1 warning, 2 critical) the next
 * delivery slot serves. Strict priority, critical first, except that every lower lane that has
 * events waiting earns its guaranteed share per pick (default warning 10 %, info 5 %) and is
 * served once its credit reaches one pick, so a lower lane is never starved by a flood above it.
 * Credit is only earned while a lane is waiting (no banking while it is empty).
 */

/** Guaranteed shares of the lower lanes (index = lane; the critical entry is unused). */
export type Shares = readonly [info: number, warning: number, critical: number];

/** Default shares: warning at least 1 pick in 10, info 1 in 20 while they wait. */
export const DEFAULT_SHARES: Shares = [0.05, 0.1, 0];

/** Scheduler state carried from one pick to the next (credit in thousandths of a pick). */
export interface LaneState {
  credit: readonly [number, number, number];
}

/** A fresh scheduler state. */
export const initialLaneState: LaneState = { credit: [0, 0, 0] };

/** Pick the lane to serve among those with waiting events; lane -1 when all are empty. */
export function pickLane(waiting: readonly boolean[], state: LaneState, shares: Shares = DEFAULT_SHARES): { lane: number; state: LaneState } {
  const credit = [0, 0, 0];
  for (let l = 0; l < 2; l++) credit[l] = waiting[l] ? state.credit[l]! + Math.round(shares[l]! * 1000) : 0;
  let lane = -1;
  // A lower lane whose guaranteed share is due goes first (warning before info).
  for (const l of [1, 0]) {
    if (waiting[l] && credit[l]! >= 1000 && lane < 0) lane = l;
  }
  if (lane < 0) {
    for (let l = 2; l >= 0; l--) {
      if (waiting[l]) {
        lane = l;
        break;
      }
    }
  }
  if (lane >= 0 && lane < 2) credit[lane] = Math.max(0, credit[lane]! - 1000);
  return { lane, state: { credit: [credit[0]!, credit[1]!, 0] } };
}
