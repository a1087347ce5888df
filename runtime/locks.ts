/**
 * Per-router locks that belong to a whole run, not to the node process alone: the lock file
 * names the netops process (pid + start time, so a reused pid does not count) and the run id
 * every Ansible process of the run carries (runtime/proc.ts). A lock is stale only when
 * neither the netops process nor any process of its run lives, so a killed netops whose
 * ansible-playbook still pushes keeps its routers locked until that push ends.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processesOfRun, sameProcessAlive, startTime } from './proc.js';

/** Who holds a router's lock. */
export interface LockHolder { user: string; task: string; pid: number; start: number | null; run: string; since: string }

/** A lock was held by someone else for longer than we would wait. */
export class LockBusy extends Error {
  constructor(readonly host: string, readonly holder: LockHolder) {
    super(`${host} is being changed by ${holder.user} (${holder.task}, since ${holder.since}, pid ${holder.pid}); try again when it is done`);
    this.name = 'LockBusy';
  }
}

const readHolder = (p: string): LockHolder | null => {
  try { return JSON.parse(readFileSync(p, 'utf8')) as LockHolder; } catch { return null; }
};

/** Whether a holder's run is still going: its netops process, or any process of its run. */
export function holderAlive(h: LockHolder): boolean {
  if (typeof h.pid === 'number' && sameProcessAlive(h.pid, typeof h.start === 'number' ? h.start : null)) return true;
  return typeof h.run === 'string' && h.run !== '' && processesOfRun(h.run).length > 0;
}

/** Take the locks of several routers (sorted, so two runs never deadlock); waits up to `waitSeconds`. */
export async function acquireLocks(dir: string, hosts: string[], me: { user: string; task: string; run: string }, waitSeconds: number): Promise<() => void> {
  mkdirSync(dir, { recursive: true, mode: 0o750 });
  const held: string[] = [];
  const release = () => { for (const p of held.splice(0)) rmSync(p, { force: true }); };
  const deadline = Date.now() + waitSeconds * 1000;
  const mine: LockHolder = { ...me, pid: process.pid, start: startTime(process.pid), since: new Date().toISOString() };
  try {
    for (const host of [...new Set(hosts)].sort()) {
      const p = join(dir, `${host}.lock`);
      for (;;) {
        try {
          const fd = openSync(p, 'wx', 0o644);
          try { writeSync(fd, JSON.stringify(mine)); } finally { closeSync(fd); }
          held.push(p);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          const holder = readHolder(p) ?? (await sleep(50), readHolder(p)); // a lock being written is read again once
          if (!holder || !holderAlive(holder)) { rmSync(p, { force: true }); continue; }
          if (Date.now() >= deadline) throw new LockBusy(host, holder);
          await sleep(100);
        }
      }
    }
  } catch (e) {
    release();
    throw e;
  }
  return release;
}

/** Run `fn` holding one lock (a short critical section, e.g. a store file's read-modify-write). */
export async function withLock<T>(dir: string, name: string, me: { user: string; task: string; run: string }, waitSeconds: number, fn: () => Promise<T> | T): Promise<T> {
  const release = await acquireLocks(dir, [name], me, waitSeconds);
  try { return await fn(); } finally { release(); }
}
