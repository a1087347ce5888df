/** Per-router locks and recorded state (runtime/state.ts), on a real directory. */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLocks, LockBusy, readState, writeState } from '../../runtime/state.js';

describe('router locks and state', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'netops-locks-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a second change waits for the first and then goes ahead', async () => {
    const release = await acquireLocks(dir, ['r1', 'r2'], { user: 'alice', task: 'add_peer' }, 5);
    setTimeout(release, 300);
    const t0 = Date.now();
    const second = await acquireLocks(dir, ['r2'], { user: 'bob', task: 'remove_peer' }, 5);
    expect(Date.now() - t0).to.be.at.least(250);
    expect(JSON.parse(readFileSync(join(dir, 'locks', 'r2.lock'), 'utf8'))).to.include({ user: 'bob', task: 'remove_peer' });
    second();
  });

  it('is refused after the wait, naming who holds the router', async () => {
    const release = await acquireLocks(dir, ['r1'], { user: 'alice', task: 'add_peer' }, 1);
    try {
      await acquireLocks(dir, ['r1'], { user: 'bob', task: 'remove_peer' }, 0.3);
      expect.fail('should be refused');
    } catch (e) {
      expect(e).to.be.instanceOf(LockBusy);
      expect((e as Error).message).to.match(/^r1 is being changed by alice \(add_peer, since .*, pid \d+\)/);
    } finally { release(); }
  });

  it('a lock left by a process that is gone is taken over; a failed multi-lock releases what it took', async () => {
    const locks = join(dir, 'locks');
    await acquireLocks(dir, [], { user: 'x', task: 'y' }, 0);
    writeFileSync(join(locks, 'r1.lock'), JSON.stringify({ user: 'ghost', task: 'add_peer', pid: 2 ** 22 + 12345, since: 'then' }));
    const release = await acquireLocks(dir, ['r1'], { user: 'alice', task: 'add_peer' }, 0);
    release();
    const hold = await acquireLocks(dir, ['r2'], { user: 'carol', task: 'set_interface' }, 0);
    try {
      await acquireLocks(dir, ['r1', 'r2'], { user: 'bob', task: 'remove_peer' }, 0);
      expect.fail('should be refused');
    } catch (e) { expect(e).to.be.instanceOf(LockBusy); }
    const again = await acquireLocks(dir, ['r1'], { user: 'dave', task: 'add_peer' }, 0); // r1 was released
    again();
    hold();
  });

  it('state is replaced atomically and reads back', () => {
    expect(readState(dir, 'r1')).to.deep.equal({});
    writeState(dir, 'r1', { bgp_peers: { '10.0.0.1': { as: 65100 } } });
    expect(readState(dir, 'r1')).to.deep.equal({ bgp_peers: { '10.0.0.1': { as: 65100 } } });
  });
});
