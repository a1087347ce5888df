/**
 * The UDP receiver thread's processor (`ListenOptions.udpProcessor`): each datagram is
 * classified and neutralised there (bridge/ingest.ts), so the main thread only gets events that
 * go on (unknown messages not forwarded are counted and dropped here), already split by level.
 * The main thread has vetted the same profiles before starting the thread.
 */
import type { Frame } from './framing.js';
import { ingestFrameJson, zeroCounters } from './ingest.js';
import type { Processor } from './listen.js';
import { Classifier } from './parse.js';

/** Structured-clonable settings (from the bridge's options). */
export interface IngestWorkerOptions {
  profilesDir?: string;
  budgetMs: number;
  forwardUnknown: boolean;
}

/** Rough in-memory size of a queued event (its JSON text: mostly one byte a character). */
const SIZE_FACTOR = 1;
const SIZE_BASE = 64;

export function createProcessor(o: IngestWorkerOptions, log: (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void): Processor {
  const classifier = new Classifier({
    profilesDir: o.profilesDir,
    budgetMs: o.budgetMs,
    onSetAside: (s) => log('warn', `set aside a ${s.length}-character message from ${s.ip}: classification ran ${s.elapsedMs.toFixed(1)} ms (in ${s.ref}), over the budget`),
  });
  const c = zeroCounters();
  return {
    process(frame: Frame, ip: string, receivedAt: number) {
      const r = ingestFrameJson(classifier, frame, ip, receivedAt, o.forwardUnknown, c);
      return r ? { level: r.event.level, item: r.json, size: SIZE_BASE + SIZE_FACTOR * r.json.length } : null;
    },
    counters: () => ({ ...c, setAside: classifier.stats.setAside }),
  };
}
