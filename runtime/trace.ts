/** Timing marks of one process (ms since the process started), printed to stderr with NETOPS_TRACE=1. */
import { performance } from 'node:perf_hooks';

const marks: Record<string, number> = {};

/** Record a mark now. */
export function mark(name: string): void {
  marks[name] = Math.round(performance.now() * 100) / 100;
}

/** Print the marks as one JSON line on stderr when NETOPS_TRACE=1. */
export function flushTrace(): void {
  if (process.env.NETOPS_TRACE === '1') process.stderr.write(JSON.stringify({ netops_trace: marks }) + '\n');
}
