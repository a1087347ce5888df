/**
 * The embedded file store (sot/file/): planning against IPAM and recorded peers, the
 * two-phase write (prepare → commit | abort, both idempotent), hand edits (comments kept,
 * broken files refused with file:line and never overwritten), concurrent writers in
 * separate processes, the audit log.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../sot/file/store.js';
import { clearReadMemo } from '../../sot/file/yaml-file.js';
import { Refusal, SotError, type Actor, type Change } from '../../sot/types.js';
import { REPO } from '../support/lab.js';
import { expectRefusal } from '../support/refusal.js';

/** A read cache file's parts (sot/file/yaml-file.ts: a header line, then the tag, the site file's bytes, the JSON). */
function cacheEntry(file: string): { head: string[]; tag: Buffer; bytes: Buffer; json: string } {
  const c = readFileSync(file);
  const nl = c.indexOf(10);
  const head = c.toString('latin1', 0, nl).split(' ');
  const [t, b] = [Number(head[2]), Number(head[3])];
  return { head, tag: c.subarray(nl + 1, nl + 1 + t), bytes: c.subarray(nl + 1 + t, nl + 1 + t + b), json: c.toString('utf8', nl + 1 + t + b) };
}
/** A cache file holding `json` for `bytes` (lengths as the header says). */
function writeCacheEntry(file: string, tag: Buffer, bytes: Buffer, json: string): void {
  const j = Buffer.from(json, 'utf8');
  writeFileSync(file, Buffer.concat([Buffer.from(`netops-sot-cache 3 ${tag.length} ${bytes.length} ${j.length}\n`, 'latin1'), tag, bytes, j]));
}

const actor: Actor = { user: 'alice', channel: 'netops', via: 'chat', command: 'add peer in=bma ip=10.0.0.1 as=65100' };
const add = (ip: string, as = 65100, description: string | null = null): Change => ({ kind: 'add_peer', site: 'bma', ip, as, description, routers: ['bma-edge1'] });
const remove = (ip: string): Change => ({ kind: 'remove_peer', site: 'bma', ip, routers: ['bma-edge1'] });

describe('sot: the file store', () => {
  let dir = '';
  let store: FileStore;
  const site = () => join(dir, 'sites', 'bma.yml');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netops-sot-'));
    cpSync(join(REPO, 'lab', 'sot'), dir, { recursive: true });
    store = new FileStore(dir, { lockDir: join(dir, '.locks'), lockWait: 5 });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the lab sites: routers, prefixes with usage', async () => {
    expect((await store.sites()).map((s) => s.name)).to.deep.equal(['bma', 'gbg']);
    const v = (await store.site('bma'))!;
    expect(v.routers.map((r) => [r.name, r.platform, r.localAs, r.address])).to.deep.equal([['bma-edge1', 'frr', 65000, '192.0.2.2']]);
    expect(v.prefixes.map((p) => [p.prefix, p.size, p.used, p.free])).to.deep.equal([['10.0.0.0/30', 2, 0, 2], ['10.0.0.4/30', 2, 0, 2]]);
    expect(await store.site('nosuch')).to.equal(null);
  });

  it('plans an add with the IPAM and peer steps, writing nothing', async () => {
    const before = readFileSync(site(), 'utf8');
    const plan = await store.plan(add('10.0.0.1'), actor);
    expect(plan.steps).to.deep.equal(['record 10.0.0.1 in IPAM (prefix 10.0.0.0/30, site bma)', 'record BGP peer 10.0.0.1 AS65100 on bma-edge1']);
    expect(plan.prefix).to.equal('10.0.0.0/30');
    expect(readFileSync(site(), 'utf8')).to.equal(before);
  });

  it('refuses what IPAM forbids, saying what to type instead', async () => {
    const cases: [Change, RegExp][] = [
      [add('10.9.9.9'), /10\.9\.9\.9 is not in a peering prefix of bma \(10\.0\.0\.0\/30, 10\.0\.0\.4\/30\)/],
      [add('10.0.0.0'), /network or broadcast address of 10\.0\.0\.0\/30/],
      [add('10.0.0.3'), /network or broadcast address/],
      [add('10.0.0.2'), /is an address of bma-edge1 itself/],
      [{ ...add('10.0.0.1'), site: 'xyz' }, /unknown site 'xyz'; known sites: bma, gbg/],
    ];
    for (const [c, re] of cases) {
      const err = await store.plan(c, actor).then(() => null, (e: Error) => e);
      expect(err, JSON.stringify(c)).to.be.instanceOf(Refusal);
      expect(err!.message).to.match(re);
    }
  });

  it('prepare records pending, commit makes it active (idempotent), remove releases the address', async () => {
    const plan = await store.plan(add('10.0.0.1', 65100, 'transit-a'), actor);
    await store.prepare(plan);
    let v = (await store.site('bma'))!;
    expect(v.peers).to.have.length(1);
    expect(v.peers[0]).to.include({ ip: '10.0.0.1', as: 65100, status: 'pending', by: 'alice', via: 'chat', channel: 'netops', txn: plan.txn });
    expect(v.allocations[0]).to.include({ address: '10.0.0.1', owner: 'bgp-peer AS65100', status: 'pending' });
    const again = await store.plan(add('10.0.0.1'), actor).then(() => null, (e: Error) => e);
    expect(again!.message, 'a pending record blocks a second change').to.match(/in the middle of another change.*netops recover in=bma/);
    await store.commit(plan);
    await store.commit(plan);
    v = (await store.site('bma'))!;
    expect(v.peers.map((p) => p.status)).to.deep.equal(['active']);
    expect(v.prefixes[0]).to.include({ used: 1, free: 1 });
    expect((await store.plan(add('10.0.0.1'), actor)).steps).to.deep.equal(['10.0.0.1 AS65100 is already recorded at bma']);
    expect(((await store.plan(add("10.0.0.1", 65200), actor).catch((e: Error) => e)) as Error).message).to.match(/already has peer 10\.0\.0\.1 with AS 65100; remove it first: remove peer in=bma ip=10\.0\.0\.1/);

    const rm = await store.plan(remove('10.0.0.1'), actor);
    expect(rm.steps).to.deep.equal(['remove BGP peer 10.0.0.1 AS65100 from bma-edge1 (source of truth)', 'release 10.0.0.1 in IPAM (prefix 10.0.0.0/30, site bma)']);
    await store.prepare(rm);
    expect((await store.site('bma'))!.peers[0]!.status).to.equal('pending');
    await store.commit(rm);
    await store.commit(rm);
    v = (await store.site('bma'))!;
    expect(v.peers).to.deep.equal([]);
    expect(v.allocations).to.deep.equal([]);
  });

  it('abort leaves the file as it was, byte for byte (idempotent), for an add and for a removal', async () => {
    const pristine = readFileSync(site(), 'utf8');
    const plan = await store.plan(add('10.0.0.5', 65200), actor);
    await store.prepare(plan);
    await store.abort(plan);
    await store.abort(plan);
    expect(readFileSync(site(), 'utf8')).to.equal(pristine.replace(/\[ /g, '[').replace(/ \]/g, ']'));
    await store.prepare(plan);
    await store.commit(plan);
    const committed = readFileSync(site(), 'utf8');
    const rm = await store.plan(remove('10.0.0.5'), actor);
    await store.prepare(rm);
    await store.abort(rm);
    expect(readFileSync(site(), 'utf8')).to.equal(committed);
  });

  it('a prepare does not take over a row another txn made pending after the plan: refused, file unchanged, the other change still completes', async () => {
    const plan = await store.plan(add('10.0.0.5', 65200), actor);
    await store.prepare(plan);
    await store.commit(plan);
    // two removals planned against the same view; the second prepares first (it bypassed the site's lock)
    const first = await store.plan(remove('10.0.0.5'), actor);
    const second = await store.plan(remove('10.0.0.5'), actor);
    await store.prepare(second);
    const held = readFileSync(site(), 'utf8');
    await expectRefusal(store.prepare(first), `transaction ${second.txn}`, 'netops recover in=bma');
    expect(readFileSync(site(), 'utf8')).to.equal(held);
    // the first one's abort (what the runtime does after a failed prepare) leaves the second's marks alone
    await store.abort(first);
    expect(readFileSync(site(), 'utf8')).to.equal(held);
    await store.commit(second);
    const v = (await store.site('bma'))!;
    expect(v.peers).to.deep.equal([]);
    expect(v.allocations).to.deep.equal([]);
  });

  it('an add prepare refuses a peer another change recorded at that address after the plan; its retry of its own prepare is fine', async () => {
    const a = await store.plan(add('10.0.0.5', 65100), actor);
    const b = await store.plan(add('10.0.0.5', 65200), actor);
    await store.prepare(b);
    const held = readFileSync(site(), 'utf8');
    await expectRefusal(store.prepare(a), `transaction ${b.txn}`, 'netops show-site in=bma');
    expect(readFileSync(site(), 'utf8')).to.equal(held);
    await store.prepare(b);
    expect(readFileSync(site(), 'utf8')).to.equal(held);
    await store.commit(b);
    expect((await store.site('bma'))!.peers.map((p) => [p.ip, p.as, p.status])).to.deep.equal([['10.0.0.5', 65200, 'active']]);
  });

  it('an address held by something else is refused, naming its owner, and never released by remove', async () => {
    const text = readFileSync(site(), 'utf8').replace('allocations: []', [
      'allocations:', '  - address: 10.0.0.5', '    prefix: 10.0.0.4/30', '    owner: customer-x', '    description: reserved for the move',
      '    status: active', '    by: bob', '    at: 2026-11-30T10:00:00Z', '    via: terminal'].join('\n'));
    writeFileSync(site(), text);
    const err = await store.plan(add('10.0.0.5', 65200), actor).catch((e: Error) => e);
    expect((err as Error).message).to.match(/10\.0\.0\.5 is already allocated in IPAM to customer-x \(reserved for the move\) by bob/);
    const rm = await store.plan(remove('10.0.0.5'), actor);
    expect(rm.before.allocation).to.equal(null);
  });

  it('keeps hand-written comments through writes', async () => {
    writeFileSync(site(), readFileSync(site(), 'utf8').replace('prefixes:', '# reviewed by noc@\nprefixes:'));
    const plan = await store.plan(add('10.0.0.1'), actor);
    await store.prepare(plan);
    await store.commit(plan);
    expect(readFileSync(site(), 'utf8')).to.contain('# reviewed by noc@\nprefixes:');
  });

  it('refuses a hand-broken file with file:line and what is wrong, and never overwrites it', async () => {
    const cases: [string, RegExp][] = [
      ['site: bma\nrouters: [\n', /bma\.yml:\d+:\d+: not valid YAML/],
      ['', /bma\.yml: is empty \(or null\)/],
      ['null\n', /bma\.yml: is empty \(or null\)/],
      [readFileSync(site(), 'utf8').replace('local_as: 65000', 'local_as: sixty'), /bma\.yml:8:15: routers\.0\.local_as: must be integer/],
      [readFileSync(site(), 'utf8').replace('platform: frr', 'platform: frr\n    colour: red'), /bma\.yml:7:5: routers\.0: unknown key 'colour'/],
      [readFileSync(site(), 'utf8').replace('prefix: 10.0.0.4/30', 'prefix: 10.0.0.5/30'), /bma\.yml:17:13: '10\.0\.0\.5\/30' is not an IPv4 prefix/],
      [readFileSync(site(), 'utf8').replace('site: bma', 'site: gbg'), /bma\.yml:2:7: site 'gbg' does not match the file name/],
    ];
    for (const [text, re] of cases) {
      writeFileSync(site(), text);
      const err = await store.site('bma').then(() => null, (e: Error) => e);
      expect(err, text.slice(0, 60)).to.be.instanceOf(SotError);
      expect(err!.message).to.match(re);
      const plan = await store.plan(add('10.0.0.1'), actor).catch((e: Error) => e);
      expect(plan).to.be.instanceOf(SotError);
      expect(readFileSync(site(), 'utf8'), 'never overwritten').to.equal(text);
    }
  });

  it('the read cache (JSON in a cache directory, by content) never serves a stale or broken file', async () => {
    const cacheDir = join(dir, '.cache');
    const cached = () => new FileStore(dir, { lockDir: join(dir, '.locks'), lockWait: 5, cacheDir });
    expect((await cached().site('bma'))!.peers).to.deep.equal([]);
    expect(readdirSync(cacheDir), 'one cache file per site file').to.have.length(1);
    // a cache left for other bytes (of the same length), or by other checks, is not used: an
    // entry holds the bytes and the checks' key it was made from, and both are compared
    const f = join(cacheDir, readdirSync(cacheDir)[0]!);
    const good = cacheEntry(f);
    expect(good.bytes.equals(readFileSync(site())), 'the entry holds the file as read').to.equal(true);
    const stale = good.json.replace('"bma-edge1"', '"stale-router"');
    const other = Buffer.from(good.bytes.toString('utf8').replace('bma-edge1', 'bma-edge2'), 'utf8');
    for (const [tag, bytes] of [[good.tag, other], [Buffer.from(good.tag.toString('utf8').replace('checkSite', 'checkSitf'), 'utf8'), good.bytes]] as const) {
      writeCacheEntry(f, tag, bytes, stale);
      clearReadMemo();
      expect((await cached().site('bma'))!.routers.map((r) => r.name)).to.deep.equal(['bma-edge1']);
      expect(readFileSync(f, 'utf8'), 'and it is rewritten').to.not.contain('stale-router');
    }
    // the right bytes and key: served as they are (the stale name proves it came from the cache)
    writeCacheEntry(f, good.tag, good.bytes, stale);
    clearReadMemo();
    expect((await cached().site('bma'))!.routers.map((r) => r.name)).to.deep.equal(['stale-router']);
    writeCacheEntry(f, good.tag, good.bytes, good.json);
    clearReadMemo();
    // a write by another store, then a hand edit: each is seen at once
    const plan = await store.plan(add('10.0.0.1'), actor);
    await store.prepare(plan);
    await store.commit(plan);
    expect((await cached().site('bma'))!.peers.map((p) => p.ip)).to.deep.equal(['10.0.0.1']);
    writeFileSync(site(), readFileSync(site(), 'utf8').replace('local_as: 65000', 'local_as: 65009'));
    expect((await cached().site('bma'))!.routers[0]!.localAs).to.equal(65009);
    writeFileSync(site(), readFileSync(site(), 'utf8').replace('local_as: 65009', 'local_as: [65000'));
    const e = await cached().site('bma').then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(SotError);
    expect((e as Error).message).to.match(/sites\/bma\.yml:\d+:\d+: /);
  });

  it('the read cache holds data that passed the checks beyond the schema: a broken file is refused on every read, a copy under another name is checked again', async () => {
    const cacheDir = join(dir, '.cache');
    const cached = () => new FileStore(dir, { lockDir: join(dir, '.locks'), lockWait: 5, cacheDir });
    const gbg = join(dir, 'sites', 'gbg.yml');
    const valid = readFileSync(gbg, 'utf8');
    writeFileSync(gbg, valid.replace(/routers:\n/, 'routers:\n  - { name: gbg-edge1, platform: frr, address: 192.0.2.9, local_as: 65001 }\n'));
    for (let i = 0; i < 2; i++) {
      clearReadMemo();
      const e = await cached().site('bma').then(() => null, (x: unknown) => x);
      expect(e, 'bma itself is fine').to.equal(null);
      const g = await cached().site('gbg').then(() => null, (x: unknown) => x);
      expect(g, `read ${i + 1}`).to.be.instanceOf(SotError);
      expect((g as Error).message).to.match(/gbg\.yml:\d+:\d+: router gbg-edge1 is listed twice/);
    }
    // bma's bytes, valid and cached as bma, are refused as site "copy" (the name must match the file)
    writeFileSync(join(dir, 'sites', 'copy.yml'), readFileSync(site()));
    const c = await cached().site('copy').then(() => null, (x: unknown) => x);
    expect(c).to.be.instanceOf(SotError);
    expect((c as Error).message).to.match(/copy\.yml:\d+:\d+: site 'bma' does not match the file name \(copy\.yml\)/);
  });

  it('a write leaves the read cache of the bytes it wrote: a later process reads it instead of parsing', async () => {
    const cacheDir = join(dir, '.cache');
    const cached = new FileStore(dir, { lockDir: join(dir, '.locks'), lockWait: 5, cacheDir });
    const plan = await cached.plan(add('10.0.0.1'), actor);
    await cached.prepare(plan);
    await cached.commit(plan);
    const files = readdirSync(cacheDir);
    expect(files).to.have.length(1);
    const e = cacheEntry(join(cacheDir, files[0]!));
    expect(e.bytes.equals(readFileSync(site())), 'for the bytes it wrote').to.equal(true);
    const entry = JSON.parse(e.json) as { peers: { ip: string; status: string }[] };
    expect(entry.peers.map((p) => [p.ip, p.status]), 'the committed view').to.deep.equal([['10.0.0.1', 'active']]);
    clearReadMemo();
    expect((await cached.site('bma'))!.peers.map((p) => p.status)).to.deep.equal(['active']);
  });

  it('two processes adding peers at one site at once both land', async function () {
    this.timeout(30_000);
    const script = join(REPO, 'dist', 'test', 'sot', 'store-writer.js');
    const [a, b] = await Promise.all(['10.0.0.1', '10.0.0.5'].map((ip) => execa('node', [script, dir, ip], { reject: false })));
    expect(a!.exitCode, a!.stderr).to.equal(0);
    expect(b!.exitCode, b!.stderr).to.equal(0);
    const v = (await store.site('bma'))!;
    expect(v.peers.map((p) => [p.ip, p.status]).sort()).to.deep.equal([['10.0.0.1', 'active'], ['10.0.0.5', 'active']]);
    expect(v.allocations.map((x) => x.address).sort()).to.deep.equal(['10.0.0.1', '10.0.0.5']);
  });

  it('the audit log is append-only JSON lines; a torn last line is skipped, a broken one named', async () => {
    const e = { id: 't1', at: '2026-12-01T10:00:00Z', user: 'alice', channel: 'netops', via: 'chat' as const, task: 'add_peer', site: 'bma', params: { in: 'bma' }, plan: ['x'], status: 'changed', summary: 's', txn: 't1' };
    await store.record(e);
    await store.record({ ...e, id: 't2', site: 'gbg' });
    expect((await store.history()).map((x) => x.id)).to.deep.equal(['t1', 't2']);
    expect((await store.history({ site: 'gbg' })).map((x) => x.id)).to.deep.equal(['t2']);
    writeFileSync(join(dir, 'history.jsonl'), readFileSync(join(dir, 'history.jsonl'), 'utf8') + '{"id":"t3","at');
    expect((await store.history()).map((x) => x.id)).to.deep.equal(['t1', 't2']);
    writeFileSync(join(dir, 'history.jsonl'), 'garbage\n' + readFileSync(join(dir, 'history.jsonl'), 'utf8'));
    expect((await store.history().catch((x: Error) => x) as Error).message).to.match(/history\.jsonl:1: not a JSON history line/);
  });
});
