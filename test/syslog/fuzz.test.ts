/**
 * Property tests: whatever arrives on a syslog port, parseSyslog returns a well-formed event,
 * never throws, and takes bounded time (profile regexes must not backtrack catastrophically).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { Classifier } from '../../bridge/parse.js';
import { eventProblems } from './check-event.js';
import { captureLines, corpusFixtures, ownFixtures } from './fixtures.js';

const classifier = new Classifier();
const IP = '198.51.100.7';
const REAL = [...corpusFixtures(), ...ownFixtures()].map((f) => f.raw.replace(/\n$/, '')).concat(captureLines().slice(0, 40));

/** Parse and check; returns the problems (empty when fine). */
function check(raw: string, receivedAt?: number): string[] {
  const e = classifier.parse(raw, IP, receivedAt);
  return eventProblems(e, IP);
}

const realLine = fc.constantFrom(...REAL);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

describe('syslog fuzz: never throws, always a well-formed event', function () {
  this.timeout(120_000);

  it('random strings (any UTF-16, lone surrogates included)', function () {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => check(s).length === 0), { numRuns: RUNS });
  });

  it('random bytes decoded as UTF-8 and as Latin-1', function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        const buf = Buffer.from(b);
        return check(buf.toString('utf8')).length === 0 && check(buf.toString('latin1')).length === 0;
      }),
      { numRuns: RUNS },
    );
  });

  it('real lines truncated anywhere', function () {
    fc.assert(fc.property(realLine, fc.nat(), (l, n) => check(l.slice(0, n % (l.length + 1))).length === 0), { numRuns: RUNS });
  });

  it('real lines with random text spliced in', function () {
    fc.assert(
      fc.property(realLine, fc.nat(), fc.string({ unit: 'binary', maxLength: 60 }), (l, n, junk) => {
        const at = n % (l.length + 1);
        return check(l.slice(0, at) + junk + l.slice(at)).length === 0;
      }),
      { numRuns: RUNS },
    );
  });

  it('weird PRIs in front of real bodies', function () {
    const pri = fc.oneof(
      fc.constantFrom('<>', '<999>', '<192>', '<-1>', '<0>', '<191>', '<0013>', '<13', '13>', '<<13>>', '<1a>', '<13>1 ', '<13>1 - - - - - -', '\uFEFF<13>'),
      fc.integer().map((n) => `<${n}>`),
      fc.string({ maxLength: 6 }).map((s) => `<${s}>`),
    );
    fc.assert(
      fc.property(pri, realLine, (p, l) => check(p + l.replace(/^<\d+>/, '')).length === 0),
      { numRuns: RUNS },
    );
  });

  it('odd receipt times and source addresses', function () {
    fc.assert(
      fc.property(realLine, fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 0)), (l, at) => {
        const e = classifier.parse(l, '', at);
        return Number.isInteger(e.timestamp) && e.host !== '' && /^[0-9a-f]{40}$/.test(e.id);
      }),
      { numRuns: RUNS },
    );
    const e = classifier.parse('x', 'a\nb', undefined);
    expect(e.summary).to.not.match(/\n/);
  });

  it('is deterministic: same input, same event', function () {
    fc.assert(
      fc.property(fc.oneof(realLine, fc.string({ maxLength: 200 })), (l) => {
        const a = classifier.parse(l, IP, 1_700_000_000);
        const b = classifier.parse(l, IP, 1_700_000_000);
        return JSON.stringify(a) === JSON.stringify(b);
      }),
      { numRuns: 200 },
    );
  });
});

describe('syslog fuzz: bounded time on huge and adversarial lines', function () {
  this.timeout(120_000);
  const LIMIT_MS = 250;

  function timed(raw: string): { ms: number; problems: string[] } {
    const t = performance.now();
    const problems = check(raw);
    return { ms: performance.now() - t, problems };
  }

  it('1 MB lines: random, repetitive, and a real header with a huge message', function () {
    const huge = [
      'a'.repeat(1 << 20),
      'a '.repeat(1 << 19),
      `<13>${'Jun 21 14:03:12 '.repeat(60_000)}`,
      `<28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED: ${'x'.repeat(1 << 20)}`,
      `<30>1 2026-11-24T22:38:23Z h bgpd 1 - ${'[a@1 k="v"]'.repeat(50_000)} msg`,
      Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
    ];
    for (const h of huge) {
      const r = timed(h);
      expect(r.problems, h.slice(0, 60)).to.deep.equal([]);
      expect(r.ms, `${h.slice(0, 60)}… took ${r.ms.toFixed(1)} ms`).to.be.below(LIMIT_MS * 4);
    }
  });

  it('every real line with 15 KB of filler spliced into its message stays fast (no regex blow-up)', function () {
    const fillers = [' ', 'a', 'a ', '1.', ':', 'x=y, ', '(', '[a] ', '\t'];
    let worst = 0;
    let worstLine = '';
    for (const l of REAL) {
      for (const f of fillers) {
        const at = Math.min(l.length, Math.max(l.indexOf(': ') + 2, Math.floor(l.length * 0.6)));
        const raw = l.slice(0, at) + f.repeat(Math.ceil(15_000 / f.length)) + l.slice(at);
        const r = timed(raw);
        expect(r.problems).to.deep.equal([]);
        if (r.ms > worst) {
          worst = r.ms;
          worstLine = raw.slice(0, 80);
        }
      }
    }
    expect(worst, `slowest: ${worstLine}…`).to.be.below(LIMIT_MS);
  });
});
