/**
 * Correlation of device events with netops changes (bridge/correlate/): the pure parts (router
 * match, window, peer/interface preference, wording), the audit log tail (incremental, torn
 * line, truncation, rotation, bounded first read), and the correlator on a real file store
 * written through FileStore.record — once through the file tail, once through the
 * SourceOfTruth interface only (how the Nautobot backend is read).
 */
import { expect } from 'chai';
import { appendFileSync, cpSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agoText, describeEntry } from '../../bridge/correlate/describe.js';
import { ChangeIndex, indexedChange, pickChange } from '../../bridge/correlate/index.js';
import { entryRouters, eventRouter, routerMap } from '../../bridge/correlate/routers.js';
import { LogTail } from '../../bridge/correlate/tail.js';
import { Correlator } from '../../bridge/correlate/correlator.js';
import { FileStore } from '../../sot/file/store.js';
import { markRunning, runningDir } from '../../runtime/running.js';
import type { HistoryEntry, SourceOfTruth } from '../../sot/types.js';
import { REPO } from '../support/lab.js';
import { renderRuleTemplate, ruleMessage } from '../support/st2-jinja.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
let seq = 0;

function entry(o: Partial<HistoryEntry> & { ago?: number } = {}): HistoryEntry {
  const { ago = 5, ...rest } = o;
  seq++;
  return {
    id: `t${seq}`, at: iso(NOW - ago * MIN), user: 'alice', channel: 'netops', via: 'chat', task: 'add_peer', site: 'bma',
    params: { in: 'bma', ip: '10.0.0.1', as: 65100 }, plan: ['record 10.0.0.1 in IPAM (prefix 10.0.0.0/30, site bma)', 'bma-edge1: neighbor 10.0.0.1 remote-as 65100'],
    status: 'changed', summary: 'alice: add peer in bma', txn: `t${seq}`, ...rest,
  };
}

const ROUTERS = routerMap([
  { name: 'bma-edge1', site: 'bma', address: '192.0.2.2' },
  { name: 'bma-edge2', site: 'bma', address: '192.0.2.6' },
  { name: 'gbg-edge1', site: 'gbg', address: '192.0.2.10' },
]);

function indexOf(entries: HistoryEntry[], retainMs = 60 * MIN): ChangeIndex {
  const ix = new ChangeIndex({ retainMs });
  for (const e of entries) ix.add(indexedChange(e)!, entryRouters(ROUTERS, e), NOW);
  return ix;
}

describe('bridge/correlate: which change explains an event', () => {
  it('words a change: verb in the past tense, key parameters, status when it did not finish', () => {
    expect(describeEntry(entry())).to.equal('added peer 10.0.0.1 AS65100');
    expect(describeEntry(entry({ task: 'remove_peer', params: { in: 'bma', ip: '10.0.0.5' } }))).to.equal('removed peer 10.0.0.5');
    expect(describeEntry(entry({ task: 'set_interface', params: { in: 'bma', name: 'to-peer2', state: 'down' } }))).to.equal('set interface to-peer2 down');
    expect(describeEntry(entry({ status: 'failed' }))).to.equal('added peer 10.0.0.1 AS65100 (failed)');
    expect(describeEntry(entry({ params: { in: 'bma', ip: '10.0.0.1', as: 65100, password: '********' } }))).to.equal('added peer 10.0.0.1 AS65100');
    expect([agoText(45), agoText(12 * 60 + 20), agoText(3900), agoText(7200), agoText(-3)]).to.deep.equal(['45 s', '12 min', '1 h 5 min', '2 h', '0 s']);
  });

  it("maps the event's router to the source of truth: name, case and domain ignored, else the sender address", () => {
    expect(eventRouter(ROUTERS, { router: 'bma-edge1', host: 'x', ip: '1.1.1.1' })).to.equal('bma-edge1');
    expect(eventRouter(ROUTERS, { router: null, host: 'BMA-EDGE2.lab.example.net', ip: '1.1.1.1' })).to.equal('bma-edge2');
    expect(eventRouter(ROUTERS, { router: '192.0.2.10', host: '192.0.2.10', ip: '192.0.2.10' })).to.equal('gbg-edge1');
    expect(eventRouter(ROUTERS, { router: 'core9', host: 'core9', ip: '203.0.113.9' })).to.equal(null);
  });

  it("an entry's routers: those its config lines name, else its site's; runs that touched nothing have none", () => {
    expect(entryRouters(ROUTERS, entry())).to.deep.equal(['bma-edge1']);
    expect(entryRouters(ROUTERS, entry({ plan: ['record 10.0.0.1 in IPAM'] }))).to.deep.equal(['bma-edge1', 'bma-edge2']);
    expect(entryRouters(ROUTERS, entry({ plan: [], params: { routers: ['BMA-EDGE2'] } }))).to.deep.equal(['bma-edge2']);
    for (const status of ['denied', 'invalid', 'busy', 'ok']) expect(entryRouters(ROUTERS, entry({ status })), status).to.deep.equal([]);
    expect(entryRouters(ROUTERS, entry({ site: 'nowhere', plan: [] }))).to.deep.equal([]);
  });

  it('only the same router, only inside the window, newest first', () => {
    const ix = indexOf([entry({ ago: 50, user: 'old' }), entry({ ago: 10, user: 'bob' }), entry({ ago: 2, user: 'gbg', site: 'gbg', plan: ['gbg-edge1: neighbor 10.0.1.1 remote-as 65300'] })]);
    expect(ix.lookup({ router: 'bma-edge1' }, NOW, 60 * MIN)).to.include({ who: 'bob', ago_s: 600, ago: '10 min', touches: false, at: '2026-12-01T11:50:00Z' });
    expect(ix.lookup({ router: 'bma-edge1' }, NOW, 5 * MIN)).to.equal(null);
    expect(ix.lookup({ router: 'bma-edge1' }, NOW + 45 * MIN, 60 * MIN)).to.include({ who: 'bob' });
    expect(ix.lookup({ router: 'bma-edge1' }, NOW + 55 * MIN, 60 * MIN), 'both outside the window').to.equal(null);
    expect(ix.lookup({ router: 'bma-edge2' }, NOW, 60 * MIN)).to.equal(null);
    expect(ix.lookup({ router: 'gbg-edge1' }, NOW, 60 * MIN)).to.include({ who: 'gbg' });
  });

  it('prefers a change naming the peer or interface over a newer one that does not', () => {
    const ix = indexOf([
      entry({ ago: 30, user: 'alice' }),
      entry({ ago: 20, user: 'carol', task: 'set_interface', params: { in: 'bma', name: 'to-peer2', state: 'down' }, plan: ['bma-edge1: interface to-peer2', 'bma-edge1: shutdown'] }),
      entry({ ago: 3, user: 'bob', params: { in: 'bma', ip: '10.0.0.5', as: 65200 }, plan: ['bma-edge1: neighbor 10.0.0.5 remote-as 65200'] }),
    ]);
    expect(ix.lookup({ router: 'bma-edge1', peer: '10.0.0.1' }, NOW, 60 * MIN)).to.include({ who: 'alice', summary: 'added peer 10.0.0.1 AS65100', touches: true });
    expect(ix.lookup({ router: 'bma-edge1', interface: 'to-peer2' }, NOW, 60 * MIN)).to.include({ who: 'carol', summary: 'set interface to-peer2 down', touches: true });
    expect(ix.lookup({ router: 'bma-edge1', peer: '10.0.0.9' }, NOW, 60 * MIN), 'none names it: the newest').to.include({ who: 'bob', touches: false });
    expect(ix.lookup({ router: 'bma-edge1', peer: '10.0.0.1' }, NOW, 25 * MIN), 'the one naming it is outside the window').to.include({ who: 'bob', touches: false });
  });

  it('a change recorded after the event counts only within the clock skew allowance', () => {
    const list = [indexedChange(entry({ ago: -0.5 }))!];
    expect(pickChange(list, { router: 'bma-edge1' }, NOW, 60 * MIN)).to.include({ ago_s: 0 });
    expect(pickChange([indexedChange(entry({ ago: -5 }))!], { router: 'bma-edge1' }, NOW, 60 * MIN)).to.equal(null);
  });

  it('is bounded per router and skips entries it has seen (re-read after a rotation)', () => {
    const ix = new ChangeIndex({ retainMs: 60 * MIN, perRouter: 8 });
    const es = Array.from({ length: 50 }, (_, i) => entry({ ago: 50 - i }));
    for (const e of es) ix.add(indexedChange(e)!, ['bma-edge1'], NOW);
    expect(ix.size()).to.equal(8);
    expect(ix.add(indexedChange(es[49]!)!, ['bma-edge1'], NOW)).to.equal(false);
    expect(ix.lookup({ router: 'bma-edge1' }, NOW, 60 * MIN)).to.include({ id: es[49]!.id });
    ix.sweep(NOW + 2 * 60 * MIN);
    expect(ix.size()).to.equal(0);
  });

  it('user text in a change is made harmless for Jinja and Slack', () => {
    const c = indexedChange(entry({ user: '<!channel> {{ st2kv.system.secret }}', channel: '@here' }))!;
    expect(c.who).to.not.match(/\{\{|<!/);
    expect(c.channel).to.not.equal('@here');
  });
});

describe('bridge/correlate: changes in progress', function () {
  this.timeout(20_000);
  it('a change in progress is named until its audit entry replaces it; a marker gone without one is forgotten', () => {
    const ix = indexOf([entry({ ago: 30, user: 'alice' })]);
    const run = { ...entry({ ago: 0, user: 'bob', task: 'set_interface', params: { in: 'bma', name: 'to-peer1', state: 'down' }, plan: [], status: 'running' }), routers: ['bma-edge1'] };
    ix.add(indexedChange(run)!, entryRouters(ROUTERS, run), NOW);
    expect(ix.lookup({ router: 'bma-edge1', interface: 'to-peer1' }, NOW, 60 * MIN)).to.include({ who: 'bob', summary: 'set interface to-peer1 down (in progress)', status: 'running', touches: true });
    expect(ix.seen(run.id, 'changed'), 'its audit entry is still to come').to.equal(false);
    const done = { ...run, status: 'changed', plan: ['bma-edge1: interface to-peer1', 'bma-edge1: shutdown'] };
    expect(ix.add(indexedChange(done)!, entryRouters(ROUTERS, done), NOW)).to.equal(true);
    ix.dropRunning(run.id);
    expect(ix.lookup({ router: 'bma-edge1', interface: 'to-peer1' }, NOW, 60 * MIN)).to.include({ summary: 'set interface to-peer1 down', status: 'changed' });
    expect(ix.size()).to.equal(2);
    const busy = { ...entry({ ago: 0, user: 'carol', status: 'running' }), routers: ['bma-edge1'] };
    ix.add(indexedChange(busy)!, entryRouters(ROUTERS, busy), NOW);
    ix.dropRunning(busy.id);
    expect(ix.lookup({ router: 'bma-edge1' }, NOW, 60 * MIN)).to.include({ who: 'bob' });
    expect(ix.runningIds()).to.deep.equal([]);
  });

  it("the runtime's marker (runtime/running.ts) is seen by the correlator while it exists", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netops-running-'));
    try {
      cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
      const store = new FileStore(join(dir, 'sot'));
      const c = new Correlator({ sot: store, historyFile: store.historyFile, runningDir: runningDir(join(dir, 'state')), windowMs: 60 * MIN, pollMs: 50, log: () => undefined });
      await c.start();
      const ev = { router: 'bma-edge1', host: 'bma-edge1', ip: '192.0.2.2', peer: '10.0.0.1', interface: null };
      try {
        const e = { ...entry({ user: 'dave', task: 'remove_peer', params: { in: 'bma', ip: '10.0.0.1' }, plan: ['remove peer 10.0.0.1'], status: 'running' }), at: new Date().toISOString(), routers: ['bma-edge1'] };
        const unmark = markRunning(join(dir, 'state'), e);
        const t0 = Date.now();
        while (!c.lookup(ev) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
        expect(c.lookup(ev)).to.include({ who: 'dave', summary: 'removed peer 10.0.0.1 (in progress)', touches: true });
        await store.record({ ...e, status: 'changed' });
        unmark();
        while (c.lookup(ev)?.status !== 'changed' && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
        expect(c.lookup(ev)).to.include({ who: 'dave', summary: 'removed peer 10.0.0.1', status: 'changed' });
      } finally { await c.close(); }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('bridge/correlate: the audit log tail', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'netops-tail-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const line = (e: HistoryEntry) => JSON.stringify(e) + '\n';

  it('reads only what was appended; a torn last line waits for its end', async () => {
    const p = join(dir, 'history.jsonl');
    writeFileSync(p, line(entry()) + line(entry()));
    const t = new LogTail({ path: p, since: 0 });
    expect(await t.poll()).to.have.length(2);
    expect(await t.poll()).to.have.length(0);
    const e = line(entry({ user: 'torn' }));
    appendFileSync(p, e.slice(0, 40));
    expect(await t.poll()).to.have.length(0);
    appendFileSync(p, e.slice(40) + 'not json\n');
    const got = await t.poll();
    expect(got.map((x) => x.user)).to.deep.equal(['torn']);
    expect(t.counts).to.include({ lines: 3, bad: 1 });
    await t.close();
  });

  it('a truncated file is read again from its start; a rotated one is finished, then the new one read', async () => {
    const p = join(dir, 'history.jsonl');
    writeFileSync(p, line(entry({ user: 'a' })));
    const t = new LogTail({ path: p, since: 0 });
    expect((await t.poll()).map((e) => e.user)).to.deep.equal(['a']);
    truncateSync(p, 0);
    appendFileSync(p, line(entry({ user: 'b' })));
    expect((await t.poll()).map((e) => e.user)).to.deep.equal(['b']);
    expect(t.counts.truncations).to.equal(1);
    appendFileSync(p, line(entry({ user: 'c' })));
    renameSync(p, `${p}.1`);
    appendFileSync(`${p}.1`, line(entry({ user: 'd' })));
    expect((await t.poll()).map((e) => e.user), 'the old file to its end').to.deep.equal(['c', 'd']);
    writeFileSync(p, line(entry({ user: 'e' })));
    expect((await t.poll()).map((e) => e.user), 'then the new file').to.deep.equal(['e']);
    expect(t.counts.rotations).to.equal(1);
    await t.close();
  });

  it('the first read starts near the end: only the lines of the window, not the whole log', async () => {
    const p = join(dir, 'history.jsonl');
    const old = Array.from({ length: 5000 }, (_, i) => line(entry({ ago: 600 + 5000 - i }))).join('');
    writeFileSync(p, old + line(entry({ ago: 30, user: 'recent1' })) + line(entry({ ago: 1, user: 'recent2' })));
    const t = new LogTail({ path: p, since: NOW - 60 * MIN, chunk: 16 * 1024 });
    const got = await t.poll();
    expect(got.slice(-2).map((e) => e.user)).to.deep.equal(['recent1', 'recent2']);
    expect(t.counts.bytesRead, 'bytes read').to.be.below(64 * 1024);
    expect(old.length).to.be.above(1_000_000);
    await t.close();
  });
});

describe('bridge/correlate: the correlator on a file store', function () {
  this.timeout(20_000);
  let dir = '';
  let store: FileStore;
  const log = () => undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netops-correlate-'));
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    store = new FileStore(join(dir, 'sot'), { lockDir: join(dir, 'locks') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const ev = { router: 'bma-edge1', host: 'bma-edge1', ip: '192.0.2.2', peer: '10.0.0.1', interface: null };
  const now = () => Date.now();

  async function follows(sot: SourceOfTruth, historyFile: string | null): Promise<void> {
    await store.record({ ...entry({ user: 'old' }), at: iso(now() - 90 * MIN) });
    await store.record({ ...entry({ user: 'alice' }), at: iso(now() - 12 * MIN) });
    const c = new Correlator({ sot, historyFile, windowMs: 60 * MIN, pollMs: 50, log });
    await c.start();
    try {
      expect(c.lookup(ev)).to.include({ who: 'alice', summary: 'added peer 10.0.0.1 AS65100', ago: '12 min', via: 'chat', channel: 'netops', touches: true });
      expect(c.lookup({ ...ev, router: 'gbg-edge1', host: 'gbg-edge1' })).to.equal(null);
      await store.record({ ...entry({ user: 'bob', via: 'terminal', channel: null, task: 'remove_peer', params: { in: 'bma', ip: '10.0.0.1' }, plan: ['bma-edge1: no neighbor 10.0.0.1'] }), at: iso(now()) });
      const t0 = Date.now();
      while (c.lookup(ev)?.who !== 'bob' && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
      expect(c.lookup(ev)).to.include({ who: 'bob', summary: 'removed peer 10.0.0.1', via: 'terminal', channel: null, touches: true });
      expect(c.stats()).to.include({ routers: 2, held: 2 });
    } finally { await c.close(); }
  }

  it('follows history.jsonl', async () => follows(store, store.historyFile));

  it('works through the SourceOfTruth interface alone (history(), as for Nautobot)', async () => {
    const only: SourceOfTruth = {
      kind: 'nautobot', location: 'interface-only',
      sites: () => store.sites(), site: (n) => store.site(n), plan: (c, a) => store.plan(c, a), prepare: (p) => store.prepare(p),
      commit: (p) => store.commit(p), abort: (p) => store.abort(p), record: (e) => store.record(e), history: (f) => store.history(f),
    };
    await follows(only, null);
  });

  it('a store that does not exist yet: no last change, and no error, until it appears', async () => {
    const missing = new FileStore(join(dir, 'later'));
    const c = new Correlator({ sot: missing, historyFile: missing.historyFile, windowMs: 60 * MIN, pollMs: 50, log });
    await c.start();
    try {
      expect(c.lookup(ev)).to.equal(null);
      cpSync(join(dir, 'sot'), join(dir, 'later'), { recursive: true });
      await missing.record({ ...entry({ user: 'late' }), at: iso(now()) });
      const t0 = Date.now();
      while (!c.lookup(ev) && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 50));
      expect(c.lookup(ev)).to.include({ who: 'late' });
    } finally { await c.close(); }
  });
});

describe('bridge/correlate: the rules render last_change (Jinja2 as StackStorm runs it)', () => {
  const base = {
    id: 'e1', error: 'BGP_NEIGHBOR_STATE_CHANGED', os: 'frr', host: 'bma-edge1', ip: '192.0.2.2', timestamp: 1, facility: 3, severity: 5, yang_model: 'openconfig-bgp', yang_message: {},
    message_details: {}, site: 'bma', router: 'bma-edge1', peer: '10.0.0.1', interface: null, state: 'Idle', level: 'critical', summary: 'bma-edge1: BGP 10.0.0.1 Idle', raw: '', time: '2026-12-01T12:00:00Z',
  };
  const change = { who: 'alice', via: 'chat', channel: 'netops', task: 'add_peer', summary: 'added peer 10.0.0.1 AS65100', status: 'changed', at: '2026-12-01T11:48:00Z', ago_s: 720, ago: '12 min', touches: true, id: 't1' };
  const pack = join(REPO, 'pack');

  it('BGP down names the change that touched the peer', () => {
    expect(renderRuleTemplate(ruleMessage(pack, 'bgp_session_down'), { ...base, last_change: change }))
      .to.equal(':red_circle: BGP DOWN bma/bma-edge1 peer 10.0.0.1 is Idle since 2026-12-01T12:00:00Z | bma-edge1: BGP 10.0.0.1 Idle — last change: alice added peer 10.0.0.1 AS65100 12 min ago (chat in netops)');
  });

  it("a change that only shares the router says so; a terminal one names no channel", () => {
    const other = { ...change, who: 'bob', via: 'terminal', channel: null, summary: 'removed peer 10.0.0.5', touches: false, ago: '3 min' };
    expect(renderRuleTemplate(ruleMessage(pack, 'interface_down'), { ...base, error: 'INTERFACE_DOWN', interface: 'to-peer1', last_change: other }))
      .to.match(/ — last change on bma-edge1: bob removed peer 10\.0\.0\.5 3 min ago \(terminal\)$/);
  });

  it('null or absent (an older bridge) leaves the message as it was, under StrictUndefined', () => {
    for (const rule of ['bgp_session_down', 'bgp_session_recovered', 'interface_down', 'interface_recovered', 'flapping', 'config_committed']) {
      const t = ruleMessage(pack, rule);
      const ev = { ...base, recovers: 'e0', down_seconds: 10, user: 'eve' };
      expect(renderRuleTemplate(t, { ...ev, last_change: null }), rule).to.not.contain('last change');
      expect(renderRuleTemplate(t, ev), rule).to.equal(renderRuleTemplate(t, { ...ev, last_change: null }));
    }
  });
});
