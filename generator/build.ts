/**
 * The generator pipeline: load task, alias and rule files with ts-morph → analyse into a
 * PackModel → check → emit a list of files. Only write.ts touches the disk.
 */
import { Project, type SourceFile } from 'ts-morph';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticError, type Diagnostic } from './diagnostics.js';
import type { AliasModel, PackModel, RuleModel, TaskModel } from './model.js';
import { analyseTask } from './analyse/task.js';
import { analyseAlias } from './analyse/alias.js';
import { analyseRule } from './analyse/rule.js';
import { analyseEvent } from './analyse/event.js';
import { checkAliases } from './check/aliases.js';
import { aliasDoc, emitAlias } from './emit/alias.js';
import { emitAction } from './emit/action.js';
import { emitConfigSchema, emitPackYaml, emitTrigger } from './emit/pack.js';
import { emitPolicy } from './emit/policy.js';
import { emitNotify, emitRule } from './emit/rule.js';
import { emitForwardSet } from './emit/forward.js';
import { emitReadme } from './emit/readme.js';
import { emitHelp } from './emit/help.js';
import { emitApprovals } from './emit/approval.js';
import { emitPlaybooks, emitRuntime } from './emit/runtime.js';
import type { EmittedFile } from './emit/types.js';

/** Where the sources are; defaults resolved once from the project root. */
export interface BuildOptions {
  root: string;
  actionsDir?: string;
  aliasesDir?: string;
  rulesDir?: string;
  playbooksDir?: string;
  eventFile?: string;
  /** Pack version (defaults to package.json's). */
  version?: string;
  /** Bundle the runtime into the pack (tests of the grammar alone may skip it). */
  bundle?: boolean;
  /** Filled with the source files esbuild bundled into the runtime (relative to root, as esbuild names them). */
  runtimeInputs?: string[];
}

const tsFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort().map((f) => join(dir, f)) : []);

/** Analyse the sources into a model; throws DiagnosticError listing every problem. */
export function analyse(opts: BuildOptions): PackModel {
  const root = opts.root;
  const actionsDir = opts.actionsDir ?? join(root, 'actions');
  const aliasesDir = opts.aliasesDir ?? join(root, 'aliases');
  const rulesDir = opts.rulesDir ?? join(root, 'rules');
  const eventFile = opts.eventFile ?? join(root, 'bridge', 'event.ts');
  const project = new Project({ useInMemoryFileSystem: false, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true, skipLoadingLibFiles: true, compilerOptions: { allowJs: false } });
  const add = (files: string[]): SourceFile[] => files.map((f) => project.addSourceFileAtPath(f));
  const diags: Diagnostic[] = [];

  const eventSf = existsSync(eventFile) ? add([eventFile])[0]! : null;
  const eventSchema = eventSf ? analyseEvent(eventSf, root, diags) : null;
  const eventFields = eventSchema ? new Set(Object.keys(eventSchema.properties as object)) : null;

  const tasks = add(tsFiles(actionsDir)).map((sf) => analyseTask(sf, root, diags)).filter((t): t is TaskModel => t !== null);
  const aliases = add(tsFiles(aliasesDir)).map((sf) => analyseAlias(sf, root, diags)).filter((a): a is AliasModel => a !== null);
  const rules = add(tsFiles(rulesDir)).map((sf) => analyseRule(sf, root, eventFields, diags)).filter((r): r is RuleModel => r !== null);
  const byVerb = new Map(tasks.map((t) => [t.verb, t]));
  diags.push(...checkAliases(aliases, tasks, aliases.map((a) => aliasDoc(a, byVerb.get(a.verb)))));
  if (diags.length) throw new DiagnosticError(diags);
  return { tasks, aliases, rules, eventSchema };
}

/** Emit every pack file from a model (pure apart from reading playbooks and bundling). */
export async function emit(model: PackModel, opts: BuildOptions): Promise<EmittedFile[]> {
  const root = opts.root;
  const version = opts.version ?? (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const byVerb = new Map(model.tasks.map((t) => [t.verb, t]));
  const files: EmittedFile[] = [
    emitPackYaml(version),
    emitConfigSchema(),
    ...emitTrigger(model),
    ...model.tasks.flatMap(emitAction),
    ...model.tasks.flatMap(emitPolicy),
    ...model.aliases.map((a) => emitAlias(a, byVerb.get(a.verb))),
    ...(model.aliases.length ? emitHelp(model.aliases, model.tasks) : []),
    ...emitApprovals(model.aliases, model.tasks),
    ...(model.rules.length ? [...emitNotify(), ...model.rules.map(emitRule), emitForwardSet(model.rules)] : []),
    emitReadme(model),
    ...emitPlaybooks(opts.playbooksDir ?? join(root, 'playbooks')),
  ];
  if (opts.bundle !== false) files.push(...await emitRuntime(root, model.tasks, opts.actionsDir ?? join(root, 'actions'), opts.runtimeInputs));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Analyse and emit. */
export async function buildPack(opts: BuildOptions): Promise<EmittedFile[]> {
  return emit(analyse(opts), opts);
}
