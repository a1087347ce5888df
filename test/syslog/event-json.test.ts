/**
 * serializeEvent (bridge/event-json.ts) must give exactly JSON.stringify(event): on every corpus
 * fixture, own fixture and capture line, on adversarial captured values (quotes, backslashes,
 * control characters, lone surrogates, U+2028/2029, integer-like and "__proto__" yang keys), and
 * on events changed after classification (which must fall back to JSON.stringify).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPrecompiled, serializeEvent } from '../../bridge/event-json.js';
import { Classifier } from '../../bridge/parse.js';
import { captureLines, corpusFixtures, ownFixtures, REPO } from './fixtures.js';

const IP = '198.51.100.7';
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

const same = (c: Classifier, line: string): { text: boolean; ok: boolean } => {
  const e = c.parse(line, IP, 1764600000.25);
  return { text: isPrecompiled(e), ok: serializeEvent(e) === JSON.stringify(e) };
};

/** Adversarial pieces of captured values. */
const PIECES = ['1', '10', '0', '01', '-1', '4294967294', '4294967295', '__proto__', 'constructor', 'toJSON', '"', '\\', '\\"', '\u2028', '\u2029',
  '\ud800', '\udfff', '\ud83d\ude00', '\u0000', '\u0001', '\u001f', '\u007f', '\t', '\u00e9', '→', '{', '}', ':', ','];
const value = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 5 }).map((a) => a.join(''));

describe('serializeEvent: byte for byte JSON.stringify(event)', function () {
  this.timeout(120_000);
  const c = new Classifier();

  it('every corpus fixture, own fixture and capture line', function () {
    const lines = [...corpusFixtures(), ...ownFixtures()].map((f) => f.raw.replace(/\n$/, '')).concat(captureLines());
    expect(lines.length).to.be.greaterThan(200);
    let text = 0;
    let matched = 0;
    const bad: string[] = [];
    for (const l of lines) {
      const e = c.parse(l, IP, 1764600000.25);
      if (e.error !== null) matched++;
      if (isPrecompiled(e)) text++;
      if (serializeEvent(e) !== JSON.stringify(e)) bad.push(l);
    }
    expect(bad).to.deep.equal([]);
    // most matched events really go through the text builders (not only the fallback)
    expect(matched).to.be.greaterThan(150);
    expect(text).to.be.greaterThan(matched * 0.8);
  });

  it('real lines with a captured value replaced by adversarial text (same rule still matching)', function () {
    const fixtures = [...corpusFixtures(), ...ownFixtures()];
    const cases = fixtures.flatMap((f) => {
      const raw = f.raw.replace(/\n$/, '');
      const e = c.parse(raw, IP);
      const vals = Object.values((e.message_details.values ?? {}) as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v.length > 0 && raw.includes(v));
      return vals.map((v) => ({ raw, v }));
    });
    expect(cases.length).to.be.greaterThan(100);
    let text = 0;
    fc.assert(
      fc.property(fc.constantFrom(...cases), value, ({ raw, v }, x) => {
        const line = raw.replace(v, x.replace(/\s/g, ''));
        const r = same(c, line);
        if (r.text) text++;
        return r.ok;
      }),
      { numRuns: RUNS * 4 },
    );
    expect(text).to.be.greaterThan(RUNS / 4);
  });

  it('events changed after classification fall back to JSON.stringify', function () {
    const line = ownFixtures().map((f) => f.raw.replace(/\n$/, '')).find((l) => isPrecompiled(c.parse(l, IP)))!;
    const changes: Array<(e: Record<string, unknown>) => void> = [
      (e) => { e.site = 'par1'; e.router = 'r"1'; },
      (e) => { e.verified = true; },
      (e) => { delete e.user; },
      (e) => { delete e.time; e.time = 'later'; },
      (e) => { e.user = undefined; },
      (e) => { e.yang_message = { x: 1 }; },
      (e) => { (e.message_details as Record<string, unknown>).extra = 1; },
      (e) => { (e.message_details as Record<string, unknown>).values = { a: 1 }; },
      (e) => { ((e.message_details as Record<string, unknown>).values as Record<string, unknown>).added = 'x'; },
      (e) => { (e.message_details as Record<string, unknown>).pri = '1"'; },
      (e) => { e.summary = 'a\u2028b\ud800"'; e.level = 'warning'; },
    ];
    for (const change of changes) {
      const e = c.parse(line, IP);
      change(e as unknown as Record<string, unknown>);
      expect(serializeEvent(e)).to.equal(JSON.stringify(e));
    }
  });

  describe('a test profile: templated yang keys, optional leaves, literals, integer-like keys', function () {
    let dir = '';
    let t: Classifier;
    before(function () {
      dir = mkdtempSync(join(tmpdir(), 'netops-eventjson-'));
      cpSync(join(REPO, 'profiles', 'frr', '_prefix.yml'), join(dir, 'frr', '_prefix.yml'), { recursive: true });
      const ev = (error: string, yang: string): void =>
        writeFileSync(join(dir, 'frr', `${error}.yml`), `error: ${error}\ntag: ${error.replace(/_/g, '')}\nmodel: test\nmatch:\n  - regex: '^a=(?<a>.*?) b=(?<b>.*?) c=(?<c>.*)$'\nyang:\n${yang}\n`);
      ev('T_MAIN', [
        "  top/{a}/state:",
        "    x: '{b}'",
        "    y: '{c?}'",
        '    n: 5',
        '    f: 1.5',
        '    nul: null',
        '    t: true',
        "    s: 'q\"\\\\'",
        "  one/10: '{a}'",
        "  deep/{c}/k/{a}: '{b}'",
      ].join('\n'));
      ev('T_INTKEYS', ["  ints/2: '{a}'", "  ints/1: '{b}'", "  ints/x: '{c?}'"].join('\n'));
      ev('T_TWOKEYS', ["  m/{a}: '{b}'", "  m/{b}: '{c}'", "  other/{b}: '{c?}'"].join('\n'));
      ev('T_OPTKEY', ["  '{b}': '{c?}'"].join('\n'));
      t = new Classifier({ profilesDir: dir });
    });
    after(function () {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    const line = (tag: string, a: string, b: string, cc: string): string => `Dec  1 17:00:00 r1 bgpd[12]: %${tag}: a=${a} b=${b} c=${cc}`;

    it('the main rule goes through the text builders, with the same bytes', function () {
      const e = t.parse(line('TMAIN', '10.0.0.1', 'up', ''), IP);
      expect(e.error).to.equal('T_MAIN');
      expect(isPrecompiled(e)).to.equal(true);
      expect(serializeEvent(e)).to.equal(JSON.stringify(e));
      for (const [b, cc] of [['__proto__', 'x'], ['__proto__', ''], ['1', '"'], ['toJSON', 'x']]) {
        const o = t.parse(line('TOPTKEY', 'a', b!, cc!), IP);
        expect(o.error).to.equal('T_OPTKEY');
        expect(serializeEvent(o)).to.equal(JSON.stringify(o));
      }
    });

    it('adversarial captured values, in every rule', function () {
      let text = 0;
      fc.assert(
        fc.property(fc.constantFrom('TMAIN', 'TINTKEYS', 'TTWOKEYS', 'TOPTKEY'), value, value, value, (tag, a, b, cc) => {
          const e = t.parse(line(tag, a, b, cc), IP);
          if (isPrecompiled(e)) text++;
          return serializeEvent(e) === JSON.stringify(e);
        }),
        { numRuns: RUNS * 4 },
      );
      expect(text).to.be.greaterThan(RUNS / 2);
    });
  });
});
