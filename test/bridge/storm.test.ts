import { expect } from 'chai';
import { StormSummarizer } from '../../bridge/storm.js';
import type { DeviceEvent } from '../../bridge/event.js';
import { testEvent } from '../support/events.js';

const down = (i: number, router: string, t = 0): DeviceEvent =>
  testEvent(i, { error: 'INTERFACE_DOWN', state: 'down', level: 'critical', site: 'gbg', router, interface: 'eth0', peer: null, timestamp: t });

describe('bridge/storm (pure, clock-injected)', () => {
  it('passes the first events, sends one summary at once when the threshold is passed, absorbs the rest, and a final summary at the window end', () => {
    let now = 0;
    const members: string[] = [];
    const st = new StormSummarizer({ threshold: 5, windowMs: 10_000, now: () => now }, (ev) => members.push(ev.id));
    const out: DeviceEvent[] = [];
    for (let i = 0; i < 56; i++) {
      now = i * 100;
      out.push(...st.push(down(i, `r${i}`)));
    }
    expect(out.slice(0, 5).map((e) => e.id)).to.deep.equal(['id-0', 'id-1', 'id-2', 'id-3', 'id-4']);
    expect(out).to.have.length(6);
    expect(out[5]!).to.include({ error: 'INTERFACE_DOWN_STORM', level: 'critical', site: 'gbg' });
    expect(out[5]!.summary).to.match(/^interface down \(down\) on 6 routers at gbg in 1 s so far: 6 events, r0, r1, r2, r3, r4 … \(\+1\)$/);
    expect(members).to.have.length(51);
    expect(st.tick()).to.deep.equal([]);
    now = 10_000;
    const fin = st.tick();
    expect(fin).to.have.length(1);
    expect(fin[0]!.summary).to.equal('interface down (down) on 56 routers at gbg in 10 s: 56 events, r0, r1, r10, r11, r12 … (+51)');
    expect(fin[0]!.id).to.match(/^storm-[0-9a-f]{20}-final$/);
    expect(out[5]!.id).to.equal(fin[0]!.id.replace(/final$/, 'so-far'));
    expect(st.stats()).to.deep.equal({ absorbed: 51, summaries: 2, active: 0 });
  });

  it('counts distinct sources: one router repeating itself is not a storm; other kinds and sites are separate', () => {
    const st = new StormSummarizer({ threshold: 3, now: () => 0 });
    let n = 0;
    for (let i = 0; i < 50; i++) n += st.push(down(i, 'r1')).length;
    expect(n).to.equal(50);
    for (let i = 0; i < 3; i++) n += st.push({ ...down(100 + i, `x${i}`), site: `s${i}` }).length;
    expect(n).to.equal(53);
    expect(st.push(testEvent(9, { error: null })).length).to.equal(1);
    expect(st.stats().absorbed).to.equal(0);
  });

  it('flush closes open storms (shutdown)', () => {
    const st = new StormSummarizer({ threshold: 1, now: () => 0 });
    st.push(down(0, 'a'));
    st.push(down(1, 'b'));
    expect(st.flush().map((e) => e.error)).to.deep.equal(['INTERFACE_DOWN_STORM']);
  });
});
