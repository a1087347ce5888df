/**
 * The main thread's young generation, measured under the storm (docs/bridge-lanes.md, "Memory").
 *
 * V8 grows a young generation (by doubling, up to two 16 MiB semi-spaces on 64-bit) while
 * objects survive scavenges, and never gives the room back while the process is busy: a bridge
 * parsing 10,000 events a second kept 32 MiB committed for a live set under 2 MiB, and the
 * profile check at start-up (many short-lived strings) had already grown it that far before the
 * first datagram. Worker threads are capped by their `resourceLimits`; the main thread's limits can
 * only be given on node's command line (`--max-semi-space-size`), which the bridge does not own.
 * What V8 does read at run time is the growth factor: `holdYoungGeneration()` sets it to 1 (no
 * growth) while the bridge starts, and `capYoungGeneration()` lets it double again until the next
 * doubling would pass the cap, checked after every scavenge and at every batch the caller handles,
 * then sets it back to 1. The flag is the process': worker isolates read it too, which is why they
 * are bounded by their own resourceLimits, not by it; and V8 sets it back to 2 whenever a worker's
 * heap is configured, so it is set at every check, not once.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { youngSize } from './thread.js';

/** Default cap of the main thread's young generation (committed new space). */
export const MAIN_YOUNG_BYTES = 8 * 1024 * 1024;

/** V8's default growth factor. */
const GROWTH = 2;

/**
 * Set the growth factor. Not cached: V8 resets a factor below 2 to 2 whenever it configures a new
 * isolate's heap (a worker thread starting), so the value is set again at every check.
 */
const setGrowth = (f: number): void => {
  v8.setFlagsFromString(`--semi-space-growth-factor=${f}`);
};

/** Stop the young generation from growing (start-up). */
export function holdYoungGeneration(): void {
  setGrowth(1);
}

/** Let it grow as V8 wants again (a start that failed). */
export function releaseYoungGeneration(): void {
  setGrowth(GROWTH);
}

/** A running cap: `check()` may be called as often as wanted (cheap); `stop()` disconnects. */
export interface YoungCap {
  check(): void;
  stop(): void;
}

/**
 * Let the calling thread's young generation grow up to `maxBytes` and no further (see the module
 * comment). 0 leaves V8's sizing alone (growth allowed, no cap).
 */
export function capYoungGeneration(maxBytes = MAIN_YOUNG_BYTES): YoungCap {
  if (maxBytes <= 0) {
    setGrowth(GROWTH);
    return { check: () => undefined, stop: () => undefined };
  }
  let stopped = false;
  // growth doubles the new space: allowed while the next doubling stays within the cap
  const check = (): void => {
    if (!stopped) setGrowth(youngSize() * 2 <= maxBytes ? GROWTH : 1);
  };
  const obs = new PerformanceObserver(check);
  obs.observe({ entryTypes: ['gc'] });
  check();
  return {
    check,
    stop: () => {
      stopped = true;
      obs.disconnect();
    },
  };
}

/** V8's gc(), without starting node with --expose-gc; null if V8 refuses. */
export function exposeGc(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

/** Default heap size (used) above which a governor runs a full GC. */
export const GC_ABOVE_BYTES = 32 * 1024 * 1024;

/**
 * Memory governor for the calling thread: under a high message rate V8 lets dead objects pile up
 * in the old generation (RSS 250 MB+ for a live set of ~35 MB; more so with a small young
 * generation, which promotes sooner). Every 500 ms, once the heap holds more than `aboveBytes`, a
 * full GC (~10 ms for this heap; UDP keeps being read by its own thread); when the live set itself
 * is large the next one waits until the heap is half as big again. Null when `aboveBytes` is 0 or
 * gc() cannot be had.
 */
export function memoryGovernor(aboveBytes = GC_ABOVE_BYTES): { forced(): number; stop(): void } | null {
  const gc = aboveBytes > 0 ? exposeGc() : null;
  if (!gc) return null;
  let forced = 0;
  let at = aboveBytes;
  const timer = setInterval(() => {
    if (process.memoryUsage().heapUsed <= at) return;
    gc();
    forced++;
    at = Math.max(aboveBytes, process.memoryUsage().heapUsed * 1.5);
  }, 500);
  timer.unref();
  return { forced: () => forced, stop: () => clearInterval(timer) };
}
