/**
 * netops' own state beside the inventory: what it configured on each router (the
 * inventory/IPAM record), and per-router locks so two changes never overlap.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Read the recorded state of a router ({} when none). */
export function readState(stateDir: string, host: string): Record<string, unknown> {
  const p = join(stateDir, 'state', `${host}.json`);
  try { return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>; } catch { return {}; }
}

/** Replace the recorded state of a router atomically (write + rename). */
export function writeState(stateDir: string, host: string, state: Record<string, unknown>): void {
  const dir = join(stateDir, 'state');
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${host}.json.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o640 });
  renameSync(tmp, join(dir, `${host}.json`));
}

/** Who holds a router's lock. */
export interface LockHolder { user: string; task: string; pid: number; since: string }

/** A lock was held by someone else for longer than we would wait. */
export class LockBusy extends Error {
  constructor(readonly host: string, readonly holder: LockHolder) {
    super(`${host} is being changed by ${holder.user} (${holder.task}, since ${holder.since}, pid ${holder.pid}); try again when it is done`);
    this.name = 'LockBusy';
  }
}

const readHolder = (p: string): LockHolder | null => { try { return JSON.parse(readFileSync(p, 'utf8')) as LockHolder; } catch { return null; } };
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; } };

/** Take the locks of several routers (sorted, so two runs never deadlock); waits up to `waitSeconds`. */
export async function acquireLocks(stateDir: string, hosts: string[], me: Omit<LockHolder, 'pid' | 'since'>, waitSeconds: number): Promise<() => void> {
  const dir = join(stateDir, 'locks');
  mkdirSync(dir, { recursive: true });
  const held: string[] = [];
  const release = () => { for (const p of held.splice(0)) rmSync(p, { force: true }); };
  const deadline = Date.now() + waitSeconds * 1000;
  try {
    for (const host of [...hosts].sort()) {
      const p = join(dir, `${host}.lock`);
      for (;;) {
        try {
          const fd = openSync(p, 'wx', 0o644);
          writeSync(fd, JSON.stringify({ ...me, pid: process.pid, since: new Date().toISOString() }));
          closeSync(fd);
          held.push(p);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          const holder = readHolder(p) ?? (await sleep(50), readHolder(p)); // a lock being written is read again once
          if (!holder || !alive(holder.pid)) { rmSync(p, { force: true }); continue; } // unreadable, or its process is gone
          if (Date.now() >= deadline) throw new LockBusy(host, holder);
          await sleep(200);
        }
      }
    }
  } catch (e) {
    release();
    throw e;
  }
  return release;
}
