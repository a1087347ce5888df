/**
 * Running a task: validate → the site's routers from the source of truth → precheck and
 * plan (nothing touched yet) → for a change: lock the routers, journal, record pending,
 * push with ansible-playbook, then commit — or roll the routers back and abort, so that
 * the source of truth and the routers stay consistent → one result document and a chat
 * summary → the audit log. The same path serves the pack's entry scripts, `netops <task>`,
 * `netops run` and `netops chat`.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import type { HostOutcome, TaskContext, TaskDefinition } from './define.js';
import { CONTEXT_PARAMS, InvalidParams, maskSecrets, validateParams, type St2Param, type Validate } from './params.js';
import type { Options } from './options.js';
import { mark } from './trace.js';
import { openSot } from '../sot/open.js';
import { Refusal, SotError, type Actor, type Plan, type SiteView, type SourceOfTruth } from '../sot/types.js';
import { newTxn } from '../sot/plan.js';
import { taskContext } from './context.js';
import { LockBusy } from './locks.js';
import { AccessConfigError, checkAccess, terminalUser } from './access.js';
import type { Approval } from './gate.js';
import { approvalRequired } from './approval.js';
import { markRunning } from './running.js';

/** Exit codes: what a script or StackStorm can tell apart. */
export const Exit = { ok: 0, invalid: 2, failed: 3, partial: 4, busy: 5, stopped: 130, timeout: 124 } as const;

/** The source-of-truth part of a result. */
export interface SotReport {
  backend: string;
  /** What was (or, in a dry run, would be) written; or what was undone. */
  steps: string[];
  txn: string | null;
  /** committed: kept; aborted: nothing kept; pending: left for `netops recover`; none: nothing to write. */
  outcome: 'committed' | 'aborted' | 'pending' | 'none' | 'dry-run';
}

/** The result document: JSON on stdout for StackStorm (execution.result.stdout.*), `--json` in the terminal. */
export interface ResultDoc {
  task: string;
  status: 'ok' | 'changed' | 'invalid' | 'denied' | 'busy' | 'failed' | 'partial' | 'timeout' | 'stopped';
  exit_code: number;
  dry_run: boolean;
  user: string;
  site: string | null;
  params: Record<string, unknown>;
  hosts: HostOutcome[];
  /** What the chat shows. */
  summary: string;
  error: string | null;
  /** What to type next (after a failure or refusal); null when nothing is needed. */
  next: string | null;
  /** Things the operator must know although the task went through. */
  warnings: string[];
  sot: SotReport | null;
  /** Data of tasks that answer from the source of truth (show site, history, drift). */
  data?: Record<string, unknown>;
  /** Change tasks: whether a real run waits for an approver, who they are, how long it waits; on a pending terminal request its id. */
  approval?: { required: boolean; approvers: string[]; ttl_minutes: number; request?: string; approved_by?: string };
  elapsed_ms: number;
}

/** Action metadata of a task as generated (pack/actions/<task>.yaml). */
export interface ActionMeta { name: string; description: string; parameters: Record<string, St2Param>; tags?: { name: string; value: string }[] }

const metaCache = new Map<string, ActionMeta>();
/** Read a task's generated action metadata. */
export function loadActionMeta(packDir: string, task: string): ActionMeta {
  const p = join(packDir, 'actions', `${task}.yaml`);
  let m = metaCache.get(p);
  // generated YAML: js-yaml's core schema reads it several times faster than a Document parse
  if (!m) { m = jsyaml.load(readFileSync(p, 'utf8'), { schema: jsyaml.CORE_SCHEMA, filename: p }) as ActionMeta; metaCache.set(p, m); }
  return m;
}

/** Replace every secret value anywhere in a JSON-able value. */
export function scrub<T>(value: T, secrets: string[]): T {
  if (!secrets.length) return value;
  let s = JSON.stringify(value);
  for (const sec of secrets) s = s.split(JSON.stringify(sec).slice(1, -1)).join('********');
  return JSON.parse(s) as T;
}

/** What a run needs besides the options. */
export interface RunExtras {
  dryRun?: boolean;
  validate: Validate;
  /** Every task of the pack (the undo of a change runs another task's playbook). */
  tasks?: Record<string, TaskDefinition<any>>;
  /** Aborted on SIGTERM/SIGINT/SIGHUP: the run stops Ansible, rolls back and reports. */
  signal?: AbortSignal;
  /** The command as typed (for the audit log); default: task and parameters. */
  command?: string;
  /** The OS user a terminal run is checked as (default: the real uid's name). */
  terminalUser?: string;
  /** Test-only fault injection passed to the playbook as netops_fault_inject. */
  faultInject?: string;
  /** Terminal: the approval of a pending request (`netops approve <id>`). */
  approval?: Approval;
  /** Terminal: --break-glass "<reason>" (access.approvals.break_glass; recorded and announced). */
  breakGlass?: string;
  /** `netops chat`: a change waiting for approval answers as in the channel (type `request …`) instead of filing a terminal request. */
  chatView?: boolean;
  /** The OS uid a terminal request is filed as (default: the real uid). */
  uid?: number;
}

const taskWords = (name: string) => name.replace(/_/g, ' ');

/** Run one task with decoded (not yet validated) parameters. */
export async function runTask(name: string, def: TaskDefinition<any>, raw: Record<string, unknown>, opts: Options & RunExtras): Promise<ResultDoc> {
  const t0 = Date.now();
  mark('task');
  // A task that pushes starts loading Ansible's side of the runtime now, alongside the
  // source-of-truth read (the bundle's chunks load at the very start of a run, never mid-push).
  const pushing = def.playbook || def.risk === 'change' ? Promise.all([import('./txn.js'), import('./ansible.js'), def.risk === 'change' ? import('./recover.js') : null]) : null;
  pushing?.catch(() => undefined); // awaited below; a run refused earlier must not leave it unhandled
  const meta = loadActionMeta(opts.packDir, name);
  const params = meta.parameters;
  const dryRun = Boolean(opts.dryRun || raw.dry_run);
  const fromChat = typeof raw.chat_user === 'string' && raw.chat_user !== '';
  const user = fromChat ? (raw.chat_user as string) : opts.user;
  const channel = typeof raw.chat_channel === 'string' && raw.chat_channel ? raw.chat_channel : opts.channel;
  const secrets = Object.entries(raw).filter(([k, v]) => params[k]?.secret && typeof v === 'string' && v).map(([, v]) => v as string);
  const base = { task: name, dry_run: dryRun, user, hosts: [] as HostOutcome[], params: maskSecrets(raw, params), site: null as string | null, next: null as string | null, warnings: [] as string[], sot: null as SotReport | null, approval: undefined as ResultDoc['approval'] };
  const done = (d: Partial<ResultDoc> & Pick<ResultDoc, 'status' | 'exit_code' | 'summary' | 'error'>): ResultDoc =>
    scrub({ ...base, ...d, elapsed_ms: Date.now() - t0 }, secrets);
  const refuse = (error: string, status: ResultDoc['status'] = 'invalid', code: number = Exit.invalid, next: string | null = null) =>
    done({ status, exit_code: code, hosts: [], summary: `${user}: ${taskWords(name)} refused: ${error}`, error, next });

  let values: Record<string, unknown>;
  try {
    const own = Object.fromEntries(Object.entries(raw).filter(([k]) => !CONTEXT_PARAMS.includes(k)));
    values = validateParams(own, params, opts.validate);
  } catch (e) {
    if (e instanceof InvalidParams) return refuse(e.problems.join('; '));
    throw e;
  }
  mark('validated');
  base.params = maskSecrets(values, params);
  const site = String(values[def.siteParam ?? 'in'] ?? '');
  base.site = site || null;

  // Who may do what, before anything is touched. A terminal run is checked as the real OS
  // user (NETOPS_USER and --user only label it); a chat run as the chat user StackStorm passes.
  const via = fromChat ? 'chat' as const : 'terminal' as const;
  const asUser = fromChat ? user : opts.terminalUser ?? terminalUser();
  const denied = opts.access instanceof AccessConfigError
    ? { reason: `the access policy cannot be read: ${opts.access.message}`, hint: 'fix access: in the pack config' }
    : checkAccess(opts.access, { task: name, risk: def.risk, user: asUser, channel: fromChat ? channel : null, via });
  if (denied) {
    const doc = refuse(denied.reason, 'denied', Exit.invalid, denied.hint);
    try {
      await openSot(opts.sot).record({ id: newTxn(), at: new Date().toISOString(), user: asUser, channel, via, task: name, site: site || null, params: doc.params, plan: [], status: 'denied', summary: denied.reason, txn: null });
    } catch (e) { doc.warnings.push(`the refusal could not be recorded: ${(e as Error).message}`); }
    return doc;
  }

  try {
    mkdirSync(opts.stateDir, { recursive: true, mode: 0o750 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return refuse(`cannot create the state directory ${opts.stateDir} (${code}) as user ${opts.user}`, 'failed', Exit.failed,
      `create it owned by the user StackStorm runs actions as (e.g. install -d -o stanley ${opts.stateDir}), or set state_dir in the pack config`);
  }

  let sot: SourceOfTruth;
  let view: SiteView | null;
  try {
    sot = openSot(opts.sot);
    // A read of the source of truth alone may span every site (show history without in=).
    if (def.read && !def.playbook && !site) {
      const r = await def.read(values, { hosts: [], site: { site: { name: '', description: null }, routers: [], prefixes: [], allocations: [], peers: [] }, dryRun, sot });
      return done({ status: 'ok', exit_code: Exit.ok, summary: r.summary, error: null, data: r.data, hosts: [] });
    }
    view = await sot.site(site);
    if (!view) {
      const known = (await sot.sites()).map((s) => s.name);
      return refuse(`unknown site '${site}'; known sites: ${known.join(', ') || '(none)'}`, 'invalid', Exit.invalid, known[0] ? `e.g. in=${known[0]}` : null);
    }
  } catch (e) {
    if (e instanceof SotError) return refuse(`the source of truth cannot be read, nothing was changed: ${e.message}`, 'failed', Exit.failed, 'fix the file or the service named above, then run the command again');
    throw e;
  }
  mark('sot');
  base.sot = { backend: sot.kind, steps: [], txn: null, outcome: 'none' };
  const ctx: TaskContext = taskContext(view, dryRun);
  const hosts = ctx.hosts;
  if (hosts.length === 0) return refuse(`site ${site} has no routers in the source of truth (${sot.location})`);

  // A change left behind by a crash at this site is finished first (or this one waits).
  if (def.risk === 'change' && !dryRun) {
    const { recoverSite } = (await pushing)?.[2] ?? (await import('./recover.js'));
    // A live change at the site is waited for like a router lock (NETOPS_LOCK_WAIT).
    const until = Date.now() + opts.lockWait * 1000;
    let rec = await recoverSite(site, sot, { ...opts, user });
    while (rec.busy && Date.now() < until) {
      await new Promise((res) => setTimeout(res, 200));
      rec = await recoverSite(site, sot, { ...opts, user });
    }
    if (rec.busy) return refuse(rec.busy, 'busy', Exit.busy, 'try again when it is done');
    if (rec.failed) return refuse(`an earlier change at ${site} could not be finished: ${rec.failed}`, 'failed', Exit.failed, `fix the router, then run: netops recover in=${site}`);
    if (rec.notes.length) { base.warnings.push(...rec.notes); view = (await sot.site(site))!; ctx.site = view; }
  }

  const why = def.precheck?.(values, ctx);
  if (why) return refuse(why);

  const actor: Actor = { user, channel, via: fromChat ? 'chat' : 'terminal', command: opts.command ?? `${taskWords(name)} ${Object.entries(base.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}` };
  let plan: Plan | null = null;
  const change = def.change?.(values, ctx) ?? null;
  if (change) {
    try { plan = await sot.plan(change, actor, view); } catch (e) {
      if (e instanceof Refusal) return refuse(e.message, 'invalid', Exit.invalid, e.hint);
      if (e instanceof SotError) return refuse(`the source of truth cannot be read, nothing was changed: ${e.message}`, 'failed', Exit.failed);
      throw e;
    }
    base.sot = { backend: sot.kind, steps: plan.steps, txn: plan.txn, outcome: dryRun ? 'dry-run' : 'none' };
  }
  mark('planned');

  if (def.read && !def.playbook) {
    const r = await def.read(values, { ...ctx, sot });
    return done({ status: 'ok', exit_code: Exit.ok, summary: r.summary, error: null, data: r.data, hosts: [] });
  }

  let gateNote: string | null = null;
  // A second pair of eyes (runtime/gate.ts): after the plan, before any router is touched.
  if (def.risk === 'change' && !(opts.access instanceof AccessConfigError)) {
    const policy = opts.access;
    const required = approvalRequired(policy, { task: name, risk: 'change', dryRun: false });
    const info = { required, approvers: policy.approvals.approvers, ttl_minutes: policy.approvals.ttlMinutes };
    base.approval = info;
    if (!dryRun) {
      const approval: Approval | undefined = fromChat
        ? (typeof raw.approved_by === 'string' && raw.approved_by ? { approvedBy: raw.approved_by, requestId: String(raw.approval_request ?? 'workflow') } : undefined)
        : opts.approval;
      // The gate (and the config renderer it shows plans with) loads only for a real change.
      const { approvalGate } = await import('./gate.js');
      const gate = await approvalGate({
        policy, task: name, site, values: base.params, view, sot, via: opts.chatView ? 'chat' : via, user: fromChat ? user : asUser, channel: fromChat ? channel : null,
        uid: opts.uid ?? process.getuid?.() ?? -1, packDir: opts.packDir, stateDir: opts.stateDir, steps: plan?.steps ?? [], command: actor.command, hasSecrets: secrets.length > 0,
        ...(approval ? { approval } : {}), ...(!fromChat && opts.breakGlass !== undefined ? { breakGlass: opts.breakGlass } : {}),
      });
      if (gate.kind === 'refuse') return refuse(gate.reason, 'denied', Exit.invalid, gate.hint);
      if (gate.kind === 'pending') return done({ status: 'denied', exit_code: Exit.invalid, summary: gate.summary, error: 'approval required', next: gate.next, approval: { ...info, request: gate.request.id } });
      gateNote = gate.note;
      if (gate.note && approval) base.approval = { ...info, approved_by: approval.approvedBy };
    }
  }

  // Ansible (execa, the inventory, the transaction) loads only for tasks that push: a read of
  // the source of truth alone (show site, history) does not pay for it at start-up.
  const [{ pushContext, pushPlaybook, runChange }, { outcomes }] = (await pushing) ?? [await import('./txn.js'), await import('./ansible.js')];
  const push = pushContext(opts, def, name, values, ctx, sot, secrets);

  const routers = hosts.map((h) => h.name);
  // Observers (the bridge's correlation) see a change while it runs: marked before any router is
  // touched, unmarked once its audit entry is written (runtime/running.ts).
  const markChange = (id: string, txn: string | null, steps: string[]) =>
    markRunning(opts.stateDir, { id, at: new Date().toISOString(), user, channel, via: actor.via, task: name, site, params: base.params, plan: steps, status: 'running', summary: '', txn, routers });
  const audit = (result: ResultDoc, e: { id: string; txn: string | null; plan: string[]; summary: string }) =>
    sot.record({ id: e.id, at: new Date().toISOString(), user, channel, via: actor.via, task: name, site, params: result.params, plan: e.plan, status: result.status, summary: e.summary, txn: e.txn })
      .catch((err: Error) => { result.warnings.push(`the audit log could not be written: ${err.message}`); });
  const pushedLines = (outs: HostOutcome[]) => outs.flatMap((o) => o.commands.map((c) => `${o.host}: ${c}`));

  if (def.risk !== 'change' || dryRun || !plan) {
    const run = newTxn();
    const changing = def.risk === 'change' && !dryRun;
    const unmark = changing ? markChange(run, null, []) : () => undefined;
    try {
      const res = await pushPlaybook(push, def.playbook!, values, routers, run, {
        timeout: Math.min(def.timeout, opts.taskTimeout ?? Infinity), check: dryRun && def.risk === 'change', vars: def.vars?.(values, ctx) ?? {}, ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const outs = outcomes(res, routers);
      const doc = finish(name, def, values, ctx, outs, { dryRun, user, site, timedOut: res.timedOut, stopped: res.stopped, timeout: Math.min(def.timeout, opts.taskTimeout ?? Infinity), stderr: res.stderr, json: res.json !== null, exitCode: res.exitCode });
      if (dryRun && plan) doc.summaryLines.splice(1, 0, ...plan.steps.map((s) => `  would ${s}`));
      const result = done({ ...doc.result, warnings: [...base.warnings, ...doc.result.warnings], summary: doc.summaryLines.join('\n'), hosts: outs });
      // A change with no source-of-truth record (set interface) is audited too: who changed which router.
      if (changing) await audit(result, { id: run, txn: null, plan: pushedLines(outs), summary: result.summary.split('\n')[0]! });
      return result;
    } finally { unmark(); }
  }

  const unmark = markChange(plan.txn, plan.txn, plan.steps);
  try {
    let r;
    try { r = await runChange(push, sot, plan, user); } catch (e) {
      if (e instanceof LockBusy) return refuse(e.message, 'busy', Exit.busy, 'try again when it is done');
      // planned again under the router locks (txn.ts replanUnderLocks), or the prepare found the
      // records changed since: refused, nothing written
      if (e instanceof Refusal) return refuse(e.message, 'invalid', Exit.invalid, e.hint);
      if (e instanceof SotError) return refuse(`the source of truth cannot be read, nothing was changed: ${e.message}`, 'failed', Exit.failed);
      throw e;
    }
    base.sot = r.sot;
    base.warnings.push(...r.warnings);
    const doc = finish(name, def, values, ctx, r.outcomes, { dryRun, user, site, timedOut: r.timedOut, stopped: r.stopped, timeout: Math.min(def.timeout, opts.taskTimeout ?? Infinity), stderr: r.stderr, json: r.json, exitCode: r.exitCode });
    const lines = [...doc.summaryLines];
    if (gateNote) lines.splice(1, 0, `  ${gateNote}`);
    if (r.sot.outcome === 'committed') lines.push(...plan.steps.map((s) => `  source of truth: ${s}`));
    if (r.sot.outcome === 'aborted') lines.push(`  nothing kept: the routers were rolled back and the source of truth was left as it was`);
    if (r.sot.outcome === 'pending') lines.push(`  NOT CONSISTENT YET: ${r.problem}; the change is journaled as ${plan.txn}: run netops recover in=${site}`);
    const result = done({ ...doc.result, warnings: [...base.warnings, ...doc.result.warnings], summary: lines.join('\n'), hosts: r.outcomes, next: r.sot.outcome === 'pending' ? `netops recover in=${site}` : doc.result.next ?? null });
    await audit(result, { id: plan.txn, txn: plan.txn, plan: [...plan.steps, ...pushedLines(r.outcomes)], summary: result.summary.split('\n')[0]! + (gateNote ? ` (${gateNote})` : '') });
    return result;
  } finally { unmark(); }
}

/** Status, exit code and chat lines from the per-host outcomes. */
function finish(name: string, def: TaskDefinition<any>, values: Record<string, unknown>, ctx: TaskContext, outs: HostOutcome[],
  r: { dryRun: boolean; user: string; site: string; timedOut: boolean; stopped: boolean; timeout: number; stderr: string; json: boolean; exitCode: number | undefined }) {
  const bad = outs.filter((o) => o.status === 'failed' || o.status === 'unreachable');
  if (!r.json && !r.timedOut && !r.stopped && bad.length) {
    const tail = r.stderr.trim().split('\n').slice(-6).join('\n').slice(0, 2000);
    for (const o of outs) o.message = `ansible-playbook exited ${r.exitCode}: ${tail}`;
  }
  const lines = outs.map((o) => {
    if (o.status === 'failed' || o.status === 'unreachable') return `${o.host}: ${o.status.toUpperCase()}: ${o.message}${o.rolledBack ? `\n  rolled back: ${o.rolledBack}` : ''}`;
    const line = def.summarize ? def.summarize(values, o) : `${o.host}: ${o.status}`;
    const rb = o.rolledBack ? `\n  rolled back: ${o.rolledBack}` : '';
    return r.dryRun && o.commands.length ? `${line}\n  would apply:\n${o.commands.map((c) => `    ${c}`).join('\n')}` : line + rb;
  });
  const report = def.report?.(values, ctx, outs) ?? null;
  const status: ResultDoc['status'] = r.timedOut ? 'timeout' : r.stopped ? 'stopped' : bad.length === outs.length ? 'failed' : bad.length ? 'partial' : outs.some((o) => o.status === 'changed') ? 'changed' : 'ok';
  const code = { timeout: Exit.timeout, stopped: Exit.stopped, failed: Exit.failed, partial: Exit.partial }[status as 'timeout'] ?? Exit.ok;
  const head = `${r.user}: ${taskWords(name)} in ${r.site}${r.dryRun ? ' (dry run, nothing changed)' : ''}${status === 'timeout' ? ` stopped after ${r.timeout}s` : status === 'stopped' ? ' stopped (netops was asked to stop)' : ''}`;
  const error = status === 'timeout' ? `ansible-playbook did not finish within ${r.timeout}s and was stopped`
    : status === 'stopped' ? 'the run was stopped by a signal (StackStorm cancel or timeout, or Ctrl-C)'
    : bad.length ? bad.map((o) => `${o.host}: ${o.message}`).join('\n') : null;
  const warnings = outs.flatMap((o) => (o.warning ? [`${o.host}: ${o.warning}`] : []));
  return {
    summaryLines: report ? [head, report.summary] : [head, ...lines],
    result: { status, exit_code: code, error, warnings, next: bad.length ? `show peers in=${r.site}` : null, ...(report ? { data: report.data } : {}) } as Pick<ResultDoc, 'status' | 'exit_code' | 'error' | 'warnings' | 'next'> & { data?: Record<string, unknown> },
  };
}
