/**
 * The UDP receiver thread's processor (`ListenOptions.udpProcessor`): each datagram is
 * classified and neutralised there (bridge/ingest.ts), so the main thread only gets events that
 * go on, already split by level. Unknown messages not forwarded are counted and dropped here, and
 * so are classified events the forward set does not post (`not_forwarded`) when nothing the main
 * thread does could change that: the flap damper does not handle them (no state, or no peer or
 * interface) and the criteria are evaluated on what the main thread would see (the sender
 * verified against the same inventory, field values neutralised). Such an event costs its
 * classification and a counter; it is never serialised nor handed over.
 * The main thread has vetted the same profiles before starting the thread.
 */
import { classify as dampingKey } from './damping.js';
import type { DeviceEvent } from './event.js';
import { forwards, type ForwardSet } from './forward.js';
import type { Frame } from './framing.js';
import { classifyFrame, ingestFrameJson, zeroCounters } from './ingest.js';
import type { Processor } from './listen.js';
import { neutraliseValue, neutralisedJson } from './neutralise.js';
import { Classifier } from './parse.js';
import { senderVerifier, type Sender, type Verdict } from './verify.js';

/** Structured-clonable settings (from the bridge's options). */
export interface IngestWorkerOptions {
  profilesDir?: string;
  budgetMs: number;
  forwardUnknown: boolean;
  /** With a forward set: decide here on events nothing later can change (see the module comment). */
  forward?: ForwardFilterOptions | null;
}

/** What the processor needs to decide `not_forwarded` as the main thread would. */
export interface ForwardFilterOptions {
  set: ForwardSet;
  minLevel: 'info' | 'warning' | 'critical' | 'none';
  /** Flap damping is on (events it handles always go to the main thread). */
  damping: boolean;
  /** The inventory's address → router mapping (null: no inventory, events are unverified: null). */
  senders: Array<[string, Sender]> | null;
  relays: string[];
  /** --drop-unverified: events that fail verification go to the main thread, which drops them under that reason. */
  dropUnverified: boolean;
}

/** A control message from the main thread: the inventory was reloaded. */
export interface IngestWorkerControl {
  senders: Array<[string, Sender]> | null;
}

/** Rough in-memory size of a queued event (its JSON text: mostly one byte a character). */
const SIZE_FACTOR = 1;
const SIZE_BASE = 64;

/** A criterion sees the value the main thread would: neutralised (id and ip are never rewritten). */
const neutralView = (field: string, v: unknown): unknown => (field === 'id' || field === 'ip' ? v : neutraliseValue(v));

/** Counters of the events decided here (added to the main thread's own). */
export interface FilterCounters {
  notForwarded: number;
  enriched: number;
  unverified: number;
  impersonations: number;
}

/**
 * The forward decision for one classified event, made in the processor thread: true when the
 * event is not posted and nothing later could change that (counted in `c`); false: hand it on.
 */
export function filteredHere(ev: DeviceEvent, f: ForwardFilterOptions, verify: ((ev: DeviceEvent) => Verdict) | null, c: FilterCounters): boolean {
  if (ev.error === null) return false; // unknown messages that got this far are forwarded
  if (f.damping && dampingKey(ev) !== null) return false;
  // The main thread verifies the sender of the neutralised event first (it rewrites router, site,
  // summary, verified): decide on a copy whose fields verification reads are neutralised too, so a
  // host hidden behind invisible marks is judged (and counted) as the main thread would.
  const v = { ...ev, host: neutraliseValue(ev.host), router: neutraliseValue(ev.router), site: neutraliseValue(ev.site), summary: neutraliseValue(ev.summary) };
  let verdict: Verdict | null = null;
  if (verify) {
    verdict = verify(v);
    if (verdict !== 'verified' && f.dropUnverified) return false;
  } else v.verified = null;
  if (forwards(v, f.set, f.minLevel, neutralView)) return false;
  c.notForwarded++;
  if (verdict === 'verified') c.enriched++;
  else if (verdict !== null) {
    c.unverified++;
    if (verdict === 'impersonation') c.impersonations++;
  }
  return true;
}

export function createProcessor(o: IngestWorkerOptions, log: (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void): Processor {
  const classifier = new Classifier({
    profilesDir: o.profilesDir,
    budgetMs: o.budgetMs,
    onSetAside: (s) => log('warn', `set aside a ${s.length}-character message from ${s.ip}: classification ran ${s.elapsedMs.toFixed(1)} ms (in ${s.ref}), over the budget`),
  });
  const c = zeroCounters();
  const fc: FilterCounters = { notForwarded: 0, enriched: 0, unverified: 0, impersonations: 0 };
  const f = o.forward ?? null;
  const relays = new Set(f?.relays ?? []);
  const verifierOf = (senders: Array<[string, Sender]> | null) => (senders ? senderVerifier(new Map(senders), relays) : null);
  let verify = verifierOf(f?.senders ?? null);
  return {
    process(frame: Frame, ip: string, receivedAt: number) {
      if (!f) {
        const r = ingestFrameJson(classifier, frame, ip, receivedAt, o.forwardUnknown, c);
        return r ? { level: r.event.level, item: r.json, size: SIZE_BASE + SIZE_FACTOR * r.json.length } : null;
      }
      const ev = classifyFrame(classifier, frame, ip, receivedAt, o.forwardUnknown, c);
      if (!ev || filteredHere(ev, f, verify, fc)) return null;
      const r = neutralisedJson(ev);
      return { level: r.event.level, item: r.json, size: SIZE_BASE + SIZE_FACTOR * r.json.length };
    },
    control(m: unknown) {
      const ctl = m as IngestWorkerControl;
      if (f && 'senders' in ctl) verify = verifierOf(ctl.senders);
    },
    counters: () => ({ ...c, setAside: classifier.stats.setAside, ...fc }),
  };
}
