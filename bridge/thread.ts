/**
 * The bridge's own threads, as the OS sees them (Linux): a name (so top -H, ps -L and the benches
 * tell the UDP receiver and processor threads apart) and the receiver's priority.
 */
import { writeFileSync } from 'node:fs';
import { constants as osConstants, getPriority, setPriority } from 'node:os';

/**
 * Nice value the receiver thread asks for (Linux: per thread). Draining the sockets costs a few
 * µs a datagram, and whatever the kernel drops is lost unseen, while a full raw queue in the
 * process is screened (bridge/screen.ts): so when the cores are oversubscribed the receiver should
 * be the last thread to starve. Without the privilege (CAP_SYS_NICE) it stays at the process'.
 */
export const RECEIVER_PRIORITY = osConstants.priority.PRIORITY_ABOVE_NORMAL;

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
