/**
 * The bridge's own threads, as the OS sees them (Linux): a name (so top -H, ps -L and the benches
 * tell the UDP receiver and processor threads apart) and the receiver's priority.
 */
import { writeFileSync } from 'node:fs';
import { constants as osConstants, getPriority, setPriority } from 'node:os';
import v8 from 'node:v8';

/**
 * Nice value the receiver thread asks for (Linux: per thread). Draining the sockets costs a few
 * µs a datagram, and whatever the kernel drops is lost unseen, while a full raw queue in the
 * process is screened (bridge/screen.ts): so when the cores are oversubscribed the receiver should
 * be the last thread to starve. Without the privilege (CAP_SYS_NICE) it stays at the process'.
 */
export const RECEIVER_PRIORITY = osConstants.priority.PRIORITY_HIGH;

/**
 * Nice value the UDP processor thread asks for (bridge/udp-processor.ts says why): above the
 * main thread's, below the receiver's, so that the receiver, whose losses are unseen, still wins.
 */
export const PROCESSOR_PRIORITY = osConstants.priority.PRIORITY_ABOVE_NORMAL;

/** Raise the calling thread's priority if allowed; the priority it has. */
export function raiseThreadPriority(to: number): number {
  try {
    if (getPriority() > to) setPriority(to);
  } catch {
    // not permitted: stay as we are
  }
  return getPriority();
}

/** Name the calling thread (Linux, at most 15 characters; shown by top -H, ps -L, /proc): so each thread's CPU can be told apart. */
export function nameThread(name: string): void {
  try {
    writeFileSync('/proc/thread-self/comm', name.slice(0, 15));
  } catch {
    // not Linux, or no /proc: the thread keeps its name
  }
}

/** One thread's V8 heap (each worker thread has its own isolate), in bytes. */
export interface ThreadMemory {
  heap_used: number;
  heap_total: number;
  /** Memory outside the heap held by this isolate's objects (Buffers, ArrayBuffers). */
  external: number;
  array_buffers: number;
  /** The young generation's committed size (V8's new space: two semi-spaces). */
  young: number;
}

/** The calling thread's heap figures (process.memoryUsage() reports the isolate it runs in). */
export function threadMemory(): ThreadMemory {
  const m = process.memoryUsage();
  return { heap_used: m.heapUsed, heap_total: m.heapTotal, external: m.external, array_buffers: m.arrayBuffers, young: youngSize() };
}

/** The calling thread's young generation (new space), committed bytes. */
export function youngSize(): number {
  for (const sp of v8.getHeapSpaceStatistics()) if (sp.space_name === 'new_space') return sp.space_size;
  return 0;
}
