/** The only part of the generator that touches the disk: write pack/ or check it is current. */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EmittedFile } from './emit/types.js';
import { isRunLeftover } from './ignore.js';

function listFiles(dir: string, prefix = ''): string[] {
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  return names.filter((n) => !isRunLeftover(n)).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? listFiles(join(dir, n), `${prefix}${n}/`) : [`${prefix}${n}`]));
}

const bytes = (c: string | Uint8Array) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.from(c));

/** Files of `outDir` that differ from `files`: changed, missing, or extra. */
export function staleFiles(outDir: string, files: EmittedFile[]): { changed: string[]; missing: string[]; extra: string[] } {
  const want = new Map(files.map((f) => [f.path, f]));
  const have = new Set(listFiles(outDir));
  const changed: string[] = [];
  const missing: string[] = [];
  for (const [path, f] of want) {
    if (!have.has(path)) { missing.push(path); continue; }
    const p = join(outDir, path);
    if (!bytes(f.content).equals(readFileSync(p)) || (f.mode !== undefined && (statSync(p).mode & 0o777) !== f.mode)) changed.push(path);
  }
  const extra = [...have].filter((p) => !want.has(p)).sort();
  return { changed, missing, extra };
}

/** Make `outDir` hold exactly `files`; unchanged files are not rewritten. Returns what was written or removed. */
export function writePack(outDir: string, files: EmittedFile[]): { written: string[]; removed: string[] } {
  const { changed, missing, extra } = staleFiles(outDir, files);
  const written = [...changed, ...missing].sort();
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const path of written) {
    const f = byPath.get(path)!;
    const p = join(outDir, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, bytes(f.content));
    chmodSync(p, f.mode ?? 0o644);
  }
  for (const path of extra) rmSync(join(outDir, path));
  return { written, removed: extra };
}
