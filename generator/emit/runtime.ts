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
export async function emitRuntime(root: string, tasks: TaskModel[], actionsDir: string): Promise<EmittedFile[]> {
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
        // Node's builtins through require (the banner's), not `import`: an ES module import of a
        // builtin builds its ESM facade, which reads every export, lazy ones included (node:fs's
        // ReadStream getter loads all of streams; node:crypto's webcrypto), on every start. A
        // require binds the module object and reads only what runs. Like an import of a builtin, an
        // unused one is dropped (sideEffects: false).
        // node:crypto, the same but loaded on its first call: the runtime uses it only to name and
        // fingerprint changes, and loading it (with the streams it needs) costs a read ≈ 8 ms.
        b.onResolve({ filter: /^node:crypto$/ }, (a) => (a.namespace === 'netops-lazy' ? { path: a.path, external: true } : { path: a.path, namespace: 'netops-lazy', sideEffects: false }));
        b.onLoad({ filter: /.*/, namespace: 'netops-lazy' }, (a) => ({ contents: lazyBuiltin(a.path), loader: 'js' }));
        b.onResolve({ filter: BUILTIN }, (a) => (a.namespace === 'netops-builtin' ? { path: a.path, external: true } : { path: a.path, namespace: 'netops-builtin', sideEffects: false }));
        b.onLoad({ filter: /.*/, namespace: 'netops-builtin' }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: 'js' }));
      },
    }],
    banner: { js: "import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);" },
  });
  if (!result.outputFiles.some((f) => basename(f.path) === 'netops.mjs')) throw new Error('esbuild produced no netops.mjs');
  return [...result.outputFiles.map((f) => ({ path: `actions/runtime/${basename(f.path)}`, content: f.text })), await emitYamlLib(), await emitSotValidators()];
}

/** Node's builtin modules, `fs` or `node:fs` (bundled as requires, above). */
const BUILTIN = new RegExp(`^(node:)?(${builtinModules.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})$`);

/**
 * A builtin as an ES module whose functions load it on their first call. Only its plain
 * functions are exported (not its classes or values): importing anything else fails the build.
 */
function lazyBuiltin(name: string): string {
  const m = createRequire(import.meta.url)(name) as Record<string, unknown>;
  const fns = Object.keys(m).filter((k) => /^[a-z]\w*$/.test(k) && typeof Object.getOwnPropertyDescriptor(m, k)?.value === 'function').sort();
  return [`let m; const get = () => (m ??= require(${JSON.stringify(name)}));`, ...fns.map((f) => `export function ${f}(...a) { return get().${f}(...a); }`)].join('\n');
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
