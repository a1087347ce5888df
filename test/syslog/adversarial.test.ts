/**
 * Hostile input cannot stall classification: near-miss lines at the maximum classified length
 * (16 KiB) against every profile cost ≤ 1 ms per message, a pattern that backtracks
 * super-linearly is refused when profiles load (NP009), and a message that still runs over the
 * per-message budget is set aside, counted and reported.
 * The strict figure (median µs per line, before and after) is in bench/parse.ts.
 */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Classifier, defaultProfilesDir, loadProfiles, MAX_CLASSIFY_LENGTH, ProfileError } from '../../bridge/parse.js';
import { adversarialInputs, parsePattern } from '../../bridge/profiles/adversary.js';
import { vetPattern } from '../../bridge/profiles/linear.js';
import { corpusFixtures, ownFixtures } from './fixtures.js';
import { nearMissLines, OLD_PATTERNS, profilePatterns } from './near-miss.js';

const LEN = MAX_CLASSIFY_LENGTH;

/** Mean milliseconds per line over `lines`, and the slowest line (lines over 2 ms are timed twice more, fastest kept: a GC pause is not the classifier). */
function cost(c: Classifier, lines: Iterable<string>): { n: number; meanMs: number; worstMs: number; worst: string } {
  const time = (l: string): number => {
    const t0 = process.hrtime.bigint();
    c.parse(l, '192.0.2.9', 1_700_000_000);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  let total = 0;
  let worstMs = 0;
  let worst = '';
  let n = 0;
  for (const l of lines) {
    n++;
    if (l.length !== LEN) throw new Error(`a near-miss line of ${l.length} characters`);
    let ms = time(l);
    total += ms;
    if (ms > 2) ms = Math.min(ms, time(l), time(l));
    if (ms > worstMs) [worstMs, worst] = [ms, l];
  }
  return { n, meanMs: total / n, worstMs, worst: JSON.stringify(worst.slice(0, 80)) };
}

describe('syslog: adversarial near-miss lines (16 KiB) against every profile', function () {
  this.timeout(300_000);
  // no budget: measure the classifier itself, not the safety net
  const c = new Classifier({ budgetMs: 0 });
  const fixtures = [...corpusFixtures(), ...ownFixtures()];

  it('the generator gives lines of the asked length, the same ones every time', function () {
    const a = adversarialInputs(OLD_PATTERNS[0]!.regex, LEN);
    expect(a.length).to.be.greaterThan(10);
    expect(a.every((s) => s.length === LEN)).to.equal(true);
    expect(adversarialInputs(OLD_PATTERNS[0]!.regex, LEN)).to.deep.equal(a);
    expect(() => parsePattern('(a')).to.throw(SyntaxError);
  });

  it('finds the quadratic patterns this project shipped before (all six)', function () {
    const slow = OLD_PATTERNS.filter((p) => !vetPattern(p.regex).ok).map((p) => p.ref);
    expect(slow).to.deep.equal(OLD_PATTERNS.map((p) => p.ref));
  });

  it('every prefix and event pattern on its own generated inputs: ≤ 1 ms per input on average, none over 10 ms', function () {
    let total = 0;
    let n = 0;
    const slow: string[] = [];
    for (const { ref, re } of profilePatterns(c.profiles)) {
      for (const s of adversarialInputs(re.source, LEN)) {
        let best = Infinity;
        for (let r = 0; r < 2; r++) {
          const t0 = process.hrtime.bigint();
          re.exec(s);
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          total += ms;
          n++;
          best = Math.min(best, ms);
        }
        if (best >= 10) slow.push(`${ref}: ${best.toFixed(1)} ms on ${JSON.stringify(s.slice(0, 60))}`);
      }
    }
    expect(n).to.be.greaterThan(10_000);
    expect(slow).to.deep.equal([]);
    expect(total / n).to.be.at.most(1);
  });

  it('real headers and fixtures stretched to 16 KiB through the whole classifier: ≤ 1 ms per line on average, none over 10 ms', function () {
    const r = cost(c, nearMissLines(c, fixtures, LEN));
    expect(r.n).to.be.greaterThan(20_000);
    expect(r.worstMs, `slowest line ${r.worst}`).to.be.below(10);
    expect(r.meanMs).to.be.at.most(1);
  });
});

describe('syslog: the profile loader refuses super-linear patterns (NP009)', function () {
  this.timeout(120_000);

  function withJunosPrefix(edit: (text: string) => string): string {
    const dir = mkdtempSync(join(tmpdir(), 'netops-redos-'));
    cpSync(defaultProfilesDir(), join(dir, 'profiles'), { recursive: true });
    const file = join(dir, 'profiles', 'junos', '_prefix.yml');
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
    return join(dir, 'profiles');
  }

  it('every shipped profile passes the check', function () {
    expect(() => loadProfiles(defaultProfilesDir(), { vet: true })).to.not.throw();
  });

  it("refuses the old Junos ': *(?<message>.*)$' with its file:line:col, and loads it without the check", function () {
    const dir = withJunosPrefix((t) => t.replace('\\]:(?<message>.*)$', '\\]: *(?<message>.*)$'));
    try {
      expect(() => loadProfiles(dir)).to.not.throw();
      let err: ProfileError | null = null;
      try {
        loadProfiles(dir, { vet: true });
      } catch (e) {
        err = e as ProfileError;
      }
      expect(err).to.be.instanceOf(ProfileError);
      expect(err!.diagnostics.map((d) => [d.code, d.file, d.line])).to.deep.equal([['NP009', 'profiles/junos/_prefix.yml', 32]]);
      expect(err!.message).to.match(/^profiles\/junos\/_prefix\.yml:32:12: NP009 regex backtracks super-linearly: a 16384-character near-miss line/);
      expect(err!.message).to.include('hint: ');
    } finally {
      rmSync(join(dir, '..'), { recursive: true, force: true });
    }
  });
});

describe('syslog: the per-message classification budget', function () {
  this.timeout(120_000);

  it('sets aside (unclassified, marked, counted, reported) a message that runs over it; others are classified', function () {
    // a profile tree with one deliberately quadratic prefix, loaded without the check
    const top = mkdtempSync(join(tmpdir(), 'netops-budget-'));
    const dir = join(top, 'profiles');
    try {
      cpSync(join(defaultProfilesDir(), 'eos'), join(dir, 'eos'), { recursive: true });
      const file = join(dir, 'eos', '_prefix.yml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('[A-Z](?=[\\w-]*?-\\d-[\\w-])[\\w-]*', '[A-Z][\\w-]*-\\d-[\\w-]+'));
      const seen: Array<{ ref: string; length: number }> = [];
      const c = new Classifier({ profilesDir: dir, budgetMs: 2, onSetAside: (s) => seen.push({ ref: s.ref, length: s.length }) });
      const good = '<165>Feb  6 09:42:36 leaf03.ams2 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet12, changed state to down';
      const ok = c.parse(good, '192.0.2.1', 1);
      expect(ok.error).to.equal('INTERFACE_DOWN');
      const hostile = `<165>Feb  6 09:42:36 leaf03.ams2 Ebra: %A${'-0-a'.repeat(4000)}`;
      const e = c.parse(hostile, '192.0.2.66', 2);
      expect(e.error).to.equal(null);
      expect(e.message_details.set_aside).to.deep.include({ reason: 'classification budget', budget_ms: 2, ref: 'profiles/eos/_prefix.yml#0' });
      expect(c.stats.setAside).to.equal(1);
      expect(seen).to.deep.equal([{ ref: 'profiles/eos/_prefix.yml#0', length: hostile.length }]);
      expect(c.parse(good, '192.0.2.1', 3).error, 'later messages are classified').to.equal('INTERFACE_DOWN');
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });
});
