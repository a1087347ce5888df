/** The event's `time` field: the fast formatter agrees with Date#toISOString for any second. */
import { expect } from 'chai';
import fc from 'fast-check';
import { isoTime } from '../../bridge/parse.js';

describe('isoTime', () => {
  it('matches toISOString (without milliseconds) for any whole or fractional second', () => {
    fc.assert(fc.property(fc.double({ min: -62135596800, max: 253402300799, noNaN: true }), (t) => {
      expect(isoTime(t)).to.equal(new Date(Math.floor(t) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    }), { numRuns: 20000 });
  });
  it('gives "" for what is not a time', () => {
    expect(isoTime(Number.NaN)).to.equal('');
    expect(isoTime(Number.POSITIVE_INFINITY)).to.equal('');
  });
});
