/**
 * Checking a change against what the source of truth holds for a site (IPAM and recorded
 * peers) and saying what would be written. Pure: both backends plan with it.
 */
import { randomUUID } from 'node:crypto';
import { contains, ipv4ToInt, isNetworkOrBroadcast, parsePrefix } from './ipam.js';
import { Refusal, type Actor, type Change, type Plan, type SiteView } from './types.js';

/** The owner text of a peer's address allocation. */
export const peerOwner = (as: number) => `bgp-peer AS${as}`;

/** A new transaction id: sortable by time, unique. */
export function newTxn(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
}

/** Plan a change at a site; throws Refusal (with what to type instead) when it cannot be done. */
export function planChange(view: SiteView, change: Change, actor: Actor, txn = newTxn()): Plan {
  const site = view.site.name;
  const peer = view.peers.find((p) => p.ip === change.ip) ?? null;
  const allocation = view.allocations.find((a) => a.address === change.ip) ?? null;
  const routers = change.routers.join(', ');
  const base = { txn, change, actor, before: { peer, allocation } };
  if (peer?.status === 'pending' || allocation?.status === 'pending')
    throw new Refusal(`${change.ip} at ${site} is in the middle of another change (transaction ${peer?.txn ?? allocation?.txn})`, `wait for it, or run: netops recover in=${site}`);

  if (change.kind === 'remove_peer') {
    if (!peer) return { ...base, before: { peer: null, allocation: null }, prefix: null, steps: [`${change.ip} is not recorded as a peer at ${site}: nothing to remove from the source of truth`] };
    // Only the peer's own allocation is released; an address held by something else stays.
    const own = allocation && allocation.owner === peerOwner(peer.as) ? allocation : null;
    const steps = [`remove BGP peer ${peer.ip} AS${peer.as} from ${routers} (source of truth)`];
    if (own) steps.push(`release ${own.address} in IPAM (prefix ${own.prefix}, site ${site})`);
    return { ...base, before: { peer, allocation: own }, prefix: own?.prefix ?? null, steps };
  }

  const addr = ipv4ToInt(change.ip);
  if (addr === null) throw new Refusal(`ip: '${change.ip}' is not an IPv4 address`, 'type it as a.b.c.d, e.g. ip=10.0.0.1');
  const prefixes = view.prefixes.map((p) => ({ p, pp: parsePrefix(p.prefix)! }));
  const hit = prefixes.find(({ pp }) => contains(pp, addr));
  const list = view.prefixes.map((p) => p.prefix).join(', ') || '(none)';
  if (!hit) throw new Refusal(`ip: ${change.ip} is not in a peering prefix of ${site} (${list})`, `use an address from one of them, or add the prefix to the site first`);
  if (isNetworkOrBroadcast(hit.pp, addr)) throw new Refusal(`ip: ${change.ip} is the network or broadcast address of ${hit.p.prefix}`, 'use a host address of the prefix');
  const own = view.routers.find((r) => r.ownAddresses.includes(change.ip) || r.address === change.ip);
  if (own) throw new Refusal(`ip: ${change.ip} is an address of ${own.name} itself, not of a neighbor`, `use the neighbor's address on the link (the other end of ${hit.p.prefix})`);
  if (peer && peer.as !== change.as) throw new Refusal(`${site} already has peer ${change.ip} with AS ${peer.as}`, `remove it first: remove peer in=${site} ip=${change.ip}`);
  if (allocation && allocation.owner !== peerOwner(change.as))
    throw new Refusal(`ip: ${change.ip} is already allocated in IPAM to ${allocation.owner}${allocation.description ? ` (${allocation.description})` : ''} by ${allocation.by} at ${allocation.at}`, 'pick a free address of the prefix');
  const steps: string[] = [];
  if (!allocation) steps.push(`record ${change.ip} in IPAM (prefix ${hit.p.prefix}, site ${site})`);
  if (!peer) steps.push(`record BGP peer ${change.ip} AS${change.as} on ${routers}${change.description ? ` ("${change.description}")` : ''}`);
  else if ((peer.description ?? null) !== change.description && change.description !== null) steps.push(`update the description of peer ${change.ip} to "${change.description}"`);
  if (!steps.length) steps.push(`${change.ip} AS${change.as} is already recorded at ${site}`);
  return { ...base, prefix: hit.p.prefix, steps };
}

/** Whether a plan writes anything to the source of truth. */
export function planWrites(plan: Plan): boolean {
  const { change, before } = plan;
  if (change.kind === 'remove_peer') return before.peer !== null || before.allocation !== null;
  return before.peer === null || before.allocation === null || (change.description !== null && before.peer.description !== change.description);
}

/** The actor's words as a change-log message: who, where, what. */
export function changeMessage(plan: Plan): string {
  const a = plan.actor;
  return `netops ${plan.change.kind} by ${a.user} via ${a.via}${a.channel ? ` in #${a.channel}` : ''}: ${a.command} (txn ${plan.txn})`;
}
