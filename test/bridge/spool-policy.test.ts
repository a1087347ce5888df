import { expect } from 'chai';
import { admit, type Room } from '../../bridge/spool/policy.js';

const room = (over: Partial<Room> = {}): Room => ({
  liveBytes: 0, liveCount: 0, laneCount: [0, 0, 0], laneBytes: [0, 0, 0], oldestSize: () => 100,
  maxBytes: 1000, maxEvents: 10, hardBytes: 2000, hardEvents: 20,
  unwrittenBytes: 0, maxUnwrittenBytes: 1000, hardUnwrittenBytes: 4000, ioFailing: false, closed: false, ...over,
});

describe('bridge/spool/policy (pure)', () => {
  it('accepts with room, evicting nothing', () => {
    expect(admit(0, 100, room())).to.deep.equal({ accept: true, evict: [0, 0, 0], overSoft: false });
  });

  it('a full spool: info pushes out the oldest info, warning pushes out info then warning', () => {
    const full = room({ liveBytes: 1000, liveCount: 10, laneCount: [2, 5, 3], laneBytes: [200, 500, 300] });
    expect(admit(0, 100, full)).to.deep.equal({ accept: true, evict: [1, 0, 0], overSoft: false });
    expect(admit(1, 300, full)).to.deep.equal({ accept: true, evict: [2, 1, 0], overSoft: false });
    expect(admit(2, 100, full)).to.deep.equal({ accept: true, evict: [1, 0, 0], overSoft: false });
  });

  it('refuses a lower event it cannot make room for, without evicting', () => {
    const crit = room({ liveBytes: 1000, liveCount: 10, laneCount: [0, 0, 10], laneBytes: [0, 0, 1000] });
    expect(admit(0, 100, crit)).to.deep.equal({ accept: false, reason: 'spool_full' });
    expect(admit(1, 100, crit)).to.deep.equal({ accept: false, reason: 'spool_full' });
  });

  it('critical only: over the soft bound up to the hard bound, then spool_hard_full', () => {
    const crit = room({ liveBytes: 1000, liveCount: 10, laneCount: [0, 0, 10], laneBytes: [0, 0, 1000] });
    expect(admit(2, 100, crit)).to.deep.equal({ accept: true, evict: [0, 0, 0], overSoft: true });
    expect(admit(2, 100, { ...crit, liveCount: 20 })).to.deep.equal({ accept: false, reason: 'spool_hard_full' });
  });

  it('write buffer: info shed above half, warning above the bound, critical only above the hard bound; the reason names the cause', () => {
    const slow = room({ unwrittenBytes: 600 });
    expect(admit(0, 100, slow)).to.deep.equal({ accept: false, reason: 'write_buffer_full' });
    expect(admit(1, 100, slow).accept).to.equal(true);
    expect(admit(1, 500, slow)).to.deep.equal({ accept: false, reason: 'write_buffer_full' });
    const slower = room({ unwrittenBytes: 3850 });
    expect(admit(2, 100, slower).accept).to.equal(true);
    expect(admit(2, 200, slower)).to.deep.equal({ accept: false, reason: 'write_buffer_full' });
    expect(admit(0, 100, { ...slow, ioFailing: true })).to.deep.equal({ accept: false, reason: 'spool_io_error' });
    expect(admit(2, 100, room({ closed: true }))).to.deep.equal({ accept: false, reason: 'spool_closed' });
  });
});
