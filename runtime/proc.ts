/**
 * Processes of a run. Every process a task run starts (ansible-playbook, its forks, and the
 * ansible-connection daemons that put themselves in their own session) inherits the
 * environment variable NETOPS_RUN_ID; /proc tells which of them still live, whatever their
 * process group. Start times (field 22 of /proc/<pid>/stat) guard against PID reuse.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The variable that marks every process of one run. */
export const RUN_ID_ENV = 'NETOPS_RUN_ID';

/** Start time of a process in clock ticks since boot; null when it does not exist (or is a zombie). */
export function startTime(pid: number): number | null {
  let stat: string;
  try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return null; }
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (rest[0] === 'Z' || rest[0] === 'X') return null;
  const t = Number(rest[19]);
  return Number.isFinite(t) ? t : null;
}

/** Whether the process that had this pid and start time still runs. */
export function sameProcessAlive(pid: number, start: number | null): boolean {
  const now = startTime(pid);
  return now !== null && (start === null || now === start);
}

/** Pids of live processes whose environment carries NETOPS_RUN_ID=<runId>. */
export function processesOfRun(runId: string): number[] {
  const needle = Buffer.from(`${RUN_ID_ENV}=${runId}\0`);
  const out: number[] = [];
  let names: string[];
  try { names = readdirSync('/proc'); } catch { return out; }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const pid = Number(n);
    if (pid === process.pid) continue;
    let env: Buffer;
    try { env = readFileSync(`/proc/${n}/environ`); } catch { continue; }
    if (env.indexOf(needle) !== 0 && env.indexOf(Buffer.concat([Buffer.from('\0'), needle])) < 0) continue;
    if (startTime(pid) !== null) out.push(pid);
  }
  return out;
}

/** Send a signal to every live process of a run; returns the pids signalled. */
export function signalRun(runId: string, signal: NodeJS.Signals): number[] {
  const pids = processesOfRun(runId);
  for (const pid of pids) { try { process.kill(pid, signal); } catch { /* gone meanwhile */ } }
  return pids;
}

/** Stop every process of a run: SIGTERM, then SIGKILL after `graceMs` for whatever is left. Resolves when none lives. */
export async function stopRun(runId: string, graceMs = 3000): Promise<number[]> {
  const first = signalRun(runId, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (processesOfRun(runId).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (let i = 0; i < 40 && processesOfRun(runId).length; i++) {
    signalRun(runId, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
  return first;
}
