/** Timing marks of one process (ms since the process started), printed to stderr with NETOPS_TRACE=1. */

const marks: Record<string, number> = {};

/** Record a mark now. */
export function mark(name: string): void {
  // process.uptime, not performance.now: either loads all of perf_hooks at start-up (docs/sot.md)
  marks[name] = Math.round(process.uptime() * 1e5) / 100;
}

/** Print the marks as one JSON line on stderr when NETOPS_TRACE=1. */
export function flushTrace(): void {
  if (process.env.NETOPS_TRACE === '1') process.stderr.write(JSON.stringify({ netops_trace: marks }) + '\n');
}
