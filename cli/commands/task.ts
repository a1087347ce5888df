/**
 * `netops <task> --flag value…` and `netops run <task> key=value…`: decode the flags by the
 * task's generated parameter types, run the task in-process through the pack's runtime,
 * print its summary (or, with --json, the result document). `netops tasks` lists them.
 */
import type { ResultDoc, RunExtras } from '../../runtime/run.js';
import type { Options } from '../../runtime/options.js';
import type { ActionMeta } from '../../runtime/run.js';
import type { St2Param } from '../../runtime/params.js';
import { parseFlags, UsageError, type FlagSpec } from '../args.js';
import { io } from '../io.js';
import { hasTask, loadAliases, loadTasks, PACK, REPO, rt } from '../pack.js';

const Exit = { invalid: 2 } as const;

/** The flag of a parameter (`peer_as` → `--peer-as`; `--peer_as` works too). */
export const flagOf = (name: string): string => `--${name.replace(/_/g, '-')}`;

/** The parameters a terminal user gives as flags: `typeable` (runtime/params.ts typeableParams) without dry_run. Here, not in a module of their own: one ES module fewer at every start (docs/sot.md). */
export function flagParams(meta: ActionMeta, typeable: string[]): [string, St2Param][] {
  return typeable.filter((n) => n !== 'dry_run').map((n) => [n, meta.parameters[n]!]);
}

/** Flags every task takes besides its parameters. */
export const TASK_FLAGS: FlagSpec = {
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  user: { type: 'string' },
  'break-glass': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

function report(doc: ResultDoc, json: boolean): number {
  if (json) io.out(JSON.stringify(doc, null, 2));
  else (doc.exit_code === 0 ? io.out : io.err)(doc.summary);
  return doc.exit_code;
}

/** Run one task with decoded parameters; its result document (or the exit code when the task is unknown). */
export async function runDoc(name: string, raw: Record<string, unknown>, f: Map<string, unknown>, extras: Partial<Options & RunExtras> = {}): Promise<ResultDoc | number> {
  const tasks = await loadTasks();
  const t = tasks.get(name);
  if (!t) { io.err(`unknown task '${name}'; tasks: ${[...tasks.values()].map((x) => x.verb).join(', ')}`); return Exit.invalid; }
  const { resolveOptions, runTask, validators, withStopSignals, tasks: all } = await rt();
  const opts = resolveOptions(PACK(), { ...(typeof f.get('user') === 'string' ? { user: f.get('user') as string } : {}) }, REPO);
  return withStopSignals((signal) => runTask(name, t.def, raw, { ...opts, dryRun: f.get('dry-run') === true, validate: validators[name]!, tasks: all, signal, ...(typeof f.get('break-glass') === 'string' ? { breakGlass: f.get('break-glass') as string } : {}), ...extras, ...(process.env.NETOPS_FAULT_INJECT ? { faultInject: process.env.NETOPS_FAULT_INJECT } : {}) }));
}

/** Run one task with decoded parameters; `f` holds the command's flags (dry-run, json, user). */
export async function runNamed(name: string, raw: Record<string, unknown>, f: Map<string, unknown>, extras: Partial<Options & RunExtras> = {}): Promise<number> {
  const doc = await runDoc(name, raw, f, extras);
  if (typeof doc === 'number') return doc;
  // break-glass is announced on stderr too (and recorded in the audit log: show history)
  if (typeof f.get('break-glass') === 'string' && doc.summary.includes('BREAK GLASS')) io.err(`netops: ${doc.summary.split('\n').find((l) => l.includes('BREAK GLASS'))!.trim()} — recorded in the audit log`);
  const code = report(doc, f.get('json') === true);
  (await rt()).flushTrace();
  return code;
}

/** Decode `[name, text]` pairs by the task's parameter types; unknown names are refused. */
async function decodeAll(name: string, pairs: [string, string][]): Promise<Record<string, unknown>> {
  const { taskParams, loadActionMeta, decodeValue, InvalidParams, unknownParam } = await rt();
  const all = loadActionMeta(PACK(), name).parameters;
  const params = taskParams(all);
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [k, v] of pairs) {
    const p = params[k];
    if (!p || p.immutable) { problems.push(unknownParam(k, all)); continue; }
    try { out[k] = decodeValue(k, v, p); } catch (e) { if (e instanceof InvalidParams) problems.push(...e.problems); else throw e; }
  }
  if (problems.length) throw new InvalidParams(problems);
  return out;
}

async function decodeAndRun(verb: string, name: string, pairs: [string, string][], f: Map<string, unknown>): Promise<number> {
  const { InvalidParams } = await rt();
  try { return await runNamed(name, await decodeAll(name, pairs), f); } catch (e) {
    if (e instanceof InvalidParams) { io.err(`${verb} refused: ${e.problems.join('; ')}`); return Exit.invalid; }
    throw e;
  }
}

/** `netops <task> [--param value]… [--dry-run] [--json] [--user NAME]`. */
export async function taskCommand(verb: string, argv: string[]): Promise<number> {
  const name = verb.replace(/-/g, '_');
  const { loadActionMeta, typeableParams } = await rt();
  const meta = loadActionMeta(PACK(), name);
  const params = flagParams(meta, typeableParams(meta.parameters));
  const spec: FlagSpec = { ...TASK_FLAGS };
  const byFlag = new Map<string, string>();
  for (const [n, p] of params) {
    const o = p.type === 'boolean' ? { type: 'boolean' as const } : p.type === 'array' ? { type: 'string' as const, multiple: true } : { type: 'string' as const };
    for (const f of new Set([n, flagOf(n).slice(2)])) { spec[f] = o; byFlag.set(f, n); }
  }
  const { values } = parseFlags(argv, spec, { command: `netops ${verb}`, help: `netops ${verb} --help` });
  if (values.help) { io.out((await import('./task-help.js')).taskHelp(verb, meta, await loadAliases())); return 0; }
  const pairs: [string, string][] = [];
  for (const [f, v] of Object.entries(values)) {
    const n = byFlag.get(f);
    if (!n || v === undefined) continue;
    if (Array.isArray(v)) pairs.push([n, v.length === 1 ? String(v[0]) : JSON.stringify(v.map(String))]);
    else pairs.push([n, v === true ? 'true' : String(v)]);
  }
  return decodeAndRun(verb, name, pairs, new Map(Object.entries(values)));
}

const RUN_USAGE = 'usage: netops run <task> key=value... [--dry-run] [--json] [--user NAME]   (netops tasks lists the tasks)';

/** `netops run <task> key=value… [--dry-run] [--json] [--user NAME]`. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, TASK_FLAGS, { command: 'netops run', help: 'netops run --help', positionals: true });
  const [task, ...kvs] = positionals;
  if (values.help && !task) { io.out(RUN_USAGE); return 0; }
  if (!task) throw new UsageError('netops run: which task? e.g. netops run add-peer in=bma ip=10.0.0.1 as=65100', 'netops tasks');
  if (!hasTask(task)) return unknownTask(task);
  const verb = task.replace(/_/g, '-');
  if (values.help) return taskCommand(verb, ['--help']);
  const pairs: [string, string][] = [];
  for (const kv of kvs) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`netops run: expected key=value, got ${JSON.stringify(kv)}`, `netops ${verb} --help`);
    pairs.push([kv.slice(0, i).replace(/-/g, '_'), kv.slice(i + 1)]);
  }
  return decodeAndRun(task, verb.replace(/-/g, '_'), pairs, new Map(Object.entries(values)));
}

/** "unknown task 'add-per'; did you mean add-peer?" (exit 2). */
export async function unknownTask(task: string, commands: string[] = []): Promise<number> {
  const { closest } = await rt();
  const verbs = [...(await loadTasks()).values()].map((t) => t.verb);
  const near = closest(task, [...verbs, ...commands]);
  io.err(`netops: unknown ${commands.length ? 'command' : 'task'} '${task}'${near ? `; did you mean ${near}?` : ''}`);
  io.err(`tasks: ${verbs.join(', ')} (netops tasks; netops --help for the other commands)`);
  return Exit.invalid;
}

/** `netops tasks`: one line per task. */
export async function tasksCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { help: { type: 'boolean', short: 'h' } }, { command: 'netops tasks', help: 'netops --help' });
  if (values.help) { io.out('usage: netops tasks   list the tasks (netops <task> --help shows one)'); return 0; }
  for (const t of (await loadTasks()).values()) io.out(`${t.verb.padEnd(18)} netops.${t.name}  ${t.def.description}`);
  return 0;
}
