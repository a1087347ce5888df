import { expect } from 'chai';
import { initialLaneState, pickLane, type LaneState } from '../../bridge/lanes.js';

/** Serve `n` picks with the given lanes always waiting; returns how often each lane was served. */
function serve(waiting: boolean[], n: number): number[] {
  let st: LaneState = initialLaneState;
  const served = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const p = pickLane(waiting, st);
    served[p.lane]!++;
    st = p.state;
  }
  return served;
}

describe('bridge/lanes (pure scheduler)', () => {
  it('serves critical first, then warning, then info', () => {
    expect(pickLane([true, true, true], initialLaneState).lane).to.equal(2);
    expect(pickLane([true, true, false], initialLaneState).lane).to.equal(1);
    expect(pickLane([true, false, false], initialLaneState).lane).to.equal(0);
    expect(pickLane([false, false, false], initialLaneState).lane).to.equal(-1);
  });

  it('gives the lower lanes their guaranteed share under a flood above them', () => {
    const all = serve([true, true, true], 1000);
    expect(all[0]).to.be.within(49, 50);
    expect(all[1]).to.equal(100);
    expect(all[2]).to.be.within(850, 851);
    expect(serve([true, false, true], 1000)).to.deep.equal([50, 0, 950]);
    expect(serve([true, true, false], 1000)).to.deep.equal([50, 950, 0]);
  });

  it('a critical event waits at most one pick when a share falls due', () => {
    let st: LaneState = { credit: [990, 990, 0] };
    const p = pickLane([true, true, true], st);
    expect(p.lane).to.equal(1);
    st = p.state;
    expect(pickLane([true, false, true], st).lane).to.equal(0);
  });

  it('banks no credit while a lane is empty', () => {
    let st: LaneState = initialLaneState;
    for (let i = 0; i < 100; i++) st = pickLane([false, false, true], st).state;
    expect(st.credit).to.deep.equal([0, 0, 0]);
  });
});
