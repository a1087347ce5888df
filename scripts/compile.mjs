#!/usr/bin/env node
// `npm run prepare`: compile the code the `netops` command runs (cli, runtime, generator,
// bridge, sot) from TypeScript to dist/ with esbuild, a runtime dependency, so that a
// production install (`npm ci --omit=dev`) needs no dev tool. Type checking is tsc's job
// (`npm test`, `npm run typecheck`), which writes the same dist/ paths.
import { build } from 'esbuild';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIRS = ['cli', 'runtime', 'generator', 'bridge', 'sot'];

function sources(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (n.endsWith('.ts') && !n.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const entryPoints = DIRS.flatMap((d) => sources(join(root, d)));
await build({ entryPoints, outdir: join(root, 'dist'), outbase: root, format: 'esm', platform: 'node', target: 'node20', bundle: false, logLevel: 'warning' });
chmodSync(join(root, 'dist', 'cli', 'netops.js'), 0o755);
console.log(`netops: compiled ${entryPoints.length} files to dist/`);
