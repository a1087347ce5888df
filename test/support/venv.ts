/**
 * The project's Python virtualenv (.venv, scripts/venv.sh) for the tests that run NAPALM,
 * pytest or ansible-lint. `ensureVenv()` runs the idempotent venv.sh once per process.
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { REPO } from './lab.js';

export const VENV = process.env.NETOPS_VENV ?? join(REPO, '.venv');
export const VENV_PYTHON = join(VENV, 'bin', 'python');
let ready: Promise<void> | null = null;

/** Make sure .venv exists and matches requirements.txt and napalm-frr (installs when not). */
export function ensureVenv(): Promise<void> {
  ready ??= execa('bash', [join(REPO, 'scripts', 'venv.sh')], { cwd: REPO, stdin: 'ignore' }).then(() => undefined);
  return ready;
}

/** Run pytest (from .venv) on files under the repository; resolves with its output, rejects on failure. */
export async function pytest(files: string[], env: Record<string, string> = {}): Promise<string> {
  await ensureVenv();
  const r = await execa(VENV_PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', ...files], { cwd: REPO, reject: false, stdin: 'ignore', env, all: true });
  if (r.exitCode !== 0) throw new Error(`pytest ${files.join(' ')} failed (exit ${r.exitCode}):\n${r.all}`);
  return String(r.all);
}
