/**
 * What happens to a classified event before the storm summaries and the spool: who sent it
 * (bridge/verify.ts), flap damping (bridge/damping.ts), then the forward set (bridge/forward.ts).
 * One instance runs where the event was classified: in the UDP processor thread for datagrams
 * (so the main thread only receives the events it will post), on the main thread for TCP/TLS
 * frames. Damping state is per instance: a router that sends one session's transitions over both
 * UDP and TCP is damped per transport.
 *
 * The event may come in before the rest of it is neutralised (the processor thread neutralises
 * only what it hands on): the fields verification reads are neutralised first, and criteria see
 * neutralised values, so the decisions are the ones the neutralised event would get
 * (test/bridge/pipeline.test.ts). What comes out must still be neutralised by the caller.
 * Events may also come in deferred (bridge/deferred.ts: id, yang document and details not built
 * yet); what comes out is complete, and a forward set whose criteria read a deferred field gets
 * complete events to decide on.
 */
import { Damper, type DampingOptions, type DampingStats } from './damping.js';
import { DEFERRED_FIELDS, completeEvent } from './deferred.js';
import type { DeviceEvent } from './event.js';
import { forwards, pathOf, type ForwardSet } from './forward.js';
import { neutraliseValue } from './neutralise.js';
import { LEVELS, type Level } from './spool/levels.js';
import { senderVerifier, type Sender } from './verify.js';

/** Structured-clonable settings (the processor thread gets them through workerData). */
export interface PipelineOptions {
  /** The forward set and the level posted without a rule; null: every event is posted. */
  forward: { set: ForwardSet; minLevel: 'info' | 'warning' | 'critical' | 'none' } | null;
  /** Flap damping settings; null: off. */
  damping: Omit<DampingOptions, 'now'> | null;
  /** The inventory's address → router mapping; null: no inventory (events are `verified: null`). */
  senders: Array<[string, Sender]> | null;
  /** Trusted relay addresses. */
  relays: string[];
  /** Drop (and count) events whose sender is not verified. */
  dropUnverified: boolean;
}

/** Counters (cumulative). */
export interface PipelineCounters {
  /** Events from a known router's address. */
  enriched: number;
  /** Events from an address the inventory does not list. */
  unverified: number;
  /** Of those, events claiming the name of a known router. */
  impersonations: number;
  /** Classified events no rule of the forward set can match. */
  notForwarded: number;
  /** Dropped by --drop-unverified, by level. */
  droppedUnverified: Record<Level, number>;
}

export const zeroPipelineCounters = (): PipelineCounters => ({ enriched: 0, unverified: 0, impersonations: 0, notForwarded: 0, droppedUnverified: { info: 0, warning: 0, critical: 0 } });

/** Add b's counts into a. */
export function addPipelineCounters(a: PipelineCounters, b: PipelineCounters): void {
  a.enriched += b.enriched;
  a.unverified += b.unverified;
  a.impersonations += b.impersonations;
  a.notForwarded += b.notForwarded;
  for (const l of LEVELS) a.droppedUnverified[l] += b.droppedUnverified[l];
}

/** Criteria see the value the neutralised event has (id and ip are the bridge's own, never rewritten). */
const neutralView = (field: string, v: unknown): unknown => (field === 'id' || field === 'ip' ? v : neutraliseValue(v));

/** Verify, damp, decide: `push` an event, get back the events to post. */
export class EventPipeline {
  readonly counters = zeroPipelineCounters();
  private readonly damper: Damper | null;
  private verify: ReturnType<typeof senderVerifier> | null = null;
  private readonly relays: ReadonlySet<string>;
  /** The forward set's criteria read a field a deferred event does not have yet. */
  private readonly decideComplete: boolean;

  constructor(
    private readonly o: PipelineOptions,
    now?: () => number,
  ) {
    this.damper = o.damping ? new Damper({ ...o.damping, now }) : null;
    this.relays = new Set(o.relays);
    this.setSenders(o.senders);
    this.decideComplete = o.forward?.set.rules.some((r) => r.criteria.some((c) => DEFERRED_FIELDS.has(pathOf(c.field).keys[0]!))) ?? false;
  }

  /** A new address → router mapping (the inventory was reloaded). */
  setSenders(senders: Array<[string, Sender]> | null): void {
    this.verify = senders ? senderVerifier(new Map(senders), this.relays) : null;
  }

  /** One classified event: what to post now (nothing, the event, and/or a damping summary). */
  push(ev: DeviceEvent): DeviceEvent[] {
    // verification reads and rewrites these: it must see what the neutralised event would say
    ev.host = neutraliseValue(ev.host);
    ev.router = neutraliseValue(ev.router);
    ev.site = neutraliseValue(ev.site);
    ev.summary = neutraliseValue(ev.summary);
    const c = this.counters;
    if (this.verify) {
      const verdict = this.verify(ev);
      if (verdict === 'verified') c.enriched++;
      else {
        c.unverified++;
        if (verdict === 'impersonation') c.impersonations++;
        if (this.o.dropUnverified) {
          c.droppedUnverified[ev.level]++;
          return [];
        }
      }
    } else ev.verified = null;
    return this.decide(this.damper ? this.damper.push(ev) : [ev]);
  }

  /** Damping windows that ended: their summaries, decided. Call about once a second. */
  tick(): DeviceEvent[] {
    return this.damper ? this.decide(this.damper.tick()) : [];
  }

  /** Everything the damper still holds (on close), decided. */
  flush(): DeviceEvent[] {
    return this.damper ? this.decide(this.damper.flush()) : [];
  }

  damping(): DampingStats {
    return this.damper ? this.damper.stats() : { suppressed: 0, summaries: 0, paired: 0, evicted: 0, keys: 0 };
  }

  /** The forward set's decision; unknown messages that got this far are posted. */
  private decide(evs: DeviceEvent[]): DeviceEvent[] {
    const f = this.o.forward;
    if (!f) return evs.map(completeEvent);
    const out: DeviceEvent[] = [];
    for (const e of evs) {
      if (this.decideComplete) completeEvent(e);
      if (e.error === null || forwards(e, f.set, f.minLevel, neutralView)) out.push(completeEvent(e));
      else this.counters.notForwarded++;
    }
    return out;
  }
}
