/**
 * `netops build [--check] [--root DIR] [--out DIR]`: generate pack/ from actions/, aliases/
 * and rules/; with --check, only say whether pack/ is current (exit 1 when stale).
 */
import { join, resolve } from 'node:path';
import { parseFlags } from '../args.js';
import { io } from '../io.js';
import { REPO } from '../pack.js';

/** The usage text of `netops build`. */
export const BUILD_USAGE = `usage: netops build [--check] [--root DIR] [--out DIR]
  Generates the StackStorm pack from actions/*.ts, aliases/*.ts, rules/*.ts and playbooks/.
  --check     change nothing; exit 1 and list the stale files when pack/ is not what a build writes
  --root DIR  the project to build (default: this checkout)
  --out DIR   where the pack goes (default: <root>/pack)
  -h, --help  this help`;

const FLAGS = {
  check: { type: 'boolean' },
  root: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function reportStale(s: { changed: string[]; missing: string[]; extra: string[] }, total: number): number {
  const n = s.changed.length + s.missing.length + s.extra.length;
  if (n === 0) { io.out(`pack is current (${total} files)`); return 0; }
  for (const p of s.changed) io.err(`stale:   ${p}`);
  for (const p of s.missing) io.err(`missing: ${p}`);
  for (const p of s.extra) io.err(`extra:   ${p}`);
  io.err(`pack/ is stale (${n} file(s)); run: npx netops build`);
  return 1;
}

/** Run the command; resolves to the exit code (0 done or current, 1 stale or diagnostics, 2 usage). */
export default async function buildCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, { command: 'netops build', help: 'netops build --help' });
  if (values.help) { io.out(BUILD_USAGE); return 0; }
  const root = resolve(String(values.root ?? REPO));
  const out = resolve(String(values.out ?? join(root, 'pack')));
  const check = values.check === true;
  const cache = await import('../../generator/cache.js');
  const fp = cache.fingerprint(root, ['actions', 'aliases', 'rules', 'playbooks'].map((d) => join(root, d)), [join(root, 'bridge', 'event.ts')]);
  const known = check ? cache.recalled(root, fp) : null;
  if (known) return reportStale(cache.staleAgainst(out, known), Object.keys(known).length);
  // The generator (and the TypeScript compiler under ts-morph) loads only when a build is needed.
  const { buildPack } = await import('../../generator/build.js');
  const { DiagnosticError } = await import('../../generator/diagnostics.js');
  const { staleFiles, writePack } = await import('../../generator/write.js');
  let files;
  try { files = await buildPack({ root }); } catch (e) {
    if (e instanceof DiagnosticError) { io.err(e.message); io.err(`\n${e.diagnostics.length} error(s); pack/ not written`); return 1; }
    throw e;
  }
  cache.recordBuild(root, fp, files);
  if (check) return reportStale(staleFiles(out, files), files.length);
  const w = writePack(out, files);
  io.out(`pack: ${files.length} files, ${w.written.length} written, ${w.removed.length} removed`);
  return 0;
}
