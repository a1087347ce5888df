/**
 * The Nautobot backend against a real Nautobot (scripts/nautobot/up.sh), every result checked
 * through Nautobot's own REST API: plan/prepare/commit/abort for add and remove, each refusal,
 * idempotent commit and abort, two concurrent prepares at one site, the token kept out of
 * errors, Nautobot down → SotError naming the URL, the history as Notes. The change tests run
 * twice: through netops' Nautobot App (nautobot-app/, one request and one transaction per phase)
 * and through the stock REST path (app: false, as against a Nautobot without the App); then the
 * App's own guarantees: object permissions of the token's user, one transaction, change logging.
 */
import { expect } from 'chai';
import type { AxiosInstance } from 'axios';
import { NautobotSourceOfTruth } from '../../sot/nautobot/index.js';
import '../../sot/nautobot/register.js';
import { openSot } from '../../sot/open.js';
import { SotError, type Actor, type Change, type HistoryEntry, type Plan } from '../../sot/types.js';
import { expectRefusal } from '../support/refusal.js';
import { NB_TOKEN_FILE, NB_VIEWER_TOKEN_FILE, nbApi, resetNautobotPeers, teardownNautobotIfStarted, useNautobot } from '../support/nautobot.js';

after(teardownNautobotIfStarted);

const actor: Actor = { user: 'alice', channel: '#netops', via: 'chat', command: '!add peer ip=10.0.0.1 as=65100 in=bma' };
const add = (ip: string, as: number, site = 'bma'): Change => ({ kind: 'add_peer', site, ip, as, description: `test peer ${ip}`, routers: [] });
const remove = (ip: string, site = 'bma'): Change => ({ kind: 'remove_peer', site, ip, routers: [] });

interface NbIp { id: string; status: { name?: string; id: string }; custom_fields: { netops?: Record<string, unknown> } }

/** IP Address records of `ip` (Nautobot REST). */
async function ipsOf(api: AxiosInstance, ip: string): Promise<NbIp[]> {
  return (await api.get('ipam/ip-addresses/', { params: { address: ip, depth: 1 } })).data.results;
}
/** Peerings whose external endpoint has `ip`, with their endpoints (Nautobot REST). */
async function peeringsOf(api: AxiosInstance, ip: string) {
  const [a] = await ipsOf(api, ip);
  if (!a) return [];
  const eps = (await api.get('plugins/bgp/peer-endpoints/', { params: { source_ip: a.id } })).data.results as Array<{ peering: { id: string } }>;
  const out = [];
  for (const id of new Set(eps.map((e) => e.peering.id))) {
    const p = (await api.get(`plugins/bgp/peerings/${id}/`, { params: { depth: 1 } })).data;
    const endpoints = (await api.get('plugins/bgp/peer-endpoints/', { params: { peering: id, depth: 2 } })).data.results;
    out.push({ ...p, endpoints });
  }
  return out;
}
async function notesOf(api: AxiosInstance, id: string): Promise<string[]> {
  return ((await api.get('extras/notes/', { params: { assigned_object_id: id, limit: 1000 } })).data.results as Array<{ note: string }>).map((n) => n.note);
}
/**
 * The change messages of an object: its Notes (the stock REST path, and the App for a message
 * longer than the change-context field) and the change-context detail of its ObjectChanges (the
 * App), both through Nautobot's own REST API. Works for a deleted object too (its ObjectChanges stay).
 */
async function messagesOf(api: AxiosInstance, id: string): Promise<string[]> {
  const changes = (await api.get('extras/object-changes/', { params: { changed_object_id: id, limit: 1000 } })).data.results as Array<{ change_context_detail: string }>;
  return [...(await notesOf(api, id)), ...changes.map((c) => c.change_context_detail)];
}
async function countIps(api: AxiosInstance): Promise<number> {
  return (await api.get('ipam/ip-addresses/', { params: { limit: 1 } })).data.count;
}
/** Plan, prepare and commit an add: a peer to remove, or one in the way. */
async function committedAdd(sot: NautobotSourceOfTruth, ip: string, as: number): Promise<Plan> {
  const p = await sot.plan(add(ip, as), actor);
  await sot.prepare(p);
  await sot.commit(p);
  return p;
}

for (const mode of ['app', 'rest'] as const) describe(`sot/nautobot: the Nautobot backend against a real Nautobot (${mode === 'app' ? "netops' App" : 'stock REST'})`, function () {
  let sot: NautobotSourceOfTruth;
  let api: AxiosInstance;
  let token: string;

  before(async function () {
    const nb = await useNautobot(this);
    sot = new NautobotSourceOfTruth({ url: nb.url, tokenFile: nb.tokenFile, app: mode === 'app' });
    api = nbApi();
    token = String(api.defaults.headers.Authorization).replace(/^Token /, '');
    await resetNautobotPeers();
  });
  afterEach(async () => resetNautobotPeers());

  it('opens through sot/open.ts with backend nautobot (URL and token file from the options)', async () => {
    const o = openSot({ backend: 'nautobot', dir: '', seed: null, lockDir: '', lockWait: 0, nautobotUrl: sot.location, nautobotTokenFile: NB_TOKEN_FILE });
    expect(o.kind).to.equal('nautobot');
    expect(o.location).to.equal(sot.location);
    expect((await o.sites()).map((s) => s.name)).to.deep.equal(['bma', 'gbg']);
  });

  it('reads the seeded lab: sites, routers, peering prefixes', async () => {
    expect((await sot.sites()).map((s) => s.name)).to.deep.equal(['bma', 'gbg']);
    const v = (await sot.site('bma'))!;
    expect(v.routers.map((r) => [r.name, r.localAs, r.address, r.routerId, r.platform])).to.deep.equal([['bma-edge1', 65000, '192.0.2.2', '192.0.2.2', 'frr']]);
    expect(v.routers[0].ownAddresses).to.deep.equal(['10.0.0.2', '10.0.0.6', '192.0.2.2']);
    expect(v.routers[0].mgmtInterface).to.equal('mgmt0');
    expect(v.prefixes.map((p) => [p.prefix, p.size, p.used, p.free])).to.deep.equal([['10.0.0.0/30', 2, 1, 1], ['10.0.0.4/30', 2, 1, 1]]);
    expect((await sot.site('gbg'))!.routers[0].localAs).to.equal(65001);
    expect(await sot.site('nowhere')).to.equal(null);
  });

  it('add peer: plan writes nothing, prepare records it pending, commit makes it Active (idempotent)', async () => {
    const before = await countIps(api);
    const plan = await sot.plan(add('10.0.0.1', 65100), actor);
    expect(plan.prefix).to.equal('10.0.0.0/30');
    expect(plan.steps[0]).to.equal('record 10.0.0.1 in IPAM (prefix 10.0.0.0/30, site bma)');
    expect(plan.change.routers).to.deep.equal(['bma-edge1']);
    expect(await countIps(api)).to.equal(before);

    await sot.prepare(plan);
    let [ip] = await ipsOf(api, '10.0.0.1');
    expect(ip.status.name).to.equal('Reserved');
    expect(ip.custom_fields.netops).to.include({ txn: plan.txn, by: 'alice', channel: '#netops', via: 'chat', pending: 'add' });
    let [peering] = await peeringsOf(api, '10.0.0.1');
    expect(peering.status.name).to.equal('Planned');
    const eps = peering.endpoints as Array<{ routing_instance: { device: { name: string } } | null; autonomous_system: { asn: number } | null; source_ip: { host: string } }>;
    const routerSide = eps.find((e) => e.routing_instance)!;
    const external = eps.find((e) => !e.routing_instance)!;
    expect(routerSide.routing_instance!.device.name).to.equal('bma-edge1');
    expect(routerSide.source_ip.host).to.equal('10.0.0.2');
    expect([external.autonomous_system!.asn, external.source_ip.host]).to.deep.equal([65100, '10.0.0.1']);
    const note = (await messagesOf(api, ip.id)).join('\n');
    expect(note).to.include(`netops prepare txn ${plan.txn}: add peer 10.0.0.1 AS65100 on bma-edge1 (pending); by alice via chat #netops; command: ${actor.command}`);
    expect((await sot.site('bma'))!.peers.map((p) => [p.ip, p.as, p.status])).to.deep.equal([['10.0.0.1', 65100, 'pending']]);

    await sot.commit(plan);
    await sot.commit(plan);
    [ip] = await ipsOf(api, '10.0.0.1');
    [peering] = await peeringsOf(api, '10.0.0.1');
    expect([ip.status.name, peering.status.name]).to.deep.equal(['Active', 'Active']);
    expect(ip.custom_fields.netops!.pending).to.equal(null);
    expect((await messagesOf(api, peering.id)).some((n) => n.startsWith(`netops commit txn ${plan.txn}: peer 10.0.0.1 AS65100 active; by alice`))).to.equal(true);
    const view = (await sot.site('bma'))!;
    expect(view.peers.map((p) => [p.ip, p.as, p.status, p.by, p.channel, p.description])).to.deep.equal([['10.0.0.1', 65100, 'active', 'alice', '#netops', 'test peer 10.0.0.1']]);
    expect(view.allocations.find((a) => a.address === '10.0.0.1')).to.include({ owner: 'bgp-peer AS65100', status: 'active', txn: plan.txn });
    expect(view.prefixes[0]).to.include({ used: 2, free: 0 });
  });

  it('add peer, abort: removes what prepare created, the AS it created too (idempotent)', async () => {
    const plan = await sot.plan(add('10.0.0.5', 65433), actor);
    await sot.prepare(plan);
    expect(await ipsOf(api, '10.0.0.5')).to.have.length(1);
    expect((await api.get('plugins/bgp/autonomous-systems/', { params: { asn: 65433 } })).data.count).to.equal(1);
    await sot.abort(plan);
    await sot.abort(plan);
    expect(await ipsOf(api, '10.0.0.5')).to.have.length(0);
    expect((await api.get('plugins/bgp/peer-endpoints/', { params: { autonomous_system: (await api.get('plugins/bgp/autonomous-systems/', { params: { asn: 65433 } })).data.results[0]?.id ?? '00000000-0000-0000-0000-000000000000' } }).catch(() => ({ data: { count: 0 } }))).data.count).to.equal(0);
    expect((await api.get('plugins/bgp/autonomous-systems/', { params: { asn: 65433 } })).data.count).to.equal(0);
    expect((await sot.site('bma'))!.peers).to.deep.equal([]);
    // a commit after the abort finds nothing prepared
    const e = await sot.commit(plan).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(SotError);
  });

  it('remove peer: prepare marks it, commit deletes peering and address (idempotent); abort restores', async () => {
    const p = await sot.plan(add('10.0.1.1', 65300, 'gbg'), actor);
    await sot.prepare(p);
    await sot.commit(p);

    const r1 = await sot.plan(remove('10.0.1.1', 'gbg'), { ...actor, command: '!remove peer ip=10.0.1.1 in=gbg' });
    expect(r1.before.peer).to.include({ ip: '10.0.1.1', as: 65300 });
    expect(r1.steps[1]).to.equal('release 10.0.1.1 in IPAM (prefix 10.0.1.0/30, site gbg)');
    await sot.prepare(r1);
    expect((await ipsOf(api, '10.0.1.1'))[0].status.name).to.equal('Deprecated');
    expect((await peeringsOf(api, '10.0.1.1'))[0].status.name).to.equal('Deprovisioning');
    await sot.abort(r1);
    await sot.abort(r1);
    expect((await ipsOf(api, '10.0.1.1'))[0].status.name).to.equal('Active');
    expect((await peeringsOf(api, '10.0.1.1'))[0].status.name).to.equal('Active');
    expect((await sot.site('gbg'))!.peers.map((x) => [x.ip, x.as, x.status])).to.deep.equal([['10.0.1.1', 65300, 'active']]);

    const r2 = await sot.plan(remove('10.0.1.1', 'gbg'), actor);
    await sot.prepare(r2);
    const [gone] = await ipsOf(api, '10.0.1.1');
    await sot.commit(r2);
    await sot.commit(r2);
    expect(await ipsOf(api, '10.0.1.1')).to.have.length(0);
    expect((await sot.site('gbg'))!.peers).to.deep.equal([]);
    // the deletion's message: on the Location's Notes (stock REST), on the deleted IP's ObjectChange (App)
    const loc = (await api.get('dcim/locations/', { params: { name: 'gbg' } })).data.results[0];
    const said = [...(await notesOf(api, loc.id)), ...(await messagesOf(api, gone.id))];
    expect(said.some((n) => n.startsWith(`netops commit txn ${r2.txn}: removed peer 10.0.1.1 and released the address; by alice via chat #netops; command: `))).to.equal(true);
  });

  it("remove peer: commit and abort act only on the records their txn's prepare marked", async () => {
    await committedAdd(sot, '10.0.0.1', 65100);
    // two removals planned on the same view; only r1 is prepared
    const view = (await sot.site('bma'))!;
    const r1 = await sot.plan(remove('10.0.0.1'), actor, view);
    const r2 = await sot.plan(remove('10.0.0.1'), actor, view);
    await sot.prepare(r1);
    // aborting r2 (never prepared, e.g. recovered after a crash) leaves r1's marks alone
    await sot.abort(r2);
    expect((await ipsOf(api, '10.0.0.1'))[0].status.name).to.equal('Deprecated');
    expect((await peeringsOf(api, '10.0.0.1'))[0].status.name).to.equal('Deprovisioning');
    // committing r2 deletes nothing it did not mark
    await sot.commit(r2);
    expect(await ipsOf(api, '10.0.0.1')).to.have.length(1);
    await sot.commit(r1);
    expect(await ipsOf(api, '10.0.0.1')).to.have.length(0);
    // the peer added again by another txn; r1's commit replayed (netops recover) must not delete it
    const again = await sot.plan(add('10.0.0.1', 65100), actor);
    await sot.prepare(again);
    await sot.commit(again);
    await sot.commit(r1);
    const [ip] = await ipsOf(api, '10.0.0.1');
    expect([ip?.status.name, ip?.custom_fields.netops?.txn]).to.deep.equal(['Active', again.txn]);
    expect((await peeringsOf(api, '10.0.0.1')).map((x) => x.status.name)).to.deep.equal(['Active']);
  });

  it('abort of a remove whose commit deleted the records recreates plan.before', async () => {
    await committedAdd(sot, '10.0.0.1', 65100);
    const r = await sot.plan(remove('10.0.0.1'), actor);
    await sot.prepare(r);
    await sot.commit(r);
    expect(await ipsOf(api, '10.0.0.1')).to.have.length(0);
    await sot.abort(r);
    const [ip] = await ipsOf(api, '10.0.0.1');
    expect(ip.status.name).to.equal('Active');
    const peer = (await sot.site('bma'))!.peers[0];
    expect([peer.ip, peer.as, peer.status, peer.routers]).to.deep.equal(['10.0.0.1', 65100, 'active', ['bma-edge1']]);
  });

  it("abort of a removal whose commit never ran recreates nothing (the peer another removal deleted stays removed)", async () => {
    await committedAdd(sot, '10.0.0.1', 65100);
    // two removals planned on the same view (as without the runtime's locks); r1 runs through
    const view = (await sot.site('bma'))!;
    const r1 = await sot.plan(remove('10.0.0.1'), actor, view);
    const r2 = await sot.plan(remove('10.0.0.1'), actor, view);
    await sot.prepare(r1);
    await sot.commit(r1);
    // r2 finds nothing to mark, fails later and aborts: its commit never ran, so nothing comes back
    await sot.prepare(r2);
    await sot.abort(r2);
    await sot.abort(r2);
    expect(await ipsOf(api, '10.0.0.1')).to.have.length(0);
    expect((await sot.site('bma'))!.peers).to.deep.equal([]);
  });

  it("a remove prepare refuses records another removal marked (naming it), nothing written; the same txn's retry is fine", async () => {
    await committedAdd(sot, '10.0.0.1', 65100);
    const view = (await sot.site('bma'))!;
    const r1 = await sot.plan(remove('10.0.0.1'), actor, view);
    const r2 = await sot.plan(remove('10.0.0.1'), actor, view);
    await sot.prepare(r1);
    await sot.prepare(r1);
    await expectRefusal(sot.prepare(r2), `10.0.0.1 at bma became part of another change (transaction ${r1.txn})`, 'wait for it, or run: netops recover in=bma');
    const marks = [...(await ipsOf(api, '10.0.0.1')), ...(await peeringsOf(api, '10.0.0.1'))].map((o) => [o.status.name, o.custom_fields.netops?.removeTxn]);
    expect(marks).to.deep.equal([['Deprecated', r1.txn], ['Deprovisioning', r1.txn]]);
    await sot.abort(r2);
    await sot.commit(r1);
    expect(await ipsOf(api, '10.0.0.1')).to.have.length(0);
  });

  it('an add prepare refuses a peer another pending add holds (naming it), nothing written', async () => {
    const view = (await sot.site('bma'))!;
    const a1 = await sot.plan(add('10.0.0.1', 65100), actor, view);
    const a2 = await sot.plan(add('10.0.0.1', 65100), actor, view);
    await sot.prepare(a1);
    const counts = async () => [await countIps(api), (await api.get('plugins/bgp/peerings/', { params: { limit: 1 } })).data.count];
    const before = await counts();
    await expectRefusal(sot.prepare(a2), `10.0.0.1 at bma became part of another change (transaction ${a1.txn})`, 'wait for it, or run: netops recover in=bma');
    expect(await counts()).to.deep.equal(before);
    const [ip] = await ipsOf(api, '10.0.0.1');
    expect([ip.status.name, ip.custom_fields.netops?.txn]).to.deep.equal(['Reserved', a1.txn]);
    expect((await peeringsOf(api, '10.0.0.1')).map((x) => [x.status.name, x.custom_fields.netops?.txn])).to.deep.equal([['Planned', a1.txn]]);
    await sot.abort(a2);
    await sot.commit(a1);
    expect((await sot.site('bma'))!.peers.map((x) => [x.ip, x.status])).to.deep.equal([['10.0.0.1', 'active']]);
  });

  it('an add prepare refuses an address allocated by hand after the plan (naming the owner), nothing written', async () => {
    const a = await sot.plan(add('10.0.0.5', 65200), actor);
    const o = (await api.post('ipam/ip-addresses/', { address: '10.0.0.5/30', namespace: { name: 'Global' }, status: 'Active', description: 'customer circuit 43' })).data;
    try {
      const counts = async () => [await countIps(api), (await api.get('plugins/bgp/peerings/', { params: { limit: 1 } })).data.count];
      const before = await counts();
      await expectRefusal(sot.prepare(a), '10.0.0.5 is allocated to IP Address "customer circuit 43"', 'type a free address in 10.0.0.4/30');
      expect(await counts()).to.deep.equal(before);
      await sot.abort(a);
      expect((await ipsOf(api, '10.0.0.5')).map((x) => x.id)).to.deep.equal([o.id]);
    } finally {
      await api.delete(`ipam/ip-addresses/${o.id}/`);
    }
  });

  describe('refusals: what to type instead, nothing written', () => {
    let ips: number;
    beforeEach(async () => {
      ips = await countIps(api);
    });
    afterEach(async () => {
      expect(await countIps(api)).to.equal(ips);
    });

    it('an IP outside every peering prefix names the prefixes', async () => {
      await expectRefusal(sot.plan(add('10.9.9.9', 65100), actor), 'outside every peering prefix of site bma', '10.0.0.0/30, 10.0.0.4/30');
    });
    it("an IP that is a router's own address names the owner", async () => {
      await expectRefusal(sot.plan(add('10.0.0.6', 65100), actor), 'allocated to bma-edge1 to-peer2');
    });
    it('an IP allocated to something else names the owner', async () => {
      const o = (await api.post('ipam/ip-addresses/', { address: '10.0.0.5/30', namespace: { name: 'Global' }, status: 'Active', description: 'customer circuit 42' })).data;
      ips += 1;
      try {
        await expectRefusal(sot.plan(add('10.0.0.5', 65200), actor), '10.0.0.5 is allocated to IP Address "customer circuit 42"', 'type a free address in 10.0.0.4/30');
      } finally {
        await api.delete(`ipam/ip-addresses/${o.id}/`);
        ips -= 1;
      }
    });
    it('a peer that exists with another AS', async () => {
      await committedAdd(sot, '10.0.0.1', 65100);
      ips += 1;
      await expectRefusal(sot.plan(add('10.0.0.1', 65999), actor), 'peer 10.0.0.1 exists at site bma with AS65100, not AS65999', 'type as=65100');
      await resetNautobotPeers(['10.0.0.1']);
      ips -= 1;
    });
    it('an unknown site lists the known ones', async () => {
      await expectRefusal(sot.plan(add('10.0.0.1', 65100, 'osl'), actor), 'unknown site "osl" (known sites: bma, gbg)', 'type in=bma');
    });
    it('an invalid AS and a remove of no peer', async () => {
      await expectRefusal(sot.plan(add('10.0.0.1', 0), actor), 'AS 0 is not a valid AS number');
      await expectRefusal(sot.plan(remove('10.0.0.1'), actor), 'no peer 10.0.0.1 at site bma');
    });
  });

  it('two concurrent prepares of different peers at one site both land', async () => {
    const [a, b] = await Promise.all([sot.plan(add('10.0.0.1', 65100), actor), sot.plan(add('10.0.0.5', 65200), { ...actor, user: 'bob' })]);
    await Promise.all([sot.prepare(a), sot.prepare(b)]);
    await Promise.all([sot.commit(a), sot.commit(b)]);
    for (const [ip, as] of [['10.0.0.1', 65100], ['10.0.0.5', 65200]] as const) {
      const [rec] = await ipsOf(api, ip);
      const [peering] = await peeringsOf(api, ip);
      expect([rec.status.name, peering.status.name], ip).to.deep.equal(['Active', 'Active']);
      expect(peering.endpoints.find((e: { routing_instance: unknown }) => !e.routing_instance).autonomous_system.asn).to.equal(as);
    }
    expect((await sot.site('bma'))!.peers.map((p) => [p.ip, p.by])).to.deep.equal([['10.0.0.1', 'alice'], ['10.0.0.5', 'bob']]);
  });

  it('never puts the token in an error message', async () => {
    const bogus = 'f'.repeat(40);
    const bad = new NautobotSourceOfTruth({ url: sot.location, token: bogus });
    const e1 = await bad.sites().then(() => null, (x: unknown) => x);
    expect(e1).to.be.instanceOf(SotError);
    expect((e1 as Error).message).to.include('HTTP 403').and.not.include(bogus);
    expect(JSON.stringify(e1) + String((e1 as Error).stack)).to.not.include(bogus);
    const e2 = await sot.commit({ txn: 'x', change: add('10.0.0.1', 65100), actor, steps: [], before: { peer: null, allocation: null }, prefix: '10.0.0.0/30' } as Plan).then(() => null, (x: unknown) => x);
    expect(e2).to.be.instanceOf(SotError);
    expect(JSON.stringify(e2) + String((e2 as Error).stack)).to.not.include(token);
  });

  it('Nautobot down: a SotError naming the URL', async () => {
    const down = new NautobotSourceOfTruth({ url: 'http://127.0.0.1:9', token: 'a'.repeat(40), timeoutMs: 5000 });
    const e = await down.plan(add('10.0.0.1', 65100), actor).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(SotError);
    expect((e as Error).message).to.include('Nautobot unreachable at http://127.0.0.1:9').and.not.include('a'.repeat(40));
    expect(() => new NautobotSourceOfTruth({ url: '', token: 'x' })).to.throw(SotError, 'NETOPS_NAUTOBOT_URL');
  });

  it('history: appended as Notes, read back oldest first, per site, with a limit', async () => {
    const mark = `t${Date.now()}`;
    const entry = (n: number, site: string | null): HistoryEntry => ({
      id: `${mark}-${n}`, at: new Date(Date.UTC(2030, 0, 1, 0, 0, n)).toISOString(), user: 'alice', channel: '#netops', via: 'chat',
      task: 'add_peer', site, params: { ip: '10.0.0.1', password: '********' }, plan: ['record 10.0.0.1'], status: 'succeeded', summary: `entry ${n}`, txn: null,
    });
    await sot.record(entry(1, 'bma'));
    await sot.record(entry(2, 'gbg'));
    await sot.record(entry(3, null));
    await sot.record(entry(4, 'bma'));
    const all = (await sot.history()).filter((e) => e.id.startsWith(mark));
    expect(all.map((e) => e.summary)).to.deep.equal(['entry 1', 'entry 2', 'entry 3', 'entry 4']);
    const bma = (await sot.history({ site: 'bma' })).filter((e) => e.id.startsWith(mark));
    expect(bma.map((e) => e.summary)).to.deep.equal(['entry 1', 'entry 4']);
    expect((await sot.history({ site: 'bma', limit: 1 })).map((e) => e.id)).to.deep.equal([`${mark}-4`]);
    const loc = (await api.get('dcim/locations/', { params: { name: 'bma' } })).data.results[0];
    expect((await api.get('extras/notes/', { params: { assigned_object_id: loc.id, note__ic: mark } })).data.count).to.equal(2);
  });
});

describe("sot/nautobot: netops' Nautobot App (nautobot-app/netops_sot)", function () {
  let sot: NautobotSourceOfTruth;
  let api: AxiosInstance;

  before(async function () {
    const nb = await useNautobot(this);
    sot = new NautobotSourceOfTruth({ url: nb.url, tokenFile: nb.tokenFile });
    api = nbApi();
    await resetNautobotPeers();
  });
  afterEach(async () => resetNautobotPeers());

  it('is found by the first read (auto) and answers its status', async () => {
    expect(sot.app.state).to.equal(undefined);
    await sot.site('bma');
    expect(sot.app.state).to.equal(true);
    expect((await api.get('plugins/netops-sot/')).data).to.include({ app: 'netops_sot', version: '0.1.0' });
    const off = new NautobotSourceOfTruth({ url: sot.location, tokenFile: NB_TOKEN_FILE, app: false });
    expect(await off.app.present()).to.equal(false);
  });

  it('reads a site exactly as the GraphQL read does', async () => {
    const p = await sot.plan(add('10.0.0.1', 65100), actor);
    await sot.prepare(p);
    const rest = new NautobotSourceOfTruth({ url: sot.location, tokenFile: NB_TOKEN_FILE, app: false });
    for (const site of ['bma', 'gbg']) expect(await sot.site(site), site).to.deep.equal(await rest.site(site));
    expect(await sot.sites()).to.deep.equal(await rest.sites());
    await sot.abort(p);
  });

  it("change-logs every write of a phase under one request id, with the token user and the change message (chat user, channel, command) as Nautobot's change-context detail", async () => {
    const plan = await sot.plan(add('10.0.0.1', 65100), actor);
    await sot.prepare(plan);
    const [ip] = await ipsOf(api, '10.0.0.1');
    const [peering] = await peeringsOf(api, '10.0.0.1');
    type Oc = { request_id: string; user_name: string; action: { value: string }; change_context: string; change_context_detail: string; changed_object_type: string };
    const changes = async (params: Record<string, string>) => (await api.get('extras/object-changes/', { params: { ...params, limit: 1000 } })).data.results as Oc[];
    const [ipc] = await changes({ changed_object_id: ip.id });
    const said = `netops prepare txn ${plan.txn}: add peer 10.0.0.1 AS65100 on bma-edge1 (pending); by alice via chat #netops; command: ${actor.command}`;
    expect(ipc).to.include({ user_name: 'netops-admin', change_context_detail: said });
    expect([ipc.action.value, ipc.change_context]).to.deep.equal(['create', 'web']);
    // every object of the phase: the IP, the Peering, its two endpoints; found by the message through Nautobot's filter too
    const phase = await changes({ request_id: ipc.request_id });
    expect(phase.map((c) => c.changed_object_type).filter((t) => t !== 'nautobot_bgp_models.autonomoussystem').sort()).to.deep.equal(['ipam.ipaddress', 'nautobot_bgp_models.peerendpoint', 'nautobot_bgp_models.peerendpoint', 'nautobot_bgp_models.peering']);
    expect(phase.every((c) => c.change_context_detail === said && c.user_name === 'netops-admin')).to.equal(true);
    expect((await changes({ change_context_detail__ic: plan.txn })).map((c) => c.request_id)).to.include(ipc.request_id);
    // the external endpoint's create shows its peer (set after the router's endpoint existed)
    const ext = peering.endpoints.find((e: { routing_instance: unknown }) => !e.routing_instance) as { id: string; peer: { id: string } | null };
    const [extc] = await changes({ changed_object_id: ext.id });
    expect((extc as unknown as { object_data_v2: { peer: { id: string } | null } }).object_data_v2.peer?.id).to.equal(ext.peer?.id).and.not.equal(undefined);
    expect(await notesOf(api, peering.id), 'no Notes needed: the message is in the change log').to.deep.equal([]);
    await sot.commit(plan);
    const later = await changes({ changed_object_id: ip.id });
    expect(new Set(later.map((c) => c.request_id)).size).to.equal(2);
    expect(later.map((c) => c.change_context_detail)).to.include(`netops commit txn ${plan.txn}: peer 10.0.0.1 AS65100 active; by alice via chat #netops; command: ${actor.command}`);
  });

  it('a change message longer than the change-context field is also written whole as Notes', async () => {
    const long = { ...actor, command: `!add peer ip=10.0.0.5 as=65447 in=bma description="${'x'.repeat(400)}"` };
    const plan = await sot.plan(add('10.0.0.5', 65447), long);
    await sot.prepare(plan);
    const [ip] = await ipsOf(api, '10.0.0.5');
    const [oc] = (await api.get('extras/object-changes/', { params: { changed_object_id: ip.id } })).data.results as Array<{ change_context_detail: string }>;
    expect(oc.change_context_detail).to.have.length(400);
    expect(await notesOf(api, ip.id)).to.deep.equal([`netops prepare txn ${plan.txn}: add peer 10.0.0.5 AS65447 on bma-edge1 (pending); by alice via chat #netops; command: ${long.command}`]);
    await sot.abort(plan);
  });

  it("auto mode against Nautobot's real 404 (an App path the server does not have): App absent, the stock path serves reads and writes", async () => {
    const absent = 'plugins/netops-sot-not-installed/';
    const raw = await api.get(`${absent}sites/bma/`, { validateStatus: () => true });
    expect(raw.status, 'Nautobot itself answers 404 there').to.equal(404);
    const auto = new NautobotSourceOfTruth({ url: sot.location, tokenFile: NB_TOKEN_FILE, app: 'auto', appPath: absent });
    expect(auto.app.state).to.equal(undefined);
    const view = await auto.site('bma');
    expect(auto.app.state).to.equal(false);
    expect(view).to.deep.equal(await sot.site('bma'));
    const plan = await auto.plan(add('10.0.0.1', 65100), actor, view!);
    await auto.prepare(plan);
    await auto.commit(plan);
    const [ip] = await ipsOf(api, '10.0.0.1');
    const logged = (await api.get('extras/object-changes/', { params: { changed_object_id: ip.id } })).data.results as Array<{ change_context_detail: string }>;
    expect(logged.map((c) => c.change_context_detail)).to.include('ipam-api:ipaddress-list');
    expect((await notesOf(api, ip.id)).some((n) => n.startsWith(`netops commit txn ${plan.txn}`))).to.equal(true);
    // a process that writes first (recover) asks the status path once: the same real 404
    const fresh = new NautobotSourceOfTruth({ url: sot.location, tokenFile: NB_TOKEN_FILE, app: 'auto', appPath: absent });
    expect(await fresh.app.present()).to.equal(false);
    // required but absent: an error naming the path
    const on = new NautobotSourceOfTruth({ url: sot.location, tokenFile: NB_TOKEN_FILE, app: 'on', appPath: absent });
    const e = await on.site('bma').then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(SotError);
    expect((e as Error).message).to.include('not installed');
  });

  it('enforces the object permissions of the token user: a view-only token reads, and writes nothing', async () => {
    const viewer = new NautobotSourceOfTruth({ url: sot.location, tokenFile: NB_VIEWER_TOKEN_FILE, app: true });
    const plan = await viewer.plan(add('10.0.0.5', 65445), actor);
    const ips = await countIps(api);
    const e = await viewer.prepare(plan).then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(SotError);
    expect((e as Error).message).to.include('HTTP 403').and.include('permission');
    expect(await countIps(api)).to.equal(ips);
    expect((await api.get('plugins/bgp/autonomous-systems/', { params: { asn: 65445 } })).data.count).to.equal(0);
  });

  it('one transaction per phase: an address taken since the plan fails prepare (409, refused as the plan would) with nothing left behind', async () => {
    const plan = await sot.plan(add('10.0.0.5', 65446), actor);
    const o = (await api.post('ipam/ip-addresses/', { address: '10.0.0.5/30', namespace: { name: 'Global' }, status: 'Active', description: 'taken meanwhile' })).data;
    try {
      // the App's 409 (its transaction rolled back) becomes the plan's own refusal on a fresh read
      const r = await api.post('plugins/netops-sot/changes/', { phase: 'prepare', plan: { ...plan, steps: undefined } }, { validateStatus: () => true });
      expect([r.status, r.data.netops]).to.deep.equal([409, 'conflict']);
      expect(r.data.detail).to.include('created since the change was planned');
      await expectRefusal(sot.prepare(plan), '10.0.0.5 is allocated to IP Address "taken meanwhile"', 'type a free address in 10.0.0.4/30');
      // the AS prepare created first was rolled back with the rest
      expect((await api.get('plugins/bgp/autonomous-systems/', { params: { asn: 65446 } })).data.count).to.equal(0);
      expect((await ipsOf(api, '10.0.0.5')).map((x) => x.id)).to.deep.equal([o.id]);
    } finally {
      await api.delete(`ipam/ip-addresses/${o.id}/`);
    }
  });

  it('refuses a malformed change request (400) before touching anything', async () => {
    const r = await api.post('plugins/netops-sot/changes/', { phase: 'explode', plan: {} }, { validateStatus: () => true });
    expect(r.status).to.equal(400);
    expect(r.data.detail).to.include('phase must be one of prepare, commit, abort');
    const plan = (change: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      phase: 'prepare',
      plan: { txn: 't-bad', actor: { user: 'x' }, change: { kind: 'add_peer', site: 'bma', ip: '10.0.0.1', routers: ['bma-edge1'], as: 65100, ...change }, ...extra },
    });
    for (const [body, says] of [
      [plan({ as: true }), 'plan.change.as must be an integer'],
      [plan({ routers: [1] }), 'plan.change.routers must be a list of router names'],
      [plan({}, { before: 'nothing' }), 'plan.before must be an object'],
    ] as const) {
      const bad = await api.post('plugins/netops-sot/changes/', body, { validateStatus: () => true });
      expect(bad.status, JSON.stringify(body)).to.equal(400);
      expect(bad.data.detail).to.include(says);
    }
  });
});
