/**
 * Benchmark: build a pack from 200 task files (cold: a new process each run) and check an
 * unchanged tree with `build --check`. Medians over runs; this machine is shared and noisy.
 */
import { execa } from 'execa';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type Figure } from './figure.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function writeTasks(root: string, n: number): void {
  mkdirSync(join(root, 'actions'), { recursive: true });
  mkdirSync(join(root, 'aliases'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '1.0.0' }));
  const define = join(REPO, 'runtime', 'define.js');
  for (let i = 0; i < n; i++) {
    const verb = `task-${String(i).padStart(3, '0')}`;
    writeFileSync(join(root, 'actions', `${verb}.ts`), `import { defineTask, type Integer } from ${JSON.stringify(define)};
/** Parameters. */
export interface Params {
  /** Site. @pattern ^[a-z]+$ @example bma */
  in: string;
  /** Address. @format ipv4 @example 10.0.0.1 */
  ip: string;
  /** AS. @minimum 1 @maximum 4294967295 @example 65100 */
  as: Integer;
  /** Text. */
  description?: string;
  /** Mode. */
  mode?: 'a' | 'b';
}
export default defineTask<Params>({ description: 'Task ${i}', risk: 'change', playbook: 'p.yml', timeout: 60,
  summarize: (p, o) => \`\${o.host}: \${p.ip}\` });
`);
    writeFileSync(join(root, 'aliases', `${verb}.ts`), `import { defineAlias } from ${JSON.stringify(join(REPO, 'runtime', 'define.js'))};
import type { Params } from '../actions/${verb}.js';
export default defineAlias<Params>({ description: 'Task ${i}', formats: [{ text: 'do ${i}', keys: ['in', 'ip', 'as'] }, 'do ${i} {{ ip }} as {{ as }} in {{ in }}'] });
`);
  }
}

async function time(args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await execa('node', [join(REPO, 'dist', 'cli', 'netops.js'), ...args], { reject: false });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.exitCode !== 0) throw new Error(`netops ${args.join(' ')} failed: ${r.stderr}`);
  return ms;
}

/** Run the build benchmark. */
export async function benchBuild(runs = Number(process.env.BENCH_RUNS ?? 5)): Promise<Figure[]> {
  const root = mkdtempSync(join(tmpdir(), 'netops-bench-build-'));
  try {
    writeTasks(root, 200);
    const cold: number[] = [];
    const check: number[] = [];
    const uncached: number[] = [];
    for (let i = 0; i < runs; i++) {
      rmSync(join(root, 'pack'), { recursive: true, force: true });
      cold.push(await time(['build', '--root', root]));
      check.push(await time(['build', '--check', '--root', root]));
      rmSync(join(REPO, 'node_modules', '.cache', 'netops'), { recursive: true, force: true });
      uncached.push(await time(['build', '--check', '--root', root]));
    }
    return [
      { name: 'build 200 tasks, cold process', median: median(cold), unit: 'ms', runs, target: '≤ 3000 ms' },
      { name: 'build --check 200 tasks, unchanged', median: median(check), unit: 'ms', runs, target: '≤ 1000 ms' },
      { name: 'build --check 200 tasks, no build cache (full analysis)', median: median(uncached), unit: 'ms', runs },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const f of await benchBuild()) console.log(`${f.name}: median ${f.median.toFixed(0)} ${f.unit} over ${f.runs} runs (target ${f.target})`);
}
