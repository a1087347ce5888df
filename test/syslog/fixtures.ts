/**
 * Syslog fixtures for tests and benchmarks: napalm-logs' corpus (shared/corpus/napalm-logs) and
 * the project's own (test/fixtures/syslog), both laid out <os>/<ERROR>/<variant>/{syslog.msg,yang.json},
 * plus the raw captures in test/fixtures/syslog/_captures/*.log (one message per line).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (this file runs from dist/test/syslog/). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The project's own fixtures. */
export const OWN_FIXTURES = join(REPO, 'test', 'fixtures', 'syslog');

/** The shared directory: $NETOPS_SHARED, else <repo>/../shared, else /work/shared; null when none exists. */
export function sharedDir(): string | null {
  const cands = [process.env.NETOPS_SHARED, join(REPO, '..', 'shared'), '/work/shared'].filter((d): d is string => !!d);
  return cands.find((d) => existsSync(join(d, 'corpus', 'napalm-logs'))) ?? null;
}

/** napalm-logs' tests/config directory in the shared corpus, or null. */
export function corpusDir(): string | null {
  const s = sharedDir();
  return s ? join(s, 'corpus', 'napalm-logs', 'tests', 'config') : null;
}

/** One sample and what it must give. */
export interface Fixture {
  source: 'corpus' | 'own';
  os: string;
  error: string;
  variant: string;
  /** "<os>/<ERROR>/<variant>" */
  id: string;
  /** syslog.msg exactly as stored. */
  raw: string;
  /** yang.json */
  expected: Record<string, unknown>;
}

const dirs = (d: string): string[] =>
  existsSync(d) ? readdirSync(d).filter((n) => !n.startsWith('.') && !n.startsWith('_') && statSync(join(d, n)).isDirectory()).sort() : [];

/** Every <os>/<ERROR>/<variant> with a syslog.msg under `root`. */
export function loadFixtures(root: string, source: Fixture['source']): Fixture[] {
  const out: Fixture[] = [];
  for (const os of dirs(root)) {
    for (const error of dirs(join(root, os))) {
      for (const variant of dirs(join(root, os, error))) {
        const d = join(root, os, error, variant);
        if (!existsSync(join(d, 'syslog.msg'))) continue;
        out.push({
          source,
          os,
          error,
          variant,
          id: `${os}/${error}/${variant}`,
          raw: readFileSync(join(d, 'syslog.msg'), 'utf8'),
          expected: JSON.parse(readFileSync(join(d, 'yang.json'), 'utf8')) as Record<string, unknown>,
        });
      }
    }
  }
  return out;
}

/** Corpus fixtures (empty when the shared corpus is not there). */
export function corpusFixtures(): Fixture[] {
  const d = corpusDir();
  return d ? loadFixtures(d, 'corpus') : [];
}

/** The project's own fixtures. */
export function ownFixtures(): Fixture[] {
  return loadFixtures(OWN_FIXTURES, 'own');
}

/** Raw captured messages (test/fixtures/syslog/_captures/*.log), comments and blank lines left out. */
export function captureLines(): string[] {
  const d = join(OWN_FIXTURES, '_captures');
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .flatMap((f) => readFileSync(join(d, f), 'utf8').split('\n'))
    .filter((l) => l !== '' && !l.startsWith('#'));
}
