/**
 * Build fingerprint: a digest of everything that decides the pack's bytes (task, alias and
 * rule sources, playbooks, the event type, the netops code the runtime bundle holds, the
 * generator code, the lockfile).
 * `build --check` on an unchanged tree compares pack/ with the digests recorded by the
 * last build of the same inputs, without loading the TypeScript compiler.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmittedFile } from './emit/types.js';
import { isRunLeftover } from './ignore.js';

/** The netops checkout this generator runs from (dist/generator → ../..). */
const HOME = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function walk(dir: string, out: string[]): void {
  let names: string[];
  try { names = readdirSync(dir).sort(); } catch { return; }
  for (const n of names) {
    if (isRunLeftover(n)) continue;
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out); else out.push(p);
  }
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * This checkout's folders whose sources esbuild bundles into the pack's runtime besides the task
 * files (test/generator/cli-build.test.ts checks the list against esbuild's own inputs).
 */
export const BUNDLED_DIRS = ['runtime', 'sot'];

/** Digest of every input of a build rooted at `root`. */
export function fingerprint(root: string, dirs: string[], files: string[]): string {
  const all: string[] = [...files];
  for (const d of [...dirs, ...BUNDLED_DIRS.map((b) => join(HOME, b)), join(HOME, 'dist', 'generator')]) walk(d, all);
  all.push(join(HOME, 'package-lock.json'), join(root, 'package.json'));
  const h = createHash('sha256');
  for (const p of all) {
    h.update(p + '\0');
    h.update(existsSync(p) ? readFileSync(p) : Buffer.from('-'));
    h.update('\0');
  }
  return h.digest('hex');
}

function cachePath(root: string): string {
  return join(HOME, 'node_modules', '.cache', 'netops', `${sha(resolve(root)).slice(0, 16)}.json`);
}

interface Record { fingerprint: string; files: { [path: string]: { sha: string; mode: number } } }

/** Remember what a build of these inputs emitted. */
export function recordBuild(root: string, fp: string, files: EmittedFile[]): void {
  const rec: Record = { fingerprint: fp, files: {} };
  for (const f of files) rec.files[f.path] = { sha: sha(Buffer.from(f.content)), mode: f.mode ?? 0o644 };
  try {
    mkdirSync(dirname(cachePath(root)), { recursive: true });
    writeFileSync(cachePath(root), JSON.stringify(rec));
  } catch { /* a read-only checkout just gets no cache */ }
}

/** The files a build of exactly these inputs emitted, as digests; null if not known. */
export function recalled(root: string, fp: string): Record['files'] | null {
  try {
    const rec = JSON.parse(readFileSync(cachePath(root), 'utf8')) as Record;
    return rec.fingerprint === fp ? rec.files : null;
  } catch { return null; }
}

/** Compare a directory with recorded digests: the same shape as write.ts staleFiles. */
export function staleAgainst(outDir: string, files: Record['files']): { changed: string[]; missing: string[]; extra: string[] } {
  const have: string[] = [];
  walk(outDir, have);
  const rel = new Set(have.map((p) => p.slice(outDir.length + 1)));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [path, want] of Object.entries(files)) {
    if (!rel.has(path)) { missing.push(path); continue; }
    const p = join(outDir, path);
    if (sha(readFileSync(p)) !== want.sha || (statSync(p).mode & 0o777) !== want.mode) changed.push(path);
  }
  const extra = [...rel].filter((p) => !(p in files)).sort();
  return { changed: changed.sort(), missing: missing.sort(), extra };
}
