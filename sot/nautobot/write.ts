/**
 * The two-phase writes. prepare: the address as an IP Address with status Reserved, one BGP
 * Peering per router with status Planned and two Peer Endpoints (the router's routing instance
 * + its own address in the prefix; the external AS + the peer's address); for a removal the
 * records are marked Deprecated/Deprovisioning. commit: Active (or, for a removal, deleted).
 * abort: delete what this txn created and restore `plan.before`. All three re-read the site,
 * find their records by the txn in the `netops` custom field, and are idempotent.
 */
import { Refusal, SotError, type Plan } from '../types.js';
import type { NautobotClient, NbObject } from './client.js';
import { externalEndpoint, recordOf, STATUS, type NetopsRecord } from './mapping.js';
import { changeMessage, CT, noteAll } from './notes.js';
import { CUSTOM_FIELD, readSite, type GqlIp, type GqlPeering, type SiteData } from './query.js';

const P = { ip: 'ipam/ip-addresses/', peering: 'plugins/bgp/peerings/', endpoint: 'plugins/bgp/peer-endpoints/', as: 'plugins/bgp/autonomous-systems/' };

/**
 * What this process already knows about a txn: the site as plan() read it, and what prepare()
 * wrote. It spares prepare and commit a re-read (one round trip each); a journal replayed in
 * another process has no memo and re-reads the site.
 */
export interface Memo {
  site?: SiteData;
  written?: { ip: { id: string; rec: NetopsRecord } | null; peerings: Array<{ id: string; rec: NetopsRecord }>; as: number };
}
/** Memos by txn (bounded; dropped after commit/abort). */
export class MemoStore {
  private readonly m = new Map<string, Memo>();
  get(txn: string): Memo {
    let x = this.m.get(txn);
    if (!x) {
      x = {};
      this.m.set(txn, x);
      if (this.m.size > 256) this.m.delete(this.m.keys().next().value!);
    }
    return x;
  }
  drop(txn: string): void {
    this.m.delete(txn);
  }
}

/** Read the site a plan is about (SotError when it vanished). */
async function load(client: NautobotClient, plan: Plan): Promise<SiteData> {
  const as = plan.change.kind === 'add_peer' ? [plan.change.as] : plan.before.peer ? [plan.before.peer.as] : [];
  const d = await readSite(client, plan.change.site, as);
  if (!d) throw new SotError(`site ${plan.change.site} is no longer in Nautobot`, client.url);
  return d;
}

function ipObject(d: SiteData, ip: string): GqlIp | null {
  for (const p of d.prefixes) for (const a of p.ip_addresses) if (a.host === ip) return a;
  return null;
}

function peeringsOf(d: SiteData, ip: string): GqlPeering[] {
  return d.peerings.filter((p) => externalEndpoint(p)?.source_ip?.host === ip);
}

function baseRecord(plan: Plan, as: number, pending: NetopsRecord['pending']): NetopsRecord {
  const a = plan.actor;
  return { owner: `bgp-peer AS${as}`, site: plan.change.site, ip: plan.change.ip, as, by: a.user, at: new Date().toISOString(), via: a.via, channel: a.channel, txn: plan.txn, pending };
}

/** The AS record's id, created when missing (a concurrent create of the same AS is re-read). */
async function ensureAs(client: NautobotClient, d: SiteData, asn: number): Promise<{ id: string; created: boolean }> {
  const have = d.ases.find((a) => a.asn === asn);
  if (have) return { id: have.id, created: false };
  if (!d.asnsAsked.includes(asn)) {
    // the read did not ask for this AS (plan reused the run's site read): look it up
    const found = await client.get<{ results: NbObject[] }>(P.as, { asn, depth: 0 });
    if (found.results[0]) return { id: found.results[0].id, created: false };
  }
  try {
    const o = await client.post(P.as, { asn, status: 'Active', description: `peer AS${asn} (netops)` });
    return { id: o.id, created: true };
  } catch (e) {
    const again = await client.get<{ results: NbObject[] }>(P.as, { asn });
    if (again.results[0]) return { id: again.results[0].id, created: false };
    throw e;
  }
}

/**
 * Create the IP Address (unless it exists) and one Peering with its two endpoints per router
 * in `routers`, all with the given statuses. Returns the objects written (for the notes).
 */
async function createPeer(
  client: NautobotClient, d: SiteData, plan: Plan, spec: { ip: string; as: number; description: string | null; routers: string[] }, active: boolean, note: string | null,
): Promise<{ objects: Array<{ type: string; id: string }>; ip: { id: string; rec: NetopsRecord } | null; peerings: Array<{ id: string; rec: NetopsRecord }> }> {
  const prefix = d.prefixes.find((p) => p.prefix === plan.prefix);
  if (!prefix) throw new SotError(`peering prefix ${plan.prefix} is no longer at site ${d.location.name}`, client.url);
  const rec = baseRecord(plan, spec.as, active ? null : 'add');
  const existing = ipObject(d, spec.ip);
  const settled = await Promise.allSettled([
    ensureAs(client, d, spec.as),
    existing
      ? Promise.resolve(existing.id)
      : client
          .post(P.ip, {
            address: `${spec.ip}/${prefix.prefix.split('/')[1]}`,
            namespace: prefix.namespace.id,
            status: active ? STATUS.ipActive : STATUS.ipPending,
            description: spec.description ?? '',
            custom_fields: { [CUSTOM_FIELD]: rec },
          })
          .then((o) => o.id),
    spec.routers.length
      ? client.post<NbObject[]>(P.peering, spec.routers.map(() => ({ status: active ? STATUS.peeringActive : STATUS.peeringPending, custom_fields: { [CUSTOM_FIELD]: rec } })))
      : Promise.resolve([] as NbObject[]),
  ] as const);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    // one of the three failed (e.g. the address taken since the plan): remove what the others
    // created, so nothing of this txn is left without endpoints (where no abort would find it)
    const [a, i, ps] = settled;
    await Promise.allSettled([
      ps.status === 'fulfilled' && ps.value.length ? client.delete(P.peering, ps.value.map((x) => ({ id: x.id }))) : null,
      i.status === 'fulfilled' && !existing ? client.delete(`${P.ip}${i.value}/`) : null,
      a.status === 'fulfilled' && a.value.created ? client.delete(`${P.as}${a.value.id}/`) : null,
    ]);
    throw failed.reason;
  }
  const [asRef, ipId, peerings] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [{ id: string; created: boolean }, string, NbObject[]];
  const peeringRec: NetopsRecord = asRef.created ? { ...rec, createdAs: true } : rec;
  const endpoints = spec.routers.flatMap((name, i) => {
    const dev = d.devices.find((x) => x.name === name);
    const ri = dev?.bgp_routing_instances[0];
    if (!dev || !ri) throw new SotError(`router ${name} has no BGP routing instance in Nautobot`, client.url);
    const local = dev.interfaces.flatMap((x) => x.ip_addresses).find((a) => a.host !== spec.ip && sameNet(a.host, plan.prefix!))
      ?? dev.interfaces.flatMap((x) => x.ip_addresses).find((a) => a.host === ri.router_id?.host);
    if (!local) throw new SotError(`router ${name} has no address in ${plan.prefix} nor a router-id address on an interface`, client.url);
    const peering = peerings[i].id;
    return [
      { peering, routing_instance: ri.id, source_ip: local.id },
      { peering, source_ip: ipId, autonomous_system: asRef.id, description: spec.description ?? '' },
    ];
  });
  await Promise.all([
    endpoints.length ? client.post(P.endpoint, endpoints) : null,
    asRef.created && peerings.length
      ? client.patch(P.peering, peerings.map((p) => ({ id: p.id, custom_fields: { [CUSTOM_FIELD]: peeringRec } })))
      : null,
    note ? noteAll(client, [...(existing ? [] : [{ type: CT.ip, id: ipId }]), ...peerings.map((p) => ({ type: CT.peering, id: p.id }))], note) : null,
  ]);
  return {
    objects: [...(existing ? [] : [{ type: CT.ip, id: ipId }]), ...peerings.map((p) => ({ type: CT.peering, id: p.id }))],
    ip: existing ? null : { id: ipId, rec },
    peerings: peerings.map((p) => ({ id: p.id, rec: peeringRec })),
  };
}

/** The record carries removal txn `txn`'s marker (set by its prepare). */
function marked(o: { _custom_field_data: Record<string, unknown> | null }, txn: string): boolean {
  return (recordOf(o) as NetopsRecord & { removeTxn?: string }).removeTxn === txn;
}

/** The txn a record is pending for (a removal's marker, else the adding txn), or null. */
function claimer(o: { _custom_field_data: Record<string, unknown> | null }): string | null {
  const r = recordOf(o) as NetopsRecord & { removeTxn?: string };
  if (r.pending === 'remove' || r.removeTxn) return r.removeTxn ?? null;
  return r.pending ? r.txn ?? null : null;
}

/** Refuse when the address or one of its peerings is pending for another txn (before any write). */
export function refuseClaimed(d: SiteData, ip: string, txn: string): void {
  for (const o of [...[ipObject(d, ip)].filter((x) => x !== null), ...peeringsOf(d, ip)]) {
    const other = claimer(o);
    if (other && other !== txn)
      throw new Refusal(`${ip} at ${d.location.name} became part of another change (transaction ${other}) after this one was planned`, `wait for it, or run: netops recover in=${d.location.name}`);
  }
}

/** This removal txn's commit ran: its Note (written before it deletes anything) is on the Location. */
async function commitRan(client: NautobotClient, d: SiteData, txn: string): Promise<boolean> {
  const r = await client.get<{ results: Array<{ note: string }> }>('extras/notes/', { assigned_object_id: d.location.id, note__isw: `netops commit txn ${txn}:`, limit: 1, depth: 0 });
  return r.results.some((n) => n.note.startsWith(`netops commit txn ${txn}:`));
}

function sameNet(ip: string, prefix: string): boolean {
  const [net, len] = prefix.split('/');
  const toInt = (s: string) => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const block = 2 ** (32 - Number(len));
  return Math.floor(toInt(ip) / block) === Math.floor(toInt(net) / block);
}

/** Record a planned change as pending. */
export async function prepare(client: NautobotClient, plan: Plan, memo: Memo = {}): Promise<void> {
  const c = plan.change;
  // a removal re-reads the site: its marks must not overwrite another removal's (the plan's read
  // may be from before that one's prepare)
  const reused = c.kind === 'add_peer' ? memo.site : undefined;
  const d = reused ?? (await load(client, plan));
  memo.site = undefined;
  if (c.kind === 'add_peer') {
    const have = peeringsOf(d, c.ip);
    if (have.some((p) => recordOf(p).txn === plan.txn)) return; // prepared already
    refuseClaimed(d, c.ip, plan.txn);
    const on = new Set(have.flatMap((p) => p.endpoints.filter((e) => e.routing_instance).map((e) => e.routing_instance!.device.name)));
    const routers = c.routers.filter((r) => !on.has(r));
    if (!routers.length) return; // nothing to record
    const note = changeMessage(plan.actor, plan.txn, 'prepare', `add peer ${c.ip} AS${c.as} on ${routers.join(', ')} (pending)`);
    // a failure here (the plan's read stale, the address taken since) is explained by the caller
    // on a fresh read (index.ts refuseAsPlanned)
    const w = await createPeer(client, d, plan, { ip: c.ip, as: c.as, description: c.description, routers }, false, note);
    memo.written = { ip: w.ip, peerings: w.peerings, as: c.as };
    return;
  }
  refuseClaimed(d, c.ip, plan.txn); // another removal's marks stay its own
  // what this txn has not marked yet (a second prepare is a no-op)
  const ipFound = ipObject(d, c.ip);
  const ip = ipFound && !(marked(ipFound, plan.txn) && ipFound.status.name === STATUS.ipRemoving) ? ipFound : null;
  const peerings = peeringsOf(d, c.ip).filter((p) => !(marked(p, plan.txn) && p.status?.name === STATUS.peeringRemoving));
  if (!ip && !peerings.length) return;
  const mark = (o: { _custom_field_data: Record<string, unknown> | null }) => ({ [CUSTOM_FIELD]: { ...recordOf(o), pending: 'remove', removeTxn: plan.txn } });
  await Promise.all([
    peerings.length ? client.patch(P.peering, peerings.map((p) => ({ id: p.id, status: STATUS.peeringRemoving, custom_fields: mark(p) }))) : null,
    ip ? client.patch(`${P.ip}${ip.id}/`, { status: STATUS.ipRemoving, custom_fields: mark(ip) }) : null,
  ]);
  const objs = [...peerings.map((p) => ({ type: CT.peering, id: p.id })), ...(ip ? [{ type: CT.ip, id: ip.id }] : [])];
  await noteAll(client, objs, changeMessage(plan.actor, plan.txn, 'prepare', `remove peer ${c.ip} (pending)`));
}

/** Make a prepared change current. Idempotent. */
export async function commit(client: NautobotClient, plan: Plan, memo: Memo = {}): Promise<void> {
  const c = plan.change;
  if (c.kind === 'add_peer' && memo.written) {
    const w = memo.written;
    memo.written = undefined;
    const done = (rec: NetopsRecord) => ({ [CUSTOM_FIELD]: { ...rec, pending: null } });
    await Promise.all([
      w.peerings.length ? client.patch(P.peering, w.peerings.map((p) => ({ id: p.id, status: STATUS.peeringActive, custom_fields: done(p.rec) }))) : null,
      w.ip ? client.patch(`${P.ip}${w.ip.id}/`, { status: STATUS.ipActive, custom_fields: done(w.ip.rec) }) : null,
      noteAll(client, [...w.peerings.map((p) => ({ type: CT.peering, id: p.id })), ...(w.ip ? [{ type: CT.ip, id: w.ip.id }] : [])],
        changeMessage(plan.actor, plan.txn, 'commit', `peer ${c.ip} AS${c.as} active`)),
    ]);
    return;
  }
  const d = await load(client, plan);
  const ip = ipObject(d, c.ip);
  const peerings = peeringsOf(d, c.ip);
  if (c.kind === 'add_peer') {
    const mine = peerings.filter((p) => recordOf(p).txn === plan.txn && p.status?.name !== STATUS.peeringActive);
    const ipMine = ip && recordOf(ip).txn === plan.txn && ip.status.name !== STATUS.ipActive ? ip : null;
    const done = (o: { _custom_field_data: Record<string, unknown> | null }) => ({ [CUSTOM_FIELD]: { ...recordOf(o), pending: null } });
    if (!mine.length && !ipMine) {
      const recorded = peerings.some((p) => recordOf(p).txn === plan.txn) || plan.before.peer !== null;
      if (!recorded) throw new SotError(`nothing prepared for txn ${plan.txn} (peer ${c.ip} at ${c.site})`, client.url);
      return; // committed already
    }
    await Promise.all([
      mine.length ? client.patch(P.peering, mine.map((p) => ({ id: p.id, status: STATUS.peeringActive, custom_fields: done(p) }))) : null,
      ipMine ? client.patch(`${P.ip}${ipMine.id}/`, { status: STATUS.ipActive, custom_fields: done(ipMine) }) : null,
      noteAll(client, [...mine.map((p) => ({ type: CT.peering, id: p.id })), ...(ipMine ? [{ type: CT.ip, id: ipMine.id }] : [])],
        changeMessage(plan.actor, plan.txn, 'commit', `peer ${c.ip} AS${c.as} active`)),
    ]);
    return;
  }
  // remove_peer: delete what this txn's prepare marked, nothing else (a peer added again since,
  // or marked by another removal, is not this commit's to delete)
  const doomed = peerings.filter((p) => marked(p, plan.txn));
  const ipDoomed = ip && marked(ip, plan.txn) ? ip : null;
  if (!doomed.length && !ipDoomed) return; // removed already
  // the Note first: an abort recreates plan.before only when it finds it (see commitRan)
  await noteAll(client, [{ type: CT.location, id: d.location.id }], changeMessage(plan.actor, plan.txn, 'commit', `removed peer ${c.ip} and released the address`));
  if (doomed.length) await client.delete(P.peering, doomed.map((p) => ({ id: p.id })));
  if (ipDoomed) await client.delete(`${P.ip}${ipDoomed.id}/`);
}

/** Remove every trace of a prepared change and restore `plan.before`. Idempotent. */
export async function abort(client: NautobotClient, plan: Plan): Promise<void> {
  const d = await load(client, plan);
  const c = plan.change;
  const ip = ipObject(d, c.ip);
  const peerings = peeringsOf(d, c.ip);
  if (c.kind === 'add_peer') {
    const mine = peerings.filter((p) => recordOf(p).txn === plan.txn);
    const ipMine = ip && recordOf(ip).txn === plan.txn && !plan.before.allocation ? ip : null;
    if (!mine.length && !ipMine) return; // aborted already (or never prepared)
    if (mine.length) await client.delete(P.peering, mine.map((p) => ({ id: p.id })));
    if (ipMine) await client.delete(`${P.ip}${ipMine.id}/`);
    const asId = mine.find((p) => recordOf(p).createdAs) ? d.ases.find((a) => a.asn === c.as)?.id : undefined;
    if (asId) await client.delete(`${P.as}${asId}/`).catch(() => undefined); // still used by another peer: keep it
    await noteAll(client, [{ type: CT.location, id: d.location.id }], changeMessage(plan.actor, plan.txn, 'abort', `rolled back add peer ${c.ip} AS${c.as}`));
    return;
  }
  // remove_peer: put back what this txn marked (only that: another removal's marks are its own)
  const restore = (o: { _custom_field_data: Record<string, unknown> | null }) => {
    const { removeTxn: _t, ...r } = recordOf(o) as NetopsRecord & { removeTxn?: string };
    return { [CUSTOM_FIELD]: { ...r, pending: null } };
  };
  const mine = peerings.filter((p) => marked(p, plan.txn));
  const ipMarked = ip && marked(ip, plan.txn) ? ip : null;
  await Promise.all([
    mine.length ? client.patch(P.peering, mine.map((p) => ({ id: p.id, status: STATUS.peeringActive, custom_fields: restore(p) }))) : null,
    ipMarked ? client.patch(`${P.ip}${ipMarked.id}/`, { status: STATUS.ipActive, custom_fields: restore(ipMarked) }) : null,
  ]);
  const before = plan.before.peer;
  const on = new Set(peerings.flatMap((p) => p.endpoints.filter((e) => e.routing_instance).map((e) => e.routing_instance!.device.name)));
  const missing = before ? before.routers.filter((r) => !on.has(r)) : [];
  let written: Array<{ type: string; id: string }> = [];
  if (before && (missing.length || !ip) && (await commitRan(client, d, plan.txn))) {
    written = (await createPeer(client, await load(client, plan), plan, { ip: before.ip, as: before.as, description: before.description, routers: missing }, true, null)).objects;
  }
  if (mine.length || ipMarked || written.length) {
    await noteAll(client, [{ type: CT.location, id: d.location.id }], changeMessage(plan.actor, plan.txn, 'abort', `restored peer ${c.ip}`));
  }
}
