/**
 * CPU time of a process tree, from /proc (Linux): utime + stime of a root pid and all its
 * descendants, in ms. The benchmarks use it to report the server-side CPU cost of a request,
 * which, unlike wall time, barely depends on what else the shared machine is running.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface Stat { pid: number; ppid: number; cpu: number }

function stat(pid: number): Stat | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return { pid, ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** Summed CPU ms of `roots` and every descendant alive now (null when /proc is unreadable). */
export function treeCpuMs(roots: number[]): number | null {
  let all: Stat[];
  try {
    all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => stat(Number(d))).filter((s): s is Stat => s !== null);
  } catch {
    return null;
  }
  const kids = new Map<number, Stat[]>();
  for (const s of all) kids.set(s.ppid, [...(kids.get(s.ppid) ?? []), s]);
  let ms = 0;
  const todo = roots.map((r) => all.find((s) => s.pid === r)).filter((s): s is Stat => !!s);
  while (todo.length) {
    const s = todo.pop()!;
    ms += s.cpu;
    todo.push(...(kids.get(s.pid) ?? []));
  }
  return ms;
}

/** The first line of a pid file as a number (null when missing). */
export function pidFromFile(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').split('\n')[0].trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}
