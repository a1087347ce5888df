/**
 * Events whose costly parts are filled in only when something needs them. The UDP processor
 * thread classifies every datagram, but most events are then damped or fall outside the forward
 * set: their id (a SHA-1), yang document and message details would be built only to be thrown
 * away. A deferred event has those fields as placeholders ('', {} and a marker object holding
 * the filler) in their usual places, so its key order, hence its JSON, is the full event's, until
 * `completeEvent` fills them in; every other field is final. Whoever copies, serialises or reads
 * a deferred field calls `completeEvent` first (bridge/pipeline.ts, bridge/damping.ts); for a
 * full event it does nothing. The filler rides in the placeholder itself rather than in a
 * WeakMap: a WeakMap of every classified event made the thread's GC slower than the work saved.
 */
import type { DeviceEvent } from './event.js';

const FILL = Symbol('netops.fill');

type Filler = (ev: DeviceEvent) => void;

/** The fields a deferred event holds as placeholders. */
export const DEFERRED_FIELDS: ReadonlySet<string> = new Set(['id', 'yang_message', 'message_details']);

/** The placeholder for message_details of a deferred event; `fill` must replace it (and id, yang_message). */
export function deferredDetails(fill: Filler): Record<string, unknown> {
  return { [FILL]: fill };
}

const fillerOf = (ev: DeviceEvent): Filler | undefined => (ev.message_details as { [FILL]?: Filler } | null)?.[FILL];

/** The event with its deferred fields filled in (the same object). */
export function completeEvent(ev: DeviceEvent): DeviceEvent {
  const fill = fillerOf(ev);
  if (fill !== undefined) fill(ev);
  return ev;
}

/** True while `ev` still holds placeholders. */
export function isDeferred(ev: DeviceEvent): boolean {
  return fillerOf(ev) !== undefined;
}
