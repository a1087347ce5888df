/**
 * A change as one transaction across the source of truth and the routers: lock the routers
 * (for the whole run), journal, record pending, push; then commit, or roll the routers back
 * (the task's `undo`) and abort, so that nothing is kept. When the rollback itself cannot
 * finish (a router unreachable), the journal stays and the result says what is left.
 */
import { join } from 'node:path';
import type { HostOutcome, TaskContext, TaskDefinition } from './define.js';
import { mayCarryChange, outcomes, runPlaybook, type PlaybookRun } from './ansible.js';
import { acquireLocks } from './locks.js';
import { clearJournal, writeJournal, type JournalEntry } from './journal.js';
import { ROLLBACK_SECONDS } from './limits.js';
import type { Options } from './options.js';
import type { RunExtras, SotReport } from './run.js';
import { startTime } from './proc.js';
import { newTxn } from '../sot/plan.js';
import { Refusal, type Plan, type SourceOfTruth } from '../sot/types.js';
import { connectionVars } from '../sot/open.js';
import { inventoryYaml } from '../sot/inventory.js';

/** Everything a push needs (built by pushContext). */
export interface PushContext {
  opts: Options & RunExtras;
  def: TaskDefinition<any>;
  name: string;
  values: Record<string, unknown>;
  ctx: TaskContext;
  inventory: { text: string };
  playbookPath: (playbook: string) => string;
  runDirFor: (run: string) => string;
}

export { taskContext } from './context.js';

const CREDENTIAL = /pass(word)?|private_key|vault|secret|token/i;

/** A push of a task at one site: the inventory derived from the source of truth, paths of the pack and the run. */
export function pushContext(opts: Options & RunExtras, def: TaskDefinition<any>, name: string, values: Record<string, unknown>, ctx: TaskContext, sot: SourceOfTruth,
  secrets: string[] = []): PushContext {
  const connection = connectionVars(sot, opts.sot);
  // Credentials of the inventory (key paths, passwords) are masked like secret parameters.
  for (const vars of [connection, ...ctx.site.routers.map((r) => r.vars ?? {})]) {
    for (const [k, v] of Object.entries(vars)) if (CREDENTIAL.test(k) && typeof v === 'string' && v.length > 3) secrets.push(v);
  }
  return {
    opts, def, name, values, ctx, inventory: { text: inventoryYaml(connection, [ctx.site], (r) => r.vars ?? {}) },
    playbookPath: (pb) => join(opts.packDir, 'playbooks', pb),
    runDirFor: (run) => join(opts.stateDir, 'runs', run),
  };
}

/** How a transaction ended. */
export interface ChangeResult {
  outcomes: HostOutcome[];
  sot: SotReport;
  warnings: string[];
  timedOut: boolean;
  stopped: boolean;
  stderr: string;
  json: boolean;
  exitCode: number | undefined;
  /** Why the change is left pending (journal kept). */
  problem: string | null;
}

/** Run one playbook of the site for some routers. */
export async function pushPlaybook(p: PushContext, playbook: string, values: Record<string, unknown>, limit: string[], run: string,
  o: { timeout: number; signal?: AbortSignal; extraVars?: Record<string, unknown>; vars?: Record<string, unknown>; check?: boolean }): Promise<PlaybookRun> {
  const extra = { ...(p.opts.faultInject ? { netops_fault_inject: p.opts.faultInject } : {}), ...(o.extraVars ?? {}) };
  return runPlaybook({
    ansiblePlaybook: p.opts.ansiblePlaybook, playbook: p.playbookPath(playbook), ansibleConfig: join(p.opts.packDir, 'playbooks', 'ansible.cfg'),
    inventory: p.inventory, limit, vars: { params: { ...values, ...(o.vars ?? {}), backup_dir: join(p.opts.stateDir, 'backups') } },
    check: o.check ?? false, timeoutSeconds: o.timeout, vaultPasswordFile: p.opts.vaultPasswordFile, runId: run, runDir: p.runDirFor(run),
    ...(o.signal ? { signal: o.signal } : {}), ...(Object.keys(extra).length ? { extraVars: extra } : {}),
  });
}

/** Put routers back with the task's undo; returns the routers the undo could not handle (with why). */
export async function undoOnRouters(p: PushContext, tasks: Record<string, TaskDefinition<any>>, def: TaskDefinition<any>, values: Record<string, unknown>, routers: string[]):
  Promise<{ done: Map<string, string>; failed: Map<string, string> }> {
  const done = new Map<string, string>();
  const failed = new Map<string, string>();
  if (!routers.length) return { done, failed };
  const undo = def.undo;
  const target = undo ? tasks[undo.task] : undefined;
  if (!undo || !target?.playbook) { for (const r of routers) failed.set(r, `task ${p.name} has no undo`); return { done, failed }; }
  const params = undo.params(values, p.ctx);
  // Rolling back must not wait for a session to come up; it runs to its end even after a stop.
  const run = await pushPlaybook(p, target.playbook, params, routers, newTxn(), { timeout: ROLLBACK_SECONDS, extraVars: { netops_wait_seconds: 0 } });
  for (const o of outcomes(run, routers)) {
    if (o.status === 'failed' || o.status === 'unreachable') failed.set(o.host, `${o.status}: ${o.message.split('\n')[0]}`);
    else done.set(o.host, target.summarize ? target.summarize(params, { ...o, dryRun: false }).replace(/^[^:]+: /, '') : o.status);
  }
  return { done, failed };
}

/**
 * The plan was made before this run held its routers (a dry run, an approval, the wait for the
 * locks come between): plan again under the locks and go on only if the site is as it was
 * planned against. Throws Refusal (the change is refused now, e.g. another run added the same
 * address with another AS meanwhile) or when the site changed; nothing is written either way.
 */
async function replanUnderLocks(sot: SourceOfTruth, plan: Plan): Promise<void> {
  const now = await sot.plan(plan.change, plan.actor);
  const basis = (p: Plan) => JSON.stringify([p.before, p.steps, p.prefix]);
  if (basis(now) !== basis(plan))
    throw new Refusal(`${plan.change.site} changed while this run waited for its routers; nothing was changed. The plan now: ${now.steps.join('; ')}`, `check it with dry_run=true, then run the command again`);
}

/** Apply a planned change all or nothing. Throws LockBusy when a router is held by another run. */
export async function runChange(p: PushContext, sot: SourceOfTruth, plan: Plan, user: string): Promise<ChangeResult> {
  const { opts, def } = p;
  const routers = p.ctx.hosts.map((h) => h.name);
  const run = plan.txn;
  const release = await acquireLocks(join(opts.stateDir, 'locks'), routers, { user, task: p.name, run }, opts.lockWait);
  const secretless = Object.fromEntries(Object.entries(p.values).filter(([k]) => k !== 'password'));
  const journal: JournalEntry = {
    txn: plan.txn, task: p.name, site: plan.change.site, phase: 'prepared', plan, routers, applied: [], params: secretless,
    pid: process.pid, start: startTime(process.pid), run, user, since: new Date().toISOString(), problem: null,
  };
  const report = (outcome: SotReport['outcome']): SotReport => ({ backend: sot.kind, steps: plan.steps, txn: plan.txn, outcome });
  const warnings: string[] = [];
  try {
    await replanUnderLocks(sot, plan);
    writeJournal(opts.stateDir, journal);
    try { await sot.prepare(plan); } catch (e) {
      await sot.abort(plan).catch(() => undefined);
      clearJournal(opts.stateDir, journal.site, plan.txn);
      // the records changed since the plan (the backend says so as the plan would): refused, exit 2
      if (e instanceof Refusal) throw e;
      const message = `not pushed: the source of truth could not record the change: ${(e as Error).message}`;
      return { outcomes: routers.map((h) => ({ host: h, status: 'failed' as const, data: {}, commands: [], diff: '', message, dryRun: false })),
        sot: report('aborted'), warnings, timedOut: false, stopped: false, stderr: '', json: true, exitCode: undefined, problem: null };
    }
    writeJournal(opts.stateDir, { ...journal, phase: 'pushing' });
    const pushed = await pushPlaybook(p, def.playbook!, p.values, routers, run, { timeout: Math.min(def.timeout, opts.taskTimeout ?? Infinity), vars: def.vars?.(p.values, p.ctx) ?? {}, ...(opts.signal ? { signal: opts.signal } : {}) });
    const outs = outcomes(pushed, routers);
    const interrupted = pushed.timedOut || pushed.stopped;
    const bad = outs.filter((o) => o.status === 'failed' || o.status === 'unreachable');
    const common = { timedOut: pushed.timedOut, stopped: pushed.stopped, stderr: pushed.stderr, json: pushed.json !== null, exitCode: pushed.exitCode };
    if (!interrupted && !bad.length) {
      try {
        await sot.commit(plan);
        clearJournal(opts.stateDir, journal.site, plan.txn);
        return { outcomes: outs, sot: report('committed'), warnings, ...common, problem: null };
      } catch (e) {
        warnings.push(`the routers were changed but the source of truth could not commit (${(e as Error).message}): rolling the routers back`);
        for (const o of outs) o.message ||= 'rolled back because the source of truth could not commit';
      }
    }
    // Roll back every router that may carry the change: changed, failed mid-push, or of unknown state after a stop.
    // A router unreachable at push time was never changed; one that reported no change had it before; one whose
    // playbook refused before pushing (a conflicting neighbor) or restored it itself must not be "undone" (that
    // would remove a neighbor this run never created).
    const toUndo = outs.filter((o) => mayCarryChange(pushed, o)).map((o) => o.host);
    writeJournal(opts.stateDir, { ...journal, phase: 'rolling-back', applied: toUndo });
    const { done, failed } = await undoOnRouters(p, opts.tasks ?? {}, def, p.values, toUndo);
    for (const o of outs) if (done.has(o.host)) o.rolledBack = done.get(o.host)!;
    if (failed.size) {
      const problem = [...failed].map(([h, why]) => `${h} could not be rolled back (${why})`).join('; ');
      writeJournal(opts.stateDir, { ...journal, phase: 'rolling-back', applied: [...failed.keys()], problem });
      return { outcomes: outs, sot: report('pending'), warnings, ...common, problem };
    }
    await sot.abort(plan);
    clearJournal(opts.stateDir, journal.site, plan.txn);
    return { outcomes: outs, sot: report('aborted'), warnings, ...common, problem: null };
  } finally {
    release();
  }
}
