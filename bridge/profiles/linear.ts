/**
 * The backtracking check of profile patterns: run a regex over the adversarial generator's
 * near-miss inputs (bridge/profiles/adversary.ts) and refuse it when matching grows faster than
 * the text. Screening runs at 2 KiB (a quadratic pattern already costs milliseconds there, a
 * linear one microseconds); inputs slow there are timed again at the maximum classified length.
 * Times are the minimum of a few runs, so a busy machine or a GC pause cannot fail a good
 * pattern; the verdict needs both a slow run at full length and super-linear growth.
 */
import { adversarialAttacks, render } from './adversary.js';

/** Longest text a pattern must handle: the classifier's cap (MAX_CLASSIFY_LENGTH). */
export const VET_LENGTH = 16 * 1024;
/** A pattern is refused when its worst near-miss input at VET_LENGTH takes longer than this. */
export const VET_LIMIT_MS = 5;
const SCREEN_LENGTH = 2 * 1024;
/** Growth from SCREEN_LENGTH to VET_LENGTH (8x longer) above which matching is super-linear. */
const SUPERLINEAR_RATIO = 16;
/** A screening run slower than this (ms at 2 KiB, confirmed twice) gets that input timed at full length. */
const SUSPECT_MS = 0.5;
/** At most this many inputs of one pattern are timed at full length (bounds the cost of a slow but linear pattern). */
const MAX_FULL_LOOKS = 8;

/** What the check found for one pattern. */
export interface Verdict {
  ok: boolean;
  /** Milliseconds of the worst input timed at VET_LENGTH (0 when no input was slow enough at 2 KiB to be timed there). */
  worstMs: number;
  /** How much slower the worst input got from 2 KiB to 16 KiB. */
  growth: number;
  /** The first characters of the worst input, for the diagnostic. */
  sample: string;
  inputs: number;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Minimum time of `runs` executions of `re` on `s`, in ms. */
function timeExec(re: RegExp, s: string, runs: number): number {
  let best = Infinity;
  for (let k = 0; k < runs; k++) {
    const t0 = now();
    re.lastIndex = 0;
    re.exec(s);
    const t = now() - t0;
    if (t < best) best = t;
  }
  return best;
}

/** Run the check on one pattern (as written; flags as the classifier uses them). */
export function vetPattern(pattern: string, flags = ''): Verdict {
  const re = new RegExp(pattern, flags);
  const attacks = adversarialAttacks(pattern);
  timeExec(re, 'warm up: V8 interprets a regex once before compiling it', 3);
  let worst = { ms: 0, growth: 1, sample: '' };
  let looked = 0;
  for (const a of attacks) {
    // a linear pattern takes microseconds at 2 KiB: anything slower is confirmed, then timed at full length
    let short = timeExec(re, render(a, SCREEN_LENGTH), 1);
    if (short <= SUSPECT_MS) continue;
    short = Math.min(short, timeExec(re, render(a, SCREEN_LENGTH), 2));
    if (short <= SUSPECT_MS || looked >= MAX_FULL_LOOKS) continue;
    looked++;
    const s = render(a, VET_LENGTH);
    let long = timeExec(re, s, 1);
    if (long > VET_LIMIT_MS) long = Math.min(long, timeExec(re, s, 1));
    if (long > worst.ms) worst = { ms: long, growth: long / short, sample: s };
    if (worst.ms > VET_LIMIT_MS && worst.growth > SUPERLINEAR_RATIO) break;
  }
  const ok = !(worst.ms > VET_LIMIT_MS && worst.growth > SUPERLINEAR_RATIO);
  return { ok, worstMs: worst.ms, growth: worst.growth, sample: visible(worst.sample.slice(0, 60)), inputs: attacks.length };
}

/** Control and separator characters spelled out (\n, \u2028) for a diagnostic. */
function visible(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** Checks each distinct pattern once per process (profile sets are often loaded more than once). */
const verdicts = new Map<string, Verdict>();

/** vetPattern, remembered per (pattern, flags). */
export function vetPatternOnce(pattern: string, flags = ''): Verdict {
  const key = `${flags}/${pattern}`;
  let v = verdicts.get(key);
  if (!v) {
    v = vetPattern(pattern, flags);
    verdicts.set(key, v);
  }
  return v;
}
