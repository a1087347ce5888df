/**
 * The bridge's own UDP processor (bridge/ingest-worker.ts), held at a gate: the first datagram
 * blocks the processor thread (Atomics.wait on a shared flag) until the test opens the gate, so a
 * test can starve the processor deterministically while the receiver thread keeps draining.
 */
import type { Frame } from '../../bridge/framing.js';
import { createProcessor as bridgeProcessor, type IngestWorkerOptions } from '../../bridge/ingest-worker.js';
import type { Processor } from '../../bridge/listen.js';

export interface GatedOptions {
  /** Int32 [0] = open (0: closed), [1] = datagrams that reached the processor. */
  gate: SharedArrayBuffer;
  inner: IngestWorkerOptions;
}

export function createProcessor(o: GatedOptions, log: (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void): Processor {
  const p = bridgeProcessor(o.inner, log);
  const flag = new Int32Array(o.gate);
  return {
    process(frame: Frame, ip: string, at: number) {
      Atomics.add(flag, 1, 1);
      Atomics.wait(flag, 0, 0);
      return p.process(frame, ip, at);
    },
    tick: () => p.tick?.() ?? [],
    flush: () => p.flush?.() ?? [],
    counters: () => p.counters(),
  };
}
