/**
 * The UDP processor thread's processor (`ListenOptions.udpProcessor`): each datagram is
 * classified there (bridge/ingest.ts), then goes through the event pipeline (bridge/pipeline.ts:
 * the sender verified, flap damping, the forward set), so the main thread only gets the events it
 * will post, already split by level and neutralised as JSON text. Everything else (unknown
 * messages not forwarded, damped repeats, events no rule can match, --drop-unverified) is counted
 * here and never serialised nor handed over. Damping windows that end are ticked here once a
 * second, and flushed when the listener closes.
 * The main thread has vetted the same profiles before starting the thread.
 */
import type { DeviceEvent } from './event.js';
import type { Frame } from './framing.js';
import { classifyFrame, zeroCounters } from './ingest.js';
import type { Processor, ProcessorItem } from './listen.js';
import { neutralisedJson } from './neutralise.js';
import { Classifier } from './parse.js';
import { EventPipeline, type PipelineCounters, type PipelineOptions } from './pipeline.js';
import type { DampingStats } from './damping.js';
import type { Sender } from './verify.js';

/** Structured-clonable settings (from the bridge's options). */
export interface IngestWorkerOptions {
  profilesDir?: string;
  budgetMs: number;
  forwardUnknown: boolean;
  pipeline: PipelineOptions;
}

/** A control message from the main thread: the inventory was reloaded. */
export interface IngestWorkerControl {
  senders: Array<[string, Sender]> | null;
}

/** What the processor's counters() carries besides the ingest counters. */
export interface ProcessorCounters {
  setAside: number;
  pipeline: PipelineCounters;
  damping: DampingStats;
}

/** Rough in-memory size of a queued event (its JSON text: mostly one byte a character). */
const SIZE_FACTOR = 1;
const SIZE_BASE = 64;
const NONE: readonly ProcessorItem[] = [];

/** Events to hand on, as the main thread takes them: neutralised JSON text with its lane and size. */
function items(evs: DeviceEvent[]): readonly ProcessorItem[] {
  if (evs.length === 0) return NONE;
  return evs.map((ev) => {
    const r = neutralisedJson(ev);
    return { level: r.event.level, item: r.json, size: SIZE_BASE + SIZE_FACTOR * r.json.length };
  });
}

export function createProcessor(o: IngestWorkerOptions, log: (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void): Processor {
  const classifier = new Classifier({
    profilesDir: o.profilesDir,
    budgetMs: o.budgetMs,
    onSetAside: (s) => log('warn', `set aside a ${s.length}-character message from ${s.ip}: classification ran ${s.elapsedMs.toFixed(1)} ms (in ${s.ref}), over the budget`),
  });
  const c = zeroCounters();
  const pipeline = new EventPipeline(o.pipeline);
  return {
    process(frame: Frame, ip: string, receivedAt: number) {
      // deferred: most events are damped or not forwarded; the pipeline completes the rest
      const ev = classifyFrame(classifier, frame, ip, receivedAt, o.forwardUnknown, c, true);
      return ev ? items(pipeline.push(ev)) : NONE;
    },
    tick: () => items(pipeline.tick()),
    flush: () => items(pipeline.flush()),
    control(m: unknown) {
      const ctl = m as IngestWorkerControl;
      if ('senders' in ctl) pipeline.setSenders(ctl.senders);
    },
    counters: () => ({ ...c, setAside: classifier.stats.setAside, pipeline: pipeline.counters, damping: pipeline.damping() }) satisfies ProcessorCounters & Record<string, unknown>,
  };
}
