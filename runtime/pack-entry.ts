/** What a generated entry script runs: decode StackStorm's argv, run the task, print the JSON result. */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskDefinition } from './define.js';
import { resolveOptions } from './options.js';
import { createHash } from 'node:crypto';
import { decodeSt2Argv, InvalidParams, type Validate } from './params.js';
import { Exit, loadActionMeta, runTask } from './run.js';
import { flushTrace } from './trace.js';
import { withStopSignals } from './session.js';
// The Nautobot backend registers itself with sot/open.ts (sot_backend: nautobot).
import '../sot/nautobot/register.js';

/** Build the `runEntry(task, entryUrl, argv)` of a pack bundle from its task table. */
export function makeRunEntry(tasks: Record<string, TaskDefinition<any>>, validators: Record<string, Validate>) {
  return async function runEntry(name: string, entryUrl: string, argv: string[]): Promise<number> {
    const packDir = dirname(dirname(fileURLToPath(entryUrl)));
    const def = tasks[name];
    const out = (doc: unknown) => process.stdout.write(JSON.stringify(doc) + '\n');
    if (!def) { out({ task: name, status: 'invalid', error: `this pack has no task ${name}` }); return Exit.invalid; }
    const meta = loadActionMeta(packDir, name);
    let raw: Record<string, unknown>;
    try { raw = decodeSt2Argv(argv, meta.parameters); } catch (e) {
      if (!(e instanceof InvalidParams)) throw e;
      const error = e.problems.join('; ');
      out({ task: name, status: 'invalid', exit_code: Exit.invalid, summary: `${name.replace(/_/g, ' ')} refused: ${error}`, error });
      return Exit.invalid;
    }
    if (process.env.NETOPS_DECODE_ONLY === '1') {
      // Debug aid: show what StackStorm passed, typed; secrets only as a digest.
      const shown = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, meta.parameters[k]?.secret ? `sha256:${createHash('sha256').update(String(v)).digest('hex')}` : v]));
      out({ task: name, params: shown });
      return Exit.ok;
    }
    const opts = resolveOptions(packDir, { channel: typeof raw.chat_channel === 'string' ? raw.chat_channel : null });
    let doc;
    try {
      doc = await withStopSignals((signal) => runTask(name, def, raw, { ...opts, validate: validators[name]!, tasks, signal }));
    } catch (e) {
      // Never a stack trace without a result document.
      const error = `netops ${name} failed unexpectedly: ${(e as Error).message}`;
      out({ task: name, status: 'failed', exit_code: Exit.failed, summary: error, error });
      process.stderr.write(`${(e as Error).stack ?? e}\n`);
      return Exit.failed;
    }
    out(doc);
    flushTrace();
    return doc.exit_code;
  };
}


export { matchCommand, AliasParseError } from './alias-match.js';
export { castAliasParams, CastError } from './st2-casts.js';
export { resolveOptions } from './options.js';
export { closest, decodeValue, InvalidParams, taskParams, typeableParams, unknownParam, type Validate } from './params.js';
export { Exit, loadActionMeta, runTask } from './run.js';
export { flushTrace } from './trace.js';
export { withStopSignals } from './session.js';
/** `netops recover` (loaded on use: it pulls in Ansible). */
export const recoverSite: typeof import('./recover.js').recoverSite = async (...a) => (await import('./recover.js')).recoverSite(...a);
export { openSot, connectionVars } from '../sot/open.js';
export { inventoryYaml } from '../sot/inventory.js';
import { yaml } from '../sot/yaml-lib.js';
/** YAML's parse (the `yaml` package, loaded on first use). */
export const parseYaml = (text: string): unknown => yaml().parse(text);
export { helpEntry } from './chat/help.js';
/** netops.decide's entry (loaded on use: it pulls in axios for StackStorm's API). */
export const decideEntry: typeof import('./decide.js').decideEntry = async (...a) => (await import('./decide.js')).decideEntry(...a);
export { AccessConfigError, terminalUser } from './access.js';
export { checkApprover } from './approval.js';
export { recordDecision } from './gate.js';
export { expired, loadPending, PendingError, removePending } from './pending.js';
