#!/usr/bin/env node
/** The `netops` command: a thin layer over the generator, the task runtime and the bridge. */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TaskDefinition } from '../runtime/define.js';
import type { AliasDoc } from '../runtime/alias-match.js';
import type { ResultDoc } from '../runtime/run.js';
import type * as PackRuntime from '../runtime/pack-entry.js';

/** The checkout this CLI runs from (dist/cli/netops.js → repo root). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `usage:
  netops build [--check] [--root DIR] [--out DIR]     generate pack/ (--check: fail if pack/ is stale)
  netops <task> [--param value]... [--dry-run] [--json]   run a task, e.g. netops add-peer --in bma --ip 10.0.0.1 --as 65100
  netops run <task> key=value... [--dry-run] [--json]
  netops chat "<text>" [--match-only] [--dry-run] [--json] [--user NAME]
  netops parse-syslog [--json] [--ip ADDR]           raw syslog lines on stdin → one JSON event per line
  netops bridge [options]                              syslog → StackStorm event bridge (netops bridge --help)
  netops tasks                                         list the tasks`;

interface Io { out: (s: string) => void; err: (s: string) => void }
const io: Io = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') };

/** Split argv into flags (--k v, --k=v, bare --k) and positionals. */
function flags(argv: string[], booleans: string[]): { f: Map<string, string | true>; rest: string[] } {
  const f = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--([^=]+)(?:=([\s\S]*))?$/.exec(a);
    if (!m) { rest.push(a); continue; }
    if (m[2] !== undefined) f.set(m[1]!, m[2]);
    else if (booleans.includes(m[1]!) || i + 1 >= argv.length || argv[i + 1]!.startsWith('--')) f.set(m[1]!, true);
    else f.set(m[1]!, argv[++i]!);
  }
  return { f, rest };
}

async function cmdBuild(argv: string[]): Promise<number> {
  const { f } = flags(argv, ['check']);
  const root = resolve(String(f.get('root') ?? REPO));
  const out = resolve(String(f.get('out') ?? join(root, 'pack')));
  const cache = await import('../generator/cache.js');
  const fp = cache.fingerprint(root, ['actions', 'aliases', 'rules', 'playbooks'].map((d) => join(root, d)), [join(root, 'bridge', 'event.ts')]);
  const known = f.get('check') ? cache.recalled(root, fp) : null;
  if (known) {
    const s = cache.staleAgainst(out, known);
    return reportStale(s, Object.keys(known).length);
  }
  // The generator (and the TypeScript compiler under ts-morph) loads only when a build is needed.
  const { buildPack } = await import('../generator/build.js');
  const { DiagnosticError } = await import('../generator/diagnostics.js');
  const { staleFiles, writePack } = await import('../generator/write.js');
  let files;
  try { files = await buildPack({ root }); } catch (e) {
    if (e instanceof DiagnosticError) { io.err(e.message); io.err(`\n${e.diagnostics.length} error(s); pack/ not written`); return 1; }
    throw e;
  }
  cache.recordBuild(root, fp, files);
  if (f.get('check')) return reportStale(staleFiles(out, files), files.length);
  const w = writePack(out, files);
  io.out(`pack: ${files.length} files, ${w.written.length} written, ${w.removed.length} removed`);
  return 0;
}

function reportStale(s: { changed: string[]; missing: string[]; extra: string[] }, total: number): number {
  const n = s.changed.length + s.missing.length + s.extra.length;
  if (n === 0) { io.out(`pack is current (${total} files)`); return 0; }
  for (const p of s.changed) io.err(`stale:   ${p}`);
  for (const p of s.missing) io.err(`missing: ${p}`);
  for (const p of s.extra) io.err(`extra:   ${p}`);
  io.err(`pack/ is stale (${n} file(s)); run: npx netops build`);
  return 1;
}

const PACK = () => join(REPO, 'pack');

/**
 * The task runtime, loaded from the pack's own bundle (one file: the same code StackStorm
 * runs, and much faster to load than the compiled module tree).
 */
type Runtime = typeof PackRuntime & { tasks: Record<string, TaskDefinition<any>>; validators: Record<string, PackRuntime.Validate> };
let rtCache: Runtime | null = null;
async function rt(): Promise<Runtime> {
  rtCache ??= (await import(pathToFileURL(join(PACK(), 'actions', 'runtime', 'netops.mjs')).href)) as Runtime;
  return rtCache;
}
const Exit = { invalid: 2 } as const;

/** Task definitions compiled from actions/*.ts, by st2 name. */
async function loadTasks(): Promise<Map<string, { verb: string; def: TaskDefinition<any> }>> {
  const { tasks } = await rt();
  return new Map(Object.keys(tasks).sort().map((n) => [n, { verb: n.replace(/_/g, '-'), def: tasks[n]! }]));
}

async function loadAliases(): Promise<AliasDoc[]> {
  const { parseYaml } = await rt();
  const dir = join(PACK(), 'aliases');
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => parseYaml(readFileSync(join(dir, f), 'utf8')) as AliasDoc);
}

function report(doc: ResultDoc, json: boolean): number {
  if (json) io.out(JSON.stringify(doc, null, 2));
  else (doc.exit_code === 0 ? io.out : io.err)(doc.summary);
  return doc.exit_code;
}

async function runNamed(name: string, raw: Record<string, unknown>, f: Map<string, string | true>): Promise<number> {
  const tasks = await loadTasks();
  const t = tasks.get(name);
  if (!t) { io.err(`unknown task '${name}'; tasks: ${[...tasks.values()].map((x) => x.verb).join(', ')}`); return Exit.invalid; }
  const { resolveOptions, runTask, validators, withStopSignals, tasks: all } = await rt();
  const opts = resolveOptions(PACK(), { ...(typeof f.get('user') === 'string' ? { user: f.get('user') as string } : {}) }, REPO);
  const doc = await withStopSignals((signal) => runTask(name, t.def, raw, { ...opts, dryRun: f.has('dry-run'), validate: validators[name]!, tasks: all, signal, ...(process.env.NETOPS_FAULT_INJECT ? { faultInject: process.env.NETOPS_FAULT_INJECT } : {}) }));
  const code = report(doc, f.has('json'));
  (await rt()).flushTrace();
  return code;
}

async function decodeAll(name: string, pairs: [string, string][]): Promise<Record<string, unknown>> {
  const { taskParams, loadActionMeta, decodeValue, InvalidParams } = await rt();
  const params = taskParams(loadActionMeta(PACK(), name).parameters);
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [k, v] of pairs) {
    const p = params[k];
    if (!p) { problems.push(`unknown parameter '${k}'; this task takes ${Object.keys(params).filter((x) => !['chat_user', 'chat_channel'].includes(x)).join(', ')}`); continue; }
    try { out[k] = decodeValue(k, v, p); } catch (e) { if (e instanceof InvalidParams) problems.push(...e.problems); else throw e; }
  }
  if (problems.length) throw new InvalidParams(problems);
  return out;
}

async function cmdTask(verb: string, argv: string[]): Promise<number> {
  const name = verb.replace(/-/g, '_');
  if (!existsSync(join(PACK(), 'actions', `${name}.yaml`))) { io.err(`unknown command '${verb}'\n${USAGE}`); return Exit.invalid; }
  const { f, rest } = flags(argv, ['dry-run', 'json']);
  if (rest.length) { io.err(`unexpected '${rest[0]}': give parameters as --name value`); return Exit.invalid; }
  const pairs: [string, string][] = [...f].filter(([k]) => !['dry-run', 'json', 'user'].includes(k)).map(([k, v]) => [k.replace(/-/g, '_'), v === true ? 'true' : v]);
  const { InvalidParams } = await rt();
  try { return await runNamed(name, await decodeAll(name, pairs), f); } catch (e) {
    if (e instanceof InvalidParams) { io.err(`${verb} refused: ${e.problems.join('; ')}`); return Exit.invalid; }
    throw e;
  }
}

async function cmdRun(argv: string[]): Promise<number> {
  const { f, rest } = flags(argv, ['dry-run', 'json']);
  const [task, ...kvs] = rest;
  if (!task) { io.err(USAGE); return Exit.invalid; }
  const name = task.replace(/-/g, '_');
  if (!existsSync(join(PACK(), 'actions', `${name}.yaml`))) { io.err(`unknown task '${task}'`); return Exit.invalid; }
  const pairs: [string, string][] = [];
  for (const kv of kvs) {
    const i = kv.indexOf('=');
    if (i <= 0) { io.err(`expected key=value, got '${kv}'`); return Exit.invalid; }
    pairs.push([kv.slice(0, i), kv.slice(i + 1)]);
  }
  const { InvalidParams } = await rt();
  try { return await runNamed(name, await decodeAll(name, pairs), f); } catch (e) {
    if (e instanceof InvalidParams) { io.err(`${task} refused: ${e.problems.join('; ')}`); return Exit.invalid; }
    throw e;
  }
}

async function cmdChat(argv: string[]): Promise<number> {
  const { f, rest } = flags(argv, ['match-only', 'dry-run', 'json']);
  const text = rest.join(' ');
  if (!text) { io.err('usage: netops chat "<text>" [--match-only] [--dry-run] [--json]'); return Exit.invalid; }
  const { matchCommand, AliasParseError, loadActionMeta, castAliasParams, CastError } = await rt();
  let match;
  try { match = matchCommand(text, await loadAliases()); } catch (e) {
    if (e instanceof AliasParseError) { io.err(e.message); return Exit.invalid; }
    throw e;
  }
  const name = match.alias.action_ref.replace(/^netops\./, '');
  const params = loadActionMeta(PACK(), name).parameters;
  let cast: Record<string, unknown>;
  try { cast = castAliasParams(match.params, params); } catch (e) {
    if (e instanceof CastError) { io.err(`${name} refused: ${e.message}`); return Exit.invalid; }
    throw e;
  }
  const immutable = Object.entries(params).filter(([, p]) => p.immutable).map(([k]) => k).filter((k) => k in cast);
  if (immutable.length) { io.err(`Immutable arguments cannot be overriden: ${immutable.join(',')}`); return Exit.invalid; }
  if (f.has('match-only')) {
    const doc = { action: match.alias.action_ref, alias: match.alias.name, format: match.representation, parameters: cast };
    io.out(f.has('json') ? JSON.stringify(doc, null, 2) : `${doc.action} ${JSON.stringify(cast)}  (alias ${doc.alias}, format "${doc.format}")`);
    return 0;
  }
  return runNamed(name, cast, f);
}

/** Entry point; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined: case 'help': case '--help': case '-h': io.out(USAGE); return 0;
    case 'build': return cmdBuild(rest);
    case 'chat': return cmdChat(rest);
    case 'run': return cmdRun(rest);
    case 'tasks': for (const [n, t] of await loadTasks()) io.out(`${t.verb.padEnd(18)} netops.${n}  ${t.def.description}`); return 0;
    case 'parse-syslog': case 'bridge': case 'recover': case 'inventory': {
      const mod = (await import(`./commands/${cmd}.js`)) as { default: (a: string[]) => Promise<number> };
      return mod.default(rest);
    }
    default: return cmdTask(cmd, rest);
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => { process.stderr.write(`netops: ${(e as Error).stack ?? String(e)}\n`); process.exitCode = 1; });
}
