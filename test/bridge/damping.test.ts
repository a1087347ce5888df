import { expect } from 'chai';
import { Damper, classify, formatDuration } from '../../bridge/damping.js';
import type { DeviceEvent } from '../../bridge/event.js';

let n = 0;
function bgp(state: string, peer = '10.0.0.1', router = 'bma-edge1'): DeviceEvent {
  n++;
  const down = state !== 'Established';
  return {
    id: `ev${n}`,
    error: 'BGP_NEIGHBOR_STATE_CHANGED',
    os: 'frr',
    host: router,
    ip: '192.0.2.1',
    timestamp: 1_700_000_000 + n,
    facility: 23,
    severity: down ? 3 : 5,
    yang_model: 'openconfig-bgp',
    yang_message: {},
    message_details: { n },
    site: 'bma',
    router,
    peer,
    interface: null,
    state,
    level: down ? 'critical' : 'info',
    summary: `${router}: BGP ${peer} ${state}`,
    raw: `raw ${n}`,
  };
}
function iface(state: 'up' | 'down', name = 'eth0'): DeviceEvent {
  return { ...bgp(state === 'up' ? 'Established' : 'Idle'), error: state === 'up' ? 'INTERFACE_UP' : 'INTERFACE_DOWN', peer: null, interface: name, state };
}

describe('bridge/damping', () => {
  let now = 0;
  const clock = () => now;
  const min = 60_000;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('passes events that are not BGP/interface state changes untouched', () => {
    const d = new Damper({ now: clock });
    const ev = { ...bgp('Idle'), peer: null, state: null, error: 'CONFIG_COMMITTED' };
    expect(d.push(ev)).to.deep.equal([ev]);
    expect(classify(ev)).to.equal(null);
  });

  it('first failure goes at once; the recovery goes at once, paired with it', () => {
    const d = new Damper({ now: clock });
    const down = bgp('Idle');
    expect(d.push(down)).to.deep.equal([down]);
    now += 42_000;
    const [up, ...rest] = d.push(bgp('Established'));
    expect(rest).to.have.length(0);
    expect(up!.message_details).to.include({ recovers: down.id, down_seconds: 42 });
    expect(up!.summary).to.match(/\(down 42 s\)$/);
    now += 10 * min;
    expect(d.tick()).to.deep.equal([]);
    expect(d.stats()).to.include({ suppressed: 0, summaries: 0, paired: 1 });
  });

  it('a flapping session: first failure, first recovery, then one summary per window', () => {
    const d = new Damper({ now: clock, windowMs: 5 * min });
    const first = bgp('Idle');
    const out: DeviceEvent[] = [...d.push(first)];
    now += 1000;
    out.push(...d.push(bgp('Established')));
    for (let i = 0; i < 11; i++) {
      now += 5000;
      out.push(...d.push(bgp('Active')));
      now += 5000;
      out.push(...d.push(bgp('Established')));
    }
    expect(out).to.have.length(2);
    expect(d.tick()).to.deep.equal([]); // window not over yet
    now = 1_000_000 + 5 * min;
    const [summary, ...more] = d.tick();
    expect(more).to.have.length(0);
    expect(summary!.error).to.equal('BGP_NEIGHBOR_FLAPPING');
    expect(summary!.summary).to.equal('bma-edge1: 10.0.0.1 flapped 12 times in 5 min, now Established');
    expect(summary!.state).to.equal('Established');
    expect(summary!.level).to.equal('warning');
    expect(summary!.message_details.flap).to.include({ failures: 12, suppressed: 22, window_seconds: 300 });
    expect(d.stats().suppressed).to.equal(22);
    // Still flapping in the next window: suppressed again, one more summary, ending down = critical.
    now += 10_000;
    expect(d.push(bgp('Idle'))).to.deep.equal([]);
    now = 1_000_000 + 10 * min;
    const [s2] = d.tick();
    expect(s2!.summary).to.equal('bma-edge1: 10.0.0.1 flapped 1 time in 5 min, now Idle');
    expect(s2!.level).to.equal('critical');
    // A quiet window ends the episode; the recovery is paired with the last summary.
    now += 5 * min;
    expect(d.tick()).to.deep.equal([]);
    now += 1000;
    const [rec] = d.push(bgp('Established'));
    expect(rec!.message_details.recovers).to.equal(s2!.id);
    expect(rec!.message_details.down_seconds).to.equal(Math.round((now - (1_000_000 + 5 * min + 10_000)) / 1000));
  });

  it('a summary is due at the window end even if the next event comes much later', () => {
    const d = new Damper({ now: clock, windowMs: 5 * min });
    d.push(bgp('Idle'));
    d.push(bgp('Established'));
    d.push(bgp('Idle'));
    now += 60 * min;
    const out = d.push(bgp('Established'));
    expect(out.map((e) => e.error)).to.deep.equal(['BGP_NEIGHBOR_FLAPPING', 'BGP_NEIGHBOR_STATE_CHANGED']);
    expect(out[1]!.message_details.recovers).to.equal(out[0]!.id);
  });

  it('keys are per router and per peer/interface; interfaces get INTERFACE_FLAPPING', () => {
    const d = new Damper({ now: clock, windowMs: min });
    const out = [...d.push(iface('down')), ...d.push(iface('down', 'eth1')), ...d.push(bgp('Idle', '10.0.0.2')), ...d.push(bgp('Idle', '10.0.0.2', 'other'))];
    expect(out).to.have.length(4);
    d.push(iface('up'));
    d.push(iface('down'));
    d.push(iface('up'));
    now += min;
    const [s] = d.tick();
    expect(s!.error).to.equal('INTERFACE_FLAPPING');
    expect(s!.summary).to.equal('bma-edge1: eth0 flapped 2 times in 1 min, now up');
  });

  it('repeats of the current state inside a window are suppressed without a summary', () => {
    const d = new Damper({ now: clock, windowMs: min });
    expect(d.push(iface('down'))).to.have.length(1);
    expect(d.push(iface('down'))).to.have.length(0);
    now += min;
    expect(d.tick()).to.deep.equal([]);
    expect(d.stats().suppressed).to.equal(1);
  });

  it('state is bounded: LRU eviction emits a pending summary; idle keys expire', () => {
    const d = new Damper({ now: clock, windowMs: min, maxKeys: 3, idleMs: 10 * min });
    d.push(bgp('Idle', 'p0'));
    d.push(bgp('Established', 'p0'));
    d.push(bgp('Idle', 'p0'));
    d.push(bgp('Idle', 'p1'));
    d.push(bgp('Idle', 'p2'));
    const out = d.push(bgp('Idle', 'p3'));
    expect(out.map((e) => e.error)).to.deep.equal(['BGP_NEIGHBOR_FLAPPING', 'BGP_NEIGHBOR_STATE_CHANGED']);
    expect(d.stats()).to.include({ keys: 3, evicted: 1 });
    for (let i = 0; i < 10_000; i++) d.push(bgp('Idle', `x${i}`));
    expect(d.stats().keys).to.equal(3);
    now += 11 * min;
    d.tick();
    expect(d.stats().keys).to.equal(0);
  });

  it('formats durations', () => {
    expect([42, 300, 330, 3725, 7200].map(formatDuration)).to.deep.equal(['42 s', '5 min', '5 min 30 s', '1 h 2 min', '2 h']);
  });
});
