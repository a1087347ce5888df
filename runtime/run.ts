/**
 * Running a task: validate → resolve the site's routers from the inventory → precheck
 * (nothing touched yet) → lock the routers → ansible-playbook → one result document and
 * a chat summary → record what changed. The same path serves the pack's entry scripts,
 * `netops <task>`, `netops run` and `netops chat`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { HostOutcome, TaskDefinition } from './define.js';
import { loadInventory } from './inventory.js';
import { CONTEXT_PARAMS, InvalidParams, maskSecrets, validateParams, type St2Param, type Validate } from './params.js';
import { acquireLocks, LockBusy, readState, writeState } from './state.js';
import { outcomes, runPlaybook } from './ansible.js';
import type { Options } from './options.js';
import { mark } from './trace.js';

/** Exit codes: what a script or StackStorm can tell apart. */
export const Exit = { ok: 0, invalid: 2, failed: 3, partial: 4, busy: 5, timeout: 124 } as const;

/** The result document: JSON on stdout for StackStorm (execution.result.stdout.*), `--json` in the terminal. */
export interface ResultDoc {
  task: string;
  status: 'ok' | 'changed' | 'invalid' | 'busy' | 'failed' | 'partial' | 'timeout';
  exit_code: number;
  dry_run: boolean;
  user: string;
  site: string | null;
  params: Record<string, unknown>;
  hosts: HostOutcome[];
  /** What the chat shows. */
  summary: string;
  error: string | null;
  elapsed_ms: number;
}

/** Action metadata of a task as generated (pack/actions/<task>.yaml). */
export interface ActionMeta { name: string; description: string; parameters: Record<string, St2Param>; tags?: { name: string; value: string }[] }

const metaCache = new Map<string, ActionMeta>();
/** Read a task's generated action metadata. */
export function loadActionMeta(packDir: string, task: string): ActionMeta {
  const p = join(packDir, 'actions', `${task}.yaml`);
  let m = metaCache.get(p);
  if (!m) { m = parse(readFileSync(p, 'utf8')) as ActionMeta; metaCache.set(p, m); }
  return m;
}

/** Replace every secret value anywhere in a JSON-able value. */
function scrub<T>(value: T, secrets: string[]): T {
  if (!secrets.length) return value;
  let s = JSON.stringify(value);
  for (const sec of secrets) s = s.split(JSON.stringify(sec).slice(1, -1)).join('********');
  return JSON.parse(s) as T;
}

/** Run one task with decoded (not yet validated) parameters. */
export async function runTask(
  name: string,
  def: TaskDefinition<any>,
  raw: Record<string, unknown>,
  opts: Options & { dryRun?: boolean; validate: Validate },
): Promise<ResultDoc> {
  const t0 = Date.now();
  mark('task');
  const meta = loadActionMeta(opts.packDir, name);
  mark('meta');
  const params = meta.parameters;
  const dryRun = Boolean(opts.dryRun || raw.dry_run);
  const user = typeof raw.chat_user === 'string' && raw.chat_user ? raw.chat_user : opts.user;
  const secrets = Object.entries(raw).filter(([k, v]) => params[k]?.secret && typeof v === 'string' && v).map(([, v]) => v as string);
  const base = { task: name, dry_run: dryRun, user, hosts: [] as HostOutcome[], params: maskSecrets(raw, params), site: null as string | null };
  const done = (d: Omit<ResultDoc, 'elapsed_ms' | 'task' | 'dry_run' | 'user' | 'params'> & Partial<ResultDoc>): ResultDoc =>
    scrub({ ...base, ...d, elapsed_ms: Date.now() - t0 }, secrets);
  const refuse = (error: string, status: ResultDoc['status'] = 'invalid', code: number = Exit.invalid) =>
    done({ status, exit_code: code, site: base.site, hosts: [], summary: `${user}: ${name.replace(/_/g, ' ')} refused: ${error}`, error });

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
  const siteParam = def.siteParam ?? 'in';
  const site = String(values[siteParam] ?? '');
  base.site = site || null;

  let inventory;
  try { inventory = loadInventory(opts.inventory); } catch (e) {
    return refuse(`cannot read the inventory ${opts.inventory}: ${(e as Error).message}`, 'failed', Exit.failed);
  }
  // Credentials from the inventory (key paths, passwords) are masked like secret parameters.
  for (const h of inventory.hosts.values()) {
    for (const [k, v] of Object.entries(h.vars)) if (/pass(word)?|private_key|vault|secret|token/i.test(k) && typeof v === 'string' && v.length > 3 && !secrets.includes(v)) secrets.push(v);
  }
  const hosts = inventory.sites.get(site);
  if (!hosts || hosts.length === 0) {
    const known = [...inventory.sites.keys()];
    return refuse(`unknown site '${site}'; known sites: ${known.join(', ') || '(none)'}`);
  }
  const ctx = {
    hosts: hosts.map((h) => ({ name: h.name, site: h.site, platform: h.platform, interfaces: h.interfaces })),
    state: (h: string) => readState(opts.stateDir, h),
    dryRun,
  };
  mark('inventory');
  const why = def.precheck?.(values, ctx);
  if (why) return refuse(why);

  let release = () => {};
  if (def.risk === 'change' && !dryRun) {
    try {
      release = await acquireLocks(opts.stateDir, hosts.map((h) => h.name), { user, task: name }, opts.lockWait);
    } catch (e) {
      if (e instanceof LockBusy) return refuse(e.message, 'busy', Exit.busy);
      throw e;
    }
  }
  const timeout = Math.min(def.timeout, opts.taskTimeout ?? Infinity);
  try {
    const run = await runPlaybook({
      ansiblePlaybook: opts.ansiblePlaybook,
      playbook: join(opts.packDir, 'playbooks', def.playbook),
      ansibleConfig: join(opts.packDir, 'playbooks', 'ansible.cfg'),
      inventory: opts.inventory,
      limit: hosts.map((h) => h.name),
      vars: { params: { ...values, backup_dir: join(opts.stateDir, 'backups') } },
      check: dryRun,
      timeoutSeconds: timeout,
      vaultPasswordFile: opts.vaultPasswordFile,
    });
    const outs = outcomes(run, hosts.map((h) => h.name));
    const bad = outs.filter((o) => o.status === 'failed' || o.status === 'unreachable');
    if (def.risk === 'change' && !dryRun && def.record) {
      for (const o of outs) if (!bad.includes(o)) writeState(opts.stateDir, o.host, def.record(values, readState(opts.stateDir, o.host), o));
    }
    const lines = outs.map((o) => {
      if (o.status === 'failed' || o.status === 'unreachable') return `${o.host}: ${o.status.toUpperCase()}: ${o.message}`;
      const line = def.summarize ? def.summarize(values, o) : `${o.host}: ${o.status}`;
      return dryRun && o.commands.length ? `${line}\n  would apply:\n${o.commands.map((c) => `    ${c}`).join('\n')}` : line;
    });
    const status: ResultDoc['status'] = run.timedOut ? 'timeout' : bad.length === outs.length ? 'failed' : bad.length ? 'partial' : outs.some((o) => o.status === 'changed') ? 'changed' : 'ok';
    const code = status === 'timeout' ? Exit.timeout : status === 'failed' ? Exit.failed : status === 'partial' ? Exit.partial : Exit.ok;
    const head = `${user}: ${name.replace(/_/g, ' ')} in ${site}${dryRun ? ' (dry run, nothing changed)' : ''}${status === 'timeout' ? ` stopped after ${timeout}s` : ''}`;
    const error = status === 'timeout' ? `ansible-playbook did not finish within ${timeout}s and was stopped`
      : bad.length ? bad.map((o) => `${o.host}: ${o.message}`).join('; ') : null;
    if (!run.json && !run.timedOut && bad.length) {
      const tail = run.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 400);
      for (const o of outs) o.message = `ansible-playbook exited ${run.exitCode}: ${tail}`;
    }
    const doc = done({ status, exit_code: code, site, hosts: outs, summary: [head, ...lines].join('\n'), error });
    mark('result');
    return doc;
  } finally {
    release();
  }
}
