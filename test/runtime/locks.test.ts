/**
 * Locks belong to a whole run: the netops process (pid + start time) or any process that
 * carries the run's NETOPS_RUN_ID. Real second processes, no doubles.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLocks, LockBusy } from '../../runtime/locks.js';
import { processesOfRun, RUN_ID_ENV, startTime, stopRun } from '../../runtime/proc.js';

describe('runtime: run-owned locks', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'netops-locks-')); mkdirSync(dir, { recursive: true }); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const me = { user: 'alice', task: 'add_peer', run: 'run-a' };

  it('excludes a second holder and is free again once released', async () => {
    const release = await acquireLocks(dir, ['r2', 'r1'], me, 1);
    const err = await acquireLocks(dir, ['r1'], { ...me, user: 'bob', run: 'run-b' }, 0.3).catch((e: Error) => e);
    expect(err).to.be.instanceOf(LockBusy);
    expect((err as Error).message).to.match(/^r1 is being changed by alice \(add_peer, since .*, pid \d+\); try again when it is done$/);
    release();
    expect(readdirSync(dir)).to.deep.equal([]);
    (await acquireLocks(dir, ['r1'], me, 1))();
  });

  it('a lock whose netops died but whose Ansible still runs is held; once that ends it is stale', async function () {
    this.timeout(20_000);
    const child = execa('sleep', ['30'], { env: { [RUN_ID_ENV]: 'run-dead' }, reject: false });
    await new Promise((r) => setTimeout(r, 100));
    // The holder's netops process is gone (a pid that no longer exists), its run's process lives.
    writeFileSync(join(dir, 'r1.lock'), JSON.stringify({ user: 'carol', task: 'add_peer', pid: 999_999_999, start: 1, run: 'run-dead', since: '2026-12-01T00:00:00Z' }));
    expect(processesOfRun('run-dead')).to.deep.equal([child.pid]);
    const err = await acquireLocks(dir, ['r1'], me, 0.3).catch((e: Error) => e);
    expect(err).to.be.instanceOf(LockBusy);
    expect(await stopRun('run-dead')).to.deep.equal([child.pid]);
    await child;
    expect(processesOfRun('run-dead')).to.deep.equal([]);
    (await acquireLocks(dir, ['r1'], me, 1))();
  });

  it('a reused pid (same pid, other start time) does not hold a lock forever', async () => {
    writeFileSync(join(dir, 'r1.lock'), JSON.stringify({ user: 'carol', task: 'add_peer', pid: process.pid, start: startTime(process.pid)! - 1, run: 'gone', since: '2026-12-01T00:00:00Z' }));
    (await acquireLocks(dir, ['r1'], me, 1))();
  });

  it('the same pid with the same start time holds it', async () => {
    writeFileSync(join(dir, 'r1.lock'), JSON.stringify({ user: 'carol', task: 'add_peer', pid: process.pid, start: startTime(process.pid), run: 'gone', since: '2026-12-01T00:00:00Z' }));
    expect(await acquireLocks(dir, ['r1'], me, 0.2).catch((e: Error) => e)).to.be.instanceOf(LockBusy);
  });

  it('stopRun ends processes that left the process group (a setsid daemon, like ansible-connection)', async function () {
    this.timeout(20_000);
    const child = execa('setsid', ['-f', 'sleep', '30'], { env: { [RUN_ID_ENV]: 'run-daemon' }, reject: false, stdio: 'ignore' });
    await child;
    await new Promise((r) => setTimeout(r, 100));
    const pids = processesOfRun('run-daemon');
    expect(pids).to.have.length(1);
    await stopRun('run-daemon');
    expect(processesOfRun('run-daemon')).to.deep.equal([]);
  });
});
