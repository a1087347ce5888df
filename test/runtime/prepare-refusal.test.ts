/**
 * A change whose records were taken between its plan under the router locks and its prepare (by
 * a run on another runner host, which these locks do not see): the backend's prepare refuses, and
 * the transaction gives that Refusal back (the run exits 2 with what to type instead) instead of
 * reporting the routers failed; no journal, no lock and nothing of its own is left. The file store
 * is real; the other host's change is made through a second store on the same directory, between
 * the two calls. No router is reached: the change stops before the push.
 */
import { expect } from 'chai';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../sot/file/store.js';
import type { Actor, Change, Plan, SourceOfTruth } from '../../sot/types.js';
import { runChange, type PushContext } from '../../runtime/txn.js';
import { REPO } from '../support/lab.js';
import { expectRefusal } from '../support/refusal.js';

const actor: Actor = { user: 'alice', channel: 'netops', via: 'chat', command: 'add peer in=bma ip=10.0.0.1 as=65100' };
const add: Change = { kind: 'add_peer', site: 'bma', ip: '10.0.0.1', as: 65100, description: null, routers: ['bma-edge1'] };

describe('runtime: a prepare refused because the records changed since the plan', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netops-prepare-refusal-'));
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is given back as the Refusal, with nothing left behind', async () => {
    const store = (host: string) => new FileStore(join(dir, 'sot'), { lockDir: join(dir, `sot-locks-${host}`), lockWait: 5 });
    const mine = store('a');
    const plan = await mine.plan(add, actor);
    let other: Plan | null = null;
    // this host's store, except that the other host records the same address just before the prepare
    const racing: SourceOfTruth = Object.assign(Object.create(mine) as FileStore, {
      prepare: async (p: Plan) => {
        const theirs = store('b');
        other = await theirs.plan(add, { ...actor, user: 'bob' });
        await theirs.prepare(other);
        await theirs.commit(other);
        return mine.prepare(p);
      },
    });
    const push = { opts: { stateDir: dir, lockWait: 1 }, def: { timeout: 60, playbook: 'add_peer.yml' }, name: 'add_peer', values: add, ctx: { hosts: [{ name: 'bma-edge1' }] } } as unknown as PushContext;

    await expectRefusal(runChange(push, racing, plan, 'alice'), '10.0.0.1 at bma was recorded by another change', 'check it with: netops show-site in=bma');

    const peers = (await store('c').site('bma'))!.peers;
    expect(peers.map((x) => [x.ip, x.as, x.by, x.txn])).to.deep.equal([['10.0.0.1', 65100, 'bob', other!.txn]]);
    expect(readdirSync(join(dir, 'journal', 'bma')), 'no journal left').to.deep.equal([]);
    expect(readdirSync(join(dir, 'locks')).filter((n) => n.endsWith('.lock')), 'router locks released').to.deep.equal([]);
    expect(existsSync(join(dir, 'runs')), 'nothing was pushed').to.equal(false);
  });
});
