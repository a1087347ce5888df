/**
 * The pack's runtime: runtime/pack-entry.ts and every task file bundled by esbuild into
 * one self-contained ES module (no node_modules on the StackStorm host), plus the playbooks.
 */
import { build } from 'esbuild';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TaskModel } from '../model.js';
import type { EmittedFile } from './types.js';

/** The runtime's TypeScript sources (dist/generator/emit → runtime/ of the checkout). */
const RUNTIME_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'runtime');

/** Bundle the runtime with the given tasks into actions/runtime/netops.mjs. */
export async function emitRuntime(root: string, tasks: TaskModel[], actionsDir: string): Promise<EmittedFile> {
  const rel = (p: string) => (p.startsWith(root + '/') ? './' + p.slice(root.length + 1) : p);
  const lines = tasks.map((t, i) => `import t${i} from ${JSON.stringify(rel(join(actionsDir, t.verb + '.ts')))};`);
  lines.push(`export const tasks = { ${tasks.map((t, i) => `${JSON.stringify(t.name)}: t${i}`).join(', ')} };`);
  lines.push(`import { makeRunEntry } from ${JSON.stringify(rel(join(RUNTIME_DIR, 'pack-entry.ts')))};`);
  lines.push('export const runEntry = makeRunEntry(tasks);');
  const result = await build({
    stdin: { contents: lines.join('\n'), resolveDir: root, sourcefile: 'netops-pack.ts', loader: 'ts' },
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    // Task files import the authoring API by a relative path into a netops checkout; bind it
    // to this netops's runtime wherever the task tree lives.
    plugins: [{ name: 'netops-define', setup(b) { b.onResolve({ filter: /(^|\/)runtime\/define(\.js|\.ts)?$/ }, () => ({ path: join(RUNTIME_DIR, 'define.ts') })); } }],
    banner: { js: "import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);" },
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output');
  return { path: 'actions/runtime/netops.mjs', content: out.text };
}

/** Copy playbooks/ into the pack (the runtime runs them from there). */
export function emitPlaybooks(dir: string): EmittedFile[] {
  const out: EmittedFile[] = [];
  const walk = (d: string, prefix: string) => {
    let names: string[];
    try { names = readdirSync(d).sort(); } catch { return; }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${n}/`);
      else out.push({ path: `playbooks/${prefix}${n}`, content: readFileSync(p) });
    }
  };
  walk(dir, '');
  return out;
}
