/**
 * The pack's runtime: runtime/pack-entry.ts and every task file bundled by esbuild into
 * one self-contained ES module (no node_modules on the StackStorm host), plus the playbooks.
 */
import { build } from 'esbuild';
import { builtinModules, createRequire } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import type { TaskModel } from '../model.js';
import { toJsonSchema, type St2Param } from '../../runtime/params.js';
import { actionParameters } from './action.js';
import { SITE_SCHEMA, STORE_SCHEMA } from '../../sot/file/schema.js';

const Ajv = AjvModule as unknown as typeof AjvModule.default;
const standaloneCode = standaloneModule as unknown as typeof standaloneModule.default;
import type { EmittedFile } from './types.js';
import { isRunLeftover } from '../ignore.js';

/** The runtime's TypeScript sources (dist/generator/emit → runtime/ of the checkout). */
const RUNTIME_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'runtime');
/** This netops's checkout (its node_modules hold what the pack's own files bundle). */
const NETOPS_DIR = join(RUNTIME_DIR, '..');

/**
 * Bundle the runtime with the given tasks into actions/runtime/netops.mjs, split at dynamic
 * imports: what only some runs need (Ansible and execa for tasks that push, the Nautobot backend
 * with axios) is a chunk beside it (chunk-<hash>.mjs) that loads on first use, so a read of the
 * source of truth starts fast.
 */
export async function emitRuntime(root: string, tasks: TaskModel[], actionsDir: string, inputs?: string[]): Promise<EmittedFile[]> {
  const rel = (p: string) => (p.startsWith(root + '/') ? './' + p.slice(root.length + 1) : p);
  const lines = tasks.map((t, i) => `import t${i} from ${JSON.stringify(rel(join(actionsDir, t.verb + '.ts')))};`);
  lines.push(`export const tasks = { ${tasks.map((t, i) => `${JSON.stringify(t.name)}: t${i}`).join(', ')} };`);
  lines.push(`import * as validatorFns from 'netops:validators';`);
  lines.push('export const validators = validatorFns;');
  // The file store's schemas, compiled now like the parameter validators, in a file of their own
  // (below) that loads on the first validation: a read served by the cache never compiles them.
  lines.push(`import { SITE_SCHEMA, STORE_SCHEMA } from ${JSON.stringify(rel(join(RUNTIME_DIR, '..', 'sot', 'file', 'schema.ts')))};`);
  lines.push(`import { registerValidators } from ${JSON.stringify(rel(join(RUNTIME_DIR, '..', 'sot', 'file', 'yaml-file.ts')))};`);
  lines.push(`const sotValidator = (name) => { const v = (data) => { const f = require('./${SOT_VALIDATORS_FILE}')[name]; const ok = f(data); v.errors = f.errors; return ok; }; return v; };`);
  lines.push(`registerValidators([[SITE_SCHEMA, sotValidator('site')], [STORE_SCHEMA, sotValidator('store')]]);`);
  lines.push(`import { makeRunEntry } from ${JSON.stringify(rel(join(RUNTIME_DIR, 'pack-entry.ts')))};`);
  lines.push(`export * from ${JSON.stringify(rel(join(RUNTIME_DIR, 'pack-entry.ts')))};`);
  lines.push('export const runEntry = makeRunEntry(tasks, validators);');
  const result = await build({
    stdin: { contents: lines.join('\n'), resolveDir: root, sourcefile: 'netops-pack.ts', loader: 'ts' },
    absWorkingDir: root,
    bundle: true,
    splitting: true,
    outdir: join(root, '.netops-bundle'),
    entryNames: 'netops',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: inputs !== undefined,
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    // Task files import the authoring API by a relative path into a netops checkout; bind it
    // to this netops's runtime wherever the task tree lives.
    plugins: [{
      name: 'netops',
      setup(b) {
        b.onResolve({ filter: /(^|\/)runtime\/define(\.js|\.ts)?$/ }, () => ({ path: join(RUNTIME_DIR, 'define.ts') }));
        // `yaml` and the file store's validators are files of their own beside the bundle (below), loaded on first use
        b.onResolve({ filter: /^yaml$/ }, () => ({ path: `./${YAML_FILE}`, external: true }));
        b.onResolve({ filter: new RegExp(`^\\./${SOT_VALIDATORS_FILE.replace('.', '\\.')}$`) }, (a) => ({ path: a.path, external: true }));
        b.onResolve({ filter: /^netops:validators$/ }, () => ({ path: 'validators', namespace: 'netops' }));
        b.onLoad({ filter: /.*/, namespace: 'netops' }, () => ({ contents: validatorsSource(tasks), loader: 'js', resolveDir: join(RUNTIME_DIR, '..') }));
      },
    }],
    banner: { js: BANNER },
  });
  if (!result.outputFiles.some((f) => basename(f.path) === 'netops.mjs')) throw new Error('esbuild produced no netops.mjs');
  if (inputs && result.metafile) inputs.push(...Object.keys(result.metafile.inputs));
  const chunks = result.outputFiles.map((f) => ({ path: `actions/runtime/${basename(f.path)}`, content: requireBuiltins(f.text) }));
  checkChunks(chunks);
  return [...chunks, await emitYamlLib(), await emitSotValidators()];
}

/** Every chunk's first line: a `require` for the files beside the bundle and Node's builtins. */
const BANNER = "import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);";
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
/** Builtins whose functions are bound on their first call (`node:crypto`: only changes use it; loading it, with the streams it needs, costs a read ≈ 8 ms). */
const LAZY = new Set(['node:crypto']);
/** An import statement as esbuild writes it (minified), at a statement boundary. */
const IMPORT = /(?<=^|[;}\n])import\s*(?:([\w$]+)\s*,?\s*)?(?:\{([^}"'`]*)\}\s*|\*\s*as\s+([\w$]+)\s*)?(?:from\s*)?"([^"]+)";?/gm;

/**
 * Bind Node's builtins through the banner's require, not `import`: an ES module import of a
 * builtin builds its ESM facade, which reads every export, lazy ones included (node:fs's
 * ReadStream getter loads all of Node's streams), on every start (docs/sot.md). A require binds
 * the module object and reads only what is named; a LAZY builtin's functions load it on their
 * first call. The bindings are declared right after the banner (an import is hoisted; esbuild
 * writes them where each module's code starts); imports of the bundle's own chunks stay.
 */
export function requireBuiltins(code: string): string {
  const start = code.startsWith(BANNER) ? BANNER.length : 0;
  const decls: string[] = [];
  const load = createRequire(import.meta.url);
  const body = code.slice(start).replace(IMPORT, (text, def: string | undefined, named: string | undefined, ns: string | undefined, from: string) => {
    if (!BUILTINS.has(from)) return text;
    const req = `require(${JSON.stringify(from)})`;
    const whole = def ?? ns;
    const decl: string[] = whole ? [`${whole}=${req}`] : [];
    const pairs = (named ?? '').split(',').map((x) => x.trim()).filter(Boolean).map((x) => { const [n, as] = x.split(/\s+as\s+/); return [n!, as ?? n!] as const; });
    const mod = LAZY.has(from) ? (load(from) as Record<string, unknown>) : null;
    const eager: string[] = [];
    for (const [n, as] of pairs) {
      if (n === 'default') decl.push(`${as}=${whole ?? req}`);
      else if (mod && /^[a-z]/.test(n) && typeof Object.getOwnPropertyDescriptor(mod, n)?.value === 'function') decl.push(`${as}=(...a)=>${req}.${n}(...a)`);
      else eager.push(n === as ? n : `${n}:${as}`);
    }
    if (eager.length) decl.push(`{${eager.join(',')}}=${whole ?? req}`);
    decls.push(decl.length ? `const ${decl.join(',')};` : `${req};`);
    return '';
  });
  return `${code.slice(0, start)}\n${decls.join('')}${body.replace(/^\n/, '')}`;
}

/** The static imports of one chunk of the bundle (`import … from "./chunk-….mjs"`), by file name. */
export function staticImports(code: string): string[] {
  return [...code.matchAll(IMPORT)].map((m) => m[4]!).filter((f) => f.startsWith('./')).map((f) => f.slice(2));
}

/**
 * What requireBuiltins relies on, checked on the chunks it rewrote: no builtin is still imported,
 * and the chunks' static imports form no cycle (in a cycle a chunk's code could run before
 * another chunk's top-level `const … = require(…)`, a ReferenceError that `import` would not have).
 */
export function checkChunks(chunks: { path: string; content: string }[]): void {
  const edges = new Map(chunks.map((c) => [basename(c.path), staticImports(c.content)]));
  for (const c of chunks) {
    const left = [...c.content.matchAll(IMPORT)].map((m) => m[4]!).filter((f) => BUILTINS.has(f));
    if (left.length) throw new Error(`${c.path}: builtins still imported after the rewrite to require: ${left.join(', ')}`);
  }
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') throw new Error(`the runtime bundle's chunks import each other in a cycle (${[...path.slice(path.indexOf(n)), n].join(' → ')}): requireBuiltins needs an acyclic chunk graph`);
    state.set(n, 'open');
    for (const m of edges.get(n) ?? []) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of edges.keys()) visit(n, []);
}

/** The file store's validators' file in the pack (actions/runtime/sot-validators.cjs). */
const SOT_VALIDATORS_FILE = 'sot-validators.cjs';

/** Ajv standalone code of the file store's schemas as one CommonJS file (Ajv's runtime helpers bundled in). */
async function emitSotValidators(): Promise<EmittedFile> {
  const r = await build({
    stdin: { contents: sotValidatorsSource(), resolveDir: NETOPS_DIR, sourcefile: 'netops-sot-validators.js', loader: 'js' },
    absWorkingDir: NETOPS_DIR, bundle: true, write: false, platform: 'node', format: 'cjs', target: 'node20', minify: true, legalComments: 'none', charset: 'utf8', logLevel: 'silent',
  });
  return { path: `actions/runtime/${SOT_VALIDATORS_FILE}`, content: r.outputFiles[0]!.text };
}

/** The `yaml` package's file in the pack (actions/runtime/yaml.cjs). */
const YAML_FILE = 'yaml.cjs';

/**
 * The `yaml` package as one CommonJS file beside the bundle: sot/yaml-lib.ts requires it on
 * first use (writes, located errors, inventories), so a run that only reads a valid store does
 * not even compile its 115 KB. Its exports are named (not `module.exports = require(…)`) so
 * that Node finds them when an ES module of the bundle imports it (runtime/ansible.ts).
 */
async function emitYamlLib(): Promise<EmittedFile> {
  const names = Object.keys(await import('yaml')).filter((n) => n !== 'default').sort();
  const r = await build({
    // resolved in this netops's own node_modules, wherever the task tree lives
    stdin: { contents: `export { ${names.join(', ')} } from 'yaml';`, resolveDir: NETOPS_DIR, sourcefile: 'netops-yaml.js', loader: 'js' },
    absWorkingDir: NETOPS_DIR, bundle: true, write: false, platform: 'node', format: 'cjs', target: 'node20', minify: true, legalComments: 'none', charset: 'utf8', logLevel: 'silent',
  });
  return { path: `actions/runtime/${YAML_FILE}`, content: r.outputFiles[0]!.text };
}

/**
 * Ajv validators of every task's parameters, compiled now (Ajv standalone code) so that a
 * task run does not pay Ajv's schema compilation at start-up.
 */
function validatorsSource(tasks: TaskModel[]): string {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, code: { source: true, esm: true, lines: false } });
  for (const t of tasks) ajv.addSchema(toJsonSchema(actionParameters(t) as Record<string, St2Param>), t.name);
  return standaloneCode(ajv, Object.fromEntries(tasks.map((t) => [t.name, t.name])));
}

/** Ajv validators of the file store's site and settings files (sot/file/schema.ts). */
function sotValidatorsSource(): string {
  const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true, lines: false } });
  ajv.addSchema(SITE_SCHEMA as object, 'site');
  ajv.addSchema(STORE_SCHEMA as object, 'store');
  return standaloneCode(ajv, { site: 'site', store: 'store' });
}

/** Copy playbooks/ into the pack (the runtime runs them from there). */
export function emitPlaybooks(dir: string): EmittedFile[] {
  const out: EmittedFile[] = [];
  const walk = (d: string, prefix: string) => {
    let names: string[];
    try { names = readdirSync(d).sort(); } catch { return; }
    for (const n of names) {
      if (isRunLeftover(n)) continue;
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${n}/`);
      else out.push({ path: `playbooks/${prefix}${n}`, content: readFileSync(p) });
    }
  };
  walk(dir, '');
  return out;
}
