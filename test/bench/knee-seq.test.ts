/**
 * The knee bench's sequence numbers (bench/knee.ts `carrySeq`): every napalm-logs corpus sample
 * carries its number somewhere that leaves its classification as it was (12 of the 93 have rules
 * anchored at the end of the line, so appending ` seq=N` made them unknown), the number is read
 * back from the raw text, and every sample, sent as the knee's sender sends it through the real
 * bridge, arrives at the webhook double recognised.
 */
import { expect } from 'chai';
import { Classifier } from '../../bridge/parse.js';
import { carrySeq, checkMix, readSeq } from '../../bench/knee.js';
import { corpusFixtures } from '../syslog/fixtures.js';

describe('knee bench: sequence numbers in the corpus lines', function () {
  const lines = corpusFixtures().map((f) => f.raw.replace(/\s+$/, ''));
  before(function () {
    if (lines.length === 0) this.skip();
  });

  it('tags every sample without changing what the classifier makes of it, and reads the number back', () => {
    const c = new Classifier({});
    const tagged = carrySeq(lines, c);
    expect(tagged).to.have.length(lines.length);
    tagged.forEach((t, i) => {
      const plain = c.parse(lines[i]!, '127.0.0.1', 0);
      for (const n of [0, 42, 1_199_999]) {
        const ev = c.parse(`${t.head}${n}${t.tail}`, '127.0.0.1', 0);
        expect(ev.error, lines[i]).to.equal(plain.error);
        expect([ev.host, ev.peer, ev.interface, ev.state, ev.level], lines[i]).to.deep.equal([plain.host, plain.peer, plain.interface, plain.state, plain.level]);
        expect(readSeq(`${t.head}${n}${t.tail}`, tagged)).to.deep.equal({ sample: i, seq: n });
      }
    });
    // most keep the old suffix; the ones whose rules end at the end of the line carry it elsewhere
    expect(tagged.filter((t) => t.where === 'append').length).to.be.greaterThan(70);
    expect(tagged.filter((t) => t.where !== 'append').length).to.be.greaterThan(0);
    expect(readSeq('<13>May  1 10:00:00 nobody x: y', tagged)).to.equal(null);
  });

  it('every tagged sample arrives at the webhook double recognised (the real bridge, posting everything)', async function () {
    this.timeout(60_000);
    const f = await checkMix(lines, carrySeq(lines));
    expect(f.note).to.not.match(/not recognised|not read back/);
    expect(f.median).to.equal(lines.length);
    expect(f.ok).to.equal(true);
  });
});
