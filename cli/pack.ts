/**
 * The pack the CLI runs from: the checkout's pack/, its runtime bundle (the same code
 * StackStorm runs), its tasks, action metadata and aliases.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TaskDefinition } from '../runtime/define.js';
import type { AliasDoc } from '../runtime/alias-match.js';
import type * as PackRuntime from '../runtime/pack-entry.js';

// node:fs by require: an ES import of a builtin builds its ESM facade, which reads every export
// (node:fs's lazy ReadStream loads all of Node's streams) on every start (docs/sot.md).
const { existsSync, readdirSync, readFileSync } = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

/** The checkout this CLI runs from (dist/cli/pack.js → repo root). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The checkout's generated pack. */
export const PACK = (): string => join(REPO, 'pack');

/** The version of this netops (package.json). */
export function version(): string {
  return (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The pack's runtime bundle: the task runtime plus the compiled tasks and validators. */
export type Runtime = typeof PackRuntime & { tasks: Record<string, TaskDefinition<any>>; validators: Record<string, PackRuntime.Validate> };
let rtCache: Runtime | null = null;

/**
 * The task runtime, loaded from the pack's own bundle (one file: the same code StackStorm
 * runs, and much faster to load than the compiled module tree).
 */
export async function rt(): Promise<Runtime> {
  rtCache ??= (await import(pathToFileURL(join(PACK(), 'actions', 'runtime', 'netops.mjs')).href)) as Runtime;
  return rtCache;
}

/** One task as the CLI offers it. */
export interface CliTask { name: string; verb: string; def: TaskDefinition<any> }

/** Task definitions compiled from actions/*.ts, by st2 name. */
export async function loadTasks(): Promise<Map<string, CliTask>> {
  const { tasks } = await rt();
  return new Map(Object.keys(tasks).sort().map((n) => [n, { name: n, verb: n.replace(/_/g, '-'), def: tasks[n]! }]));
}

/** Whether the pack has a task of this (kebab or snake) name. */
export function hasTask(task: string): boolean {
  return existsSync(join(PACK(), 'actions', `${task.replace(/-/g, '_')}.yaml`));
}

/** The pack's chat aliases (pack/aliases/*.yaml). */
export async function loadAliases(): Promise<AliasDoc[]> {
  const { parseYaml } = await rt();
  const dir = join(PACK(), 'aliases');
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => parseYaml(readFileSync(join(dir, f), 'utf8')) as AliasDoc);
}
