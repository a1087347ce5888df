/** Lab tests skip only outside CI: skipOrFail (used by useLab and every lab suite) fails under CI=true. No lab needed. */
import { expect } from 'chai';
import { skipOrFail } from '../support/lab.js';

describe('lab tests: no silent skip under CI', () => {
  const saved = process.env.CI;
  afterEach(() => { if (saved === undefined) delete process.env.CI; else process.env.CI = saved; });
  const ctx = () => {
    const c = { skipped: false, skip(): never { c.skipped = true; throw new Error('pending'); } };
    return c;
  };

  it('CI=true: fails with the reason, does not skip', () => {
    for (const v of ['true', '1', 'TRUE']) {
      process.env.CI = v;
      const c = ctx();
      expect(() => skipOrFail(c, 'the lab needs root')).to.throw('the lab needs root (CI=true: not skipping)');
      expect(c.skipped).to.equal(false);
    }
  });

  it('outside CI: skips', () => {
    delete process.env.CI;
    const c = ctx();
    expect(() => skipOrFail(c, 'the lab needs root')).to.throw('pending');
    expect(c.skipped).to.equal(true);
  });
});
