/**
 * Finishing changes a crash left behind (kill -9 of netops or of ansible-playbook, a
 * StackStorm timeout, a rollback that met an unreachable router). For each journal entry
 * whose run is over (no process of it lives): an interrupted add is rolled back on the
 * routers and aborted in the source of truth; an interrupted removal is completed and
 * committed. Run by the next change at the site, and by `netops recover`.
 */
import { rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskDefinition } from './define.js';
import { clearJournal, readJournal, writeJournal } from './journal.js';
import { clearRunning } from './running.js';
import { holderAlive } from './locks.js';
import type { Options } from './options.js';
import type { RunExtras } from './run.js';
import { outcomes } from './ansible.js';
import { pushContext, pushPlaybook, taskContext, undoOnRouters } from './txn.js';
import { newTxn } from '../sot/plan.js';
import type { SourceOfTruth } from '../sot/types.js';
import { ROLLBACK_SECONDS } from './limits.js';

/** What recovery did at a site. */
export interface Recovery {
  /** A change is still running (its processes live): the text says whose. */
  busy: string | null;
  /** Recovery could not finish (the journal stays). */
  failed: string | null;
  /** What was finished, one line each. */
  notes: string[];
}

/** Remove private run directories (vars files may hold secrets) of runs that are over. */
export function sweepRunDirs(stateDir: string): void {
  const dir = join(stateDir, 'runs');
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) if (!holderAlive({ pid: -1, start: null, run: n, user: '', task: '', since: '' })) rmSync(join(dir, n), { recursive: true, force: true });
}

/** Finish every leftover change at a site. */
export async function recoverSite(site: string, sot: SourceOfTruth, opts: Options & RunExtras): Promise<Recovery> {
  const out: Recovery = { busy: null, failed: null, notes: [] };
  const entries = readJournal(opts.stateDir, site);
  if (!entries.length) return out;
  const tasks = opts.tasks ?? {};
  for (const e of entries) {
    if (holderAlive({ pid: e.pid, start: e.start, run: e.run, user: e.user, task: e.task, since: e.since })) {
      out.busy = `${site} is being changed by ${e.user} (${e.task}, transaction ${e.txn}, since ${e.since})`;
      return out;
    }
    const def = tasks[e.task] as TaskDefinition<any> | undefined;
    const view = await sot.site(site);
    if (!def || !view) { out.failed = `journal ${e.txn}: task ${e.task} or site ${site} is unknown to this pack`; return out; }
    const p = pushContext(opts, def, e.task, e.params, taskContext(view, false), sot);
    const what = `${e.task} (${e.plan.steps.join('; ') || e.txn}) by ${e.user} at ${e.since}`;
    if (e.plan.change.kind === 'remove_peer' && e.phase !== 'prepared') {
      // Finish the removal: the same playbook again (idempotent), then commit.
      const run = await pushPlaybook(p, def.playbook!, e.params, e.routers, newTxn(), { timeout: ROLLBACK_SECONDS });
      const bad = outcomes(run, e.routers).filter((o) => o.status === 'failed' || o.status === 'unreachable');
      if (bad.length) {
        const problem = bad.map((o) => `${o.host}: ${o.status}: ${o.message.split('\n')[0]}`).join('; ');
        writeJournal(opts.stateDir, { ...e, phase: 'completing', problem });
        out.failed = `completing the interrupted ${what} failed: ${problem}`;
        return out;
      }
      await sot.commit(e.plan);
      clearJournal(opts.stateDir, site, e.txn);
      clearRunning(opts.stateDir, e.txn);
      out.notes.push(`recovered: the interrupted ${what} was completed on ${e.routers.join(', ')} and committed`);
      continue;
    }
    // An add (or anything not yet pushed): put the routers back, then leave the source of truth as it was.
    const routers = e.phase === 'prepared' ? [] : e.applied.length ? e.applied : e.routers;
    const { done, failed } = await undoOnRouters(p, tasks, def, e.params, routers);
    if (failed.size) {
      const problem = [...failed].map(([h, why]) => `${h}: ${why}`).join('; ');
      writeJournal(opts.stateDir, { ...e, phase: 'rolling-back', problem });
      out.failed = `rolling back the interrupted ${what} failed: ${problem}`;
      return out;
    }
    await sot.abort(e.plan);
    clearJournal(opts.stateDir, site, e.txn);
    clearRunning(opts.stateDir, e.txn);
    out.notes.push(`recovered: the interrupted ${what} was rolled back${done.size ? ` (${[...done].map(([h, d]) => `${h}: ${d}`).join(', ')})` : ''}; nothing of it was kept`);
  }
  sweepRunDirs(opts.stateDir);
  return out;
}
