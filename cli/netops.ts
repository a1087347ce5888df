#!/usr/bin/env node
/** The `netops` command: a thin layer over the generator, the task runtime and the bridge. */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseFlags, UsageError, type FlagSpec } from './args.js';
import { guardStdout, io } from './io.js';
import { hasTask, loadAliases, PACK, REPO, rt, version } from './pack.js';
import { runDoc, runNamed } from './commands/task.js';
import { join } from 'node:path';

export { REPO } from './pack.js';

// node:fs by require, not import: see cli/pack.ts
const { readFileSync, realpathSync } = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

const USAGE = `usage:
  netops build [--check] [--root DIR] [--out DIR]         generate pack/ (--check: fail if pack/ is stale)
  netops <task> [--param value]... [--dry-run] [--json]   run a task, e.g. netops add-peer --in bma --ip 10.0.0.1 --as 65100
  netops run <task> key=value... [--dry-run] [--json]     the same with key=value, e.g. netops run add-peer in=bma ip=10.0.0.1 as=65100
  netops chat "<text>" [--match-only] [--dry-run] [--json] [--user NAME] [--channel NAME]   what the channel would show
  netops chat "<text>" --render <platform>              the configuration it would send (frr eos junos ios iosxr nxos)
  netops parse-syslog [--json] [--ip ADDR]                raw syslog lines on stdin → one JSON event per line
  netops bridge [options]                                 syslog → StackStorm event bridge
  netops tasks                                            list the tasks
  netops recover [in=<site>] [--json]                     finish the changes a crash left behind
  netops approve <id> [reason]                            apply a pending change another user asked for (approvers only)
  netops deny <id> [reason]                               refuse a pending change (approvers only)
  netops inventory [options]                              the Ansible inventory derived from the source of truth
  netops --version
Every command takes --help (netops add-peer --help: its parameters, types and examples).`;

/** Commands other than tasks. */
const COMMANDS = ['build', 'run', 'chat', 'tasks', 'parse-syslog', 'bridge', 'recover', 'inventory', 'approve', 'deny', 'help'];
const Exit = { invalid: 2 } as const;

/** Flags of `netops chat` (one table: a renderer flag is one more entry). */
const CHAT_FLAGS: FlagSpec = {
  'match-only': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  user: { type: 'string' },
  channel: { type: 'string' },
  render: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};
const CHAT_USAGE = `usage: netops chat "<text>" [--match-only] [--dry-run] [--json] [--user NAME] [--channel NAME]
  Matches the text against the pack's aliases exactly as StackStorm does, runs the task, prints what the chat would show.
  --match-only  only show which action and parameters the text means
  --dry-run     show the config lines that would be applied and change nothing
  --json        print the result document (JSON)
  --user NAME   who is asking (default: $NETOPS_USER, else $USER)
  --channel NAME  the channel it is typed in (shown in the rendered answer)
  --render PLATFORM  print the configuration the task would send (frr eos junos ios iosxr nxos), touch nothing
  e.g. netops chat "add peer in=bma ip=10.0.0.1 as=65100" --dry-run`;

async function cmdChat(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, CHAT_FLAGS, { command: 'netops chat', help: 'netops chat --help', positionals: true });
  if (values.help) { io.out(CHAT_USAGE); return 0; }
  const f = new Map(Object.entries(values));
  const text = positionals.join(' ');
  if (!text) throw new UsageError('netops chat: no text; e.g. netops chat "show peers in=bma"', 'netops chat --help');
  const { matchCommand, AliasParseError, loadActionMeta, castAliasParams, CastError } = await rt();
  let match;
  try { match = matchCommand(text, await loadAliases()); } catch (e) {
    if (e instanceof AliasParseError) { io.err(`${e.message}; type: netops chat help`); return Exit.invalid; }
    throw e;
  }
  const name = match.alias.action_ref.replace(/^netops\./, '');
  const params = loadActionMeta(PACK(), name).parameters;
  let cast: Record<string, unknown>;
  try { cast = castAliasParams(match.params, params); } catch (e) {
    if (e instanceof CastError) { io.err(`${name} refused: ${e.message}`); return Exit.invalid; }
    throw e;
  }
  // action-level immutable parameters, and the alias's own immutable_parameters (st2's inject_immutable_parameters)
  const immutable = [...Object.entries(params).filter(([, p]) => p.immutable).map(([k]) => k), ...Object.keys(match.alias.immutable_parameters ?? {})].filter((k) => k in cast);
  if (immutable.length) { io.err(`Immutable arguments cannot be overriden: ${immutable.join(',')}`); return Exit.invalid; }
  // --render <platform>: print the configuration it would send (runtime/render.ts, docs/napalm.md)
  if (f.has('render')) return (await import('../runtime/render.js')).renderCommand(REPO, name, cast, f.get('render'), io.out, io.err);
  if (f.has('match-only')) {
    const doc = { action: match.alias.action_ref, alias: match.alias.name, format: match.representation, parameters: cast };
    io.out(f.has('json') ? JSON.stringify(doc, null, 2) : `${doc.action} ${JSON.stringify(cast)}  (alias ${doc.alias}, format "${doc.format}")`);
    return 0;
  }
  if (name === 'help') {
    const { helpTranscript } = await import('../runtime/chat/render.js');
    const commands = JSON.parse(readFileSync(join(PACK(), 'actions', 'help.json'), 'utf8'));
    io.out(helpTranscript(match.alias, commands, String(cast.topic ?? ''), { user: String(f.get('user') ?? ''), channel: null }));
    return 0;
  }
  // Approvals (docs/chat.md): the workflow's first message; decide needs StackStorm's API.
  if (name.endsWith('_approved')) return (await import('./commands/request-preview.js')).default(name, cast, f);
  if (name === 'decide') {
    io.err(`${match.alias.name} answers a StackStorm Inquiry through StackStorm's API, which netops chat does not reach; without StackStorm: netops ${match.alias.name} <request id> (netops <task> files one)`);
    return Exit.invalid;
  }
  if (f.has('json')) return runNamed(name, cast, f, { chatView: true });
  // What the channel shows: the alias's own ack and result formats (runtime/chat/).
  const doc = await runDoc(name, cast, f, { chatView: true });
  if (typeof doc === 'number') return doc;
  const { chatTranscript } = await import('../runtime/chat/render.js');
  io.out(chatTranscript(match.alias, { user: doc.user, channel: typeof f.get('channel') === 'string' ? (f.get('channel') as string) : null }, f.has('dry-run') ? { ...cast, dry_run: true } : cast, doc));
  (await rt()).flushTrace();
  return doc.exit_code;
}

/** Entry point; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(e.message);
    io.err(`(${e.help} shows what it takes)`);
    return Exit.invalid;
  }
}

async function dispatch(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined: case '--help': case '-h': io.out(USAGE); return 0;
    case '--version': case '-V': io.out(`netops ${version()}`); return 0;
    case 'help': return rest[0] ? dispatch([rest[0], '--help']) : (io.out(USAGE), 0);
    case 'build': return (await import('./commands/build.js')).default(rest);
    case 'chat': return cmdChat(rest);
    case 'run': return (await import('./commands/task.js')).runCommand(rest);
    case 'tasks': return (await import('./commands/task.js')).tasksCommand(rest);
    case 'approve': case 'deny': return (await import('./commands/approve.js')).default(cmd, rest);
    case 'parse-syslog': case 'bridge': case 'recover': case 'inventory': {
      const mod = (await import(`./commands/${cmd}.js`)) as { default: (a: string[]) => Promise<number> };
      return mod.default(rest);
    }
    default: {
      const { taskCommand, unknownTask } = await import('./commands/task.js');
      if (cmd.startsWith('-')) {
        parseFlags([cmd], { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } }, { command: 'netops', help: 'netops --help' });
      }
      if (!/^[\w-]+$/.test(cmd) || !hasTask(cmd)) return unknownTask(cmd, COMMANDS);
      return taskCommand(cmd, rest);
    }
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  guardStdout();
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => { process.stderr.write(`netops: ${(e as Error).stack ?? String(e)}\n`); process.exitCode = 1; });
}
