/**
 * Adversarial classification cost: median µs per 16 KiB near-miss line, before and after the six
 * quadratic prefix patterns were rewritten. "Before" is the current profile tree with those six
 * regexes put back (test/syslog/near-miss.ts keeps them), loaded without the backtracking check;
 * "after" is the shipped tree. The lines are real headers of each affected OS followed by the run
 * the old pattern choked on (spaces before a line break for Junos; `-5` repeated after a Cisco-
 * style facility for EOS/IOS/NX-OS), with and without a line break at the end.
 * Run alone: `node dist/bench/adversarial.js`.
 */
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { Classifier, defaultProfilesDir, MAX_CLASSIFY_LENGTH } from '../bridge/parse.js';
import { OLD_PATTERNS } from '../test/syslog/near-miss.js';
import { median, type Figure } from './figure.js';

/** Real header starts of the affected OSes, and the run that made the old pattern backtrack. */
const HEADS: Array<[string, string]> = [
  ['<28>Nov 24 22:51:03 r1 craftd[1234]:', ' '],
  ['<189>Nov 24 22:51:03 sw1 Ebra: %LINEPROTO', '-5'],
  ['<189>123: r1: Nov 24 22:51:03.123 UTC: %LINEPROTO', '-5'],
  ['<189>*Nov 24 22:51:03.123: %LINEPROTO', '-5'],
  ['<189>2026 Nov 24 22:51:03 sw1 %ETHPORT', '-5'],
  ['<189>sw1: 2026 Nov 24 22:51:03 UTC: %ETHPORT', '-5'],
];

/** The near-miss lines, MAX_CLASSIFY_LENGTH characters each. */
export function attackLines(len = MAX_CLASSIFY_LENGTH): string[] {
  const out: string[] = [];
  for (const [head, pump] of HEADS) {
    for (const killer of ['\n', '']) {
      const room = len - head.length - killer.length;
      out.push(head + pump.repeat(Math.ceil(room / pump.length)).slice(0, room) + killer);
    }
  }
  return out;
}

/** A copy of the profile tree with the six old patterns back in (caller removes `dir`). */
function oldTree(): { dir: string; profiles: string } {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-old-'));
  const profiles = join(dir, 'profiles');
  cpSync(defaultProfilesDir(), profiles, { recursive: true });
  for (const p of OLD_PATTERNS) {
    const m = /^profiles\/(\w+)\/_prefix\.yml#(\d+)$/.exec(p.ref)!;
    const file = join(profiles, m[1]!, '_prefix.yml');
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['prefixes', Number(m[2]), 'regex'], p.regex);
    writeFileSync(file, doc.toString({ lineWidth: 0 }));
  }
  return { dir, profiles };
}

/** Median µs per line over `runs` passes (after one warm-up pass). */
function perLine(c: Classifier, lines: string[], runs: number): { median: number; max: number } {
  const times: number[] = [];
  for (let r = -1; r < runs; r++) {
    for (const l of lines) {
      const t0 = process.hrtime.bigint();
      c.parse(l, '192.0.2.9', 1_700_000_000);
      if (r >= 0) times.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
  }
  return { median: median(times), max: Math.max(...times) };
}

/** The before/after figures. */
export async function benchAdversarial(): Promise<Figure[]> {
  const runs = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
  const lines = attackLines();
  const after = perLine(new Classifier({ budgetMs: 0 }), lines, runs);
  const old = oldTree();
  let before: { median: number; max: number };
  try {
    before = perLine(new Classifier({ profilesDir: old.profiles, budgetMs: 0 }), lines, runs);
  } finally {
    rmSync(old.dir, { recursive: true, force: true });
  }
  const note = `${lines.length} lines × ${runs} runs, ${MAX_CLASSIFY_LENGTH} characters each`;
  return [
    { name: 'parse: 16 KiB near-miss line, before (six quadratic prefixes)', median: Math.round(before.median), unit: 'µs/line', runs, max: Math.round(before.max), note },
    {
      name: 'parse: 16 KiB near-miss line, after',
      median: Math.round(after.median * 10) / 10,
      unit: 'µs/line',
      runs,
      max: Math.round(after.max),
      target: '≤ 1000 µs per line',
      ok: after.median <= 1000,
      note: `${note}; ${Math.round(before.median / after.median)}x faster than before`,
    },
  ];
}

// Runnable on its own: node dist/bench/adversarial.js
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchAdversarial().then(
    (rows) => {
      for (const r of rows) process.stdout.write(`${r.name}: median ${r.median} ${r.unit} (max ${r.max})\n    ${r.note ?? ''}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
