/** Waiting on a change run from outside it: its journal entry, and its processes (found through /proc). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesOfRun } from '../../runtime/proc.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until a change at `site` is pushing (its journal says so and a process of the run lives); returns the journal entry. */
export async function waitForPushing(stateDir: string, site: string, timeoutMs: number): Promise<{ txn: string; run: string }> {
  const dir = join(stateDir, 'journal', site);
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    for (const n of existsSync(dir) ? readdirSync(dir) : []) {
      try { const e = JSON.parse(readFileSync(join(dir, n), 'utf8')); if (e.phase === 'pushing' && processesOfRun(e.run).length) return e; } catch { /* being written */ }
    }
    await sleep(50);
  }
  throw new Error('no change started pushing');
}

/** Wait (at most `timeoutMs`) until no process of the run is left. */
export async function untilRunGone(run: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (processesOfRun(run).length && Date.now() - t0 < timeoutMs) await sleep(100);
}
