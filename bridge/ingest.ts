/**
 * One received frame → the event the bridge goes on with, or nothing (counted): classify,
 * mark truncation, skip unknown messages unless they are forwarded, neutralise device text.
 * The same step runs in the UDP receiver thread (bridge/ingest-worker.ts) and on the main thread
 * for TCP/TLS frames, with the same counters.
 */
import { completeEvent } from './deferred.js';
import type { DeviceEvent } from './event.js';
import type { Frame } from './framing.js';
import { neutraliseEvent, neutralisedJson } from './neutralise.js';
import type { Classifier } from './parse.js';

/** What ingesting counted (cumulative). */
export interface IngestCounters {
  parsed: number;
  unknown: number;
  unknownForwarded: number;
  /** Unknown messages not forwarded (--forward-unknown off). */
  unknownSkipped: number;
  /** The classifier threw (it should not): the message is dropped and counted. */
  parseExceptions: number;
}

export const zeroCounters = (): IngestCounters => ({ parsed: 0, unknown: 0, unknownForwarded: 0, unknownSkipped: 0, parseExceptions: 0 });

/** Add b's counts into a. */
export function addCounters(a: IngestCounters, b: IngestCounters): void {
  for (const k of Object.keys(a) as Array<keyof IngestCounters>) a[k] += b[k];
}

/** Classify one frame; null when it goes no further (counted in `c`). */
export function ingestFrame(classifier: Classifier, frame: Frame, ip: string, receivedAt: number, forwardUnknown: boolean, c: IngestCounters): DeviceEvent | null {
  const ev = classifyFrame(classifier, frame, ip, receivedAt, forwardUnknown, c);
  return ev ? neutraliseEvent(ev) : null;
}

/** The same, the neutralised event as JSON text (the UDP processor thread hands that on). */
export function ingestFrameJson(classifier: Classifier, frame: Frame, ip: string, receivedAt: number, forwardUnknown: boolean, c: IngestCounters): { event: DeviceEvent; json: string } | null {
  const ev = classifyFrame(classifier, frame, ip, receivedAt, forwardUnknown, c);
  return ev ? neutralisedJson(ev) : null;
}

/**
 * Classify one frame, not neutralised yet; null when it goes no further (counted in `c`). With
 * `defer`, the event's costly parts wait for `completeEvent` (bridge/deferred.ts).
 */
export function classifyFrame(classifier: Classifier, frame: Frame, ip: string, receivedAt: number, forwardUnknown: boolean, c: IngestCounters, defer = false): DeviceEvent | null {
  let ev: DeviceEvent;
  try {
    const text = frame.data.toString('utf8');
    ev = defer ? classifier.parseDeferred(text, ip, receivedAt / 1000) : classifier.parse(text, ip, receivedAt / 1000);
  } catch {
    c.parseExceptions++;
    return null;
  }
  if (frame.truncated) ev.message_details = { ...completeEvent(ev).message_details, truncated: true, original_length: frame.length };
  if (ev.error === null) {
    c.unknown++;
    if (!forwardUnknown) {
      c.unknownSkipped++;
      return null;
    }
    c.unknownForwarded++;
  } else c.parsed++;
  return ev;
}
