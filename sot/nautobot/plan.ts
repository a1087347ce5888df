/**
 * Checking a change against one site's records (pure): the IP must lie in a peering prefix
 * of the site and must not be held by anything else, the AS must be valid, a peer that exists
 * with another AS is refused. Every refusal says what to type instead.
 */
import { randomUUID } from 'node:crypto';
import { Refusal, type Actor, type Change, type Plan, type SiteView } from '../types.js';
import { inPrefix, ipToInt } from './mapping.js';

const MAX_AS = 4_294_967_295;

/** Refusal for a site that does not exist, listing the known ones. */
export function unknownSite(site: string, known: string[]): Refusal {
  const list = known.length ? known.join(', ') : '(none)';
  return new Refusal(`unknown site "${site}" (known sites: ${list})`, known.length ? `type in=${known[0]} or another known site` : null);
}

/** The routers a change applies to: the ones asked for, or every edge router of the site. */
function resolveRouters(view: SiteView, asked: string[]): string[] {
  const names = view.routers.map((r) => r.name);
  if (!asked.length) {
    if (!names.length) throw new Refusal(`site ${view.site.name} has no edge routers in Nautobot`, 'add a Device with role edge-router at the Location first');
    return names;
  }
  const unknown = asked.filter((r) => !names.includes(r));
  if (unknown.length) throw new Refusal(`unknown router ${unknown.join(', ')} at site ${view.site.name} (edge routers: ${names.join(', ') || 'none'})`, `type one of: ${names.join(', ')}`);
  return [...new Set(asked)].sort();
}

/** The peering prefix of the site that holds `ip`, or a Refusal naming them all. */
function prefixFor(view: SiteView, ip: string): string {
  if (Number.isNaN(ipToInt(ip))) throw new Refusal(`"${ip}" is not an IPv4 address`, 'type a peer address such as ip=10.0.0.1');
  const p = view.prefixes.find((x) => inPrefix(ip, x.prefix));
  const list = view.prefixes.map((x) => x.prefix).join(', ') || 'none';
  if (!p) throw new Refusal(`${ip} is outside every peering prefix of site ${view.site.name} (${list})`, `type an address inside ${list}`);
  const [net, len] = p.prefix.split('/');
  const size = 2 ** (32 - Number(len));
  const off = ipToInt(ip) - ipToInt(net);
  if (size > 2 && (off === 0 || off === size - 1)) {
    throw new Refusal(`${ip} is the ${off === 0 ? 'network' : 'broadcast'} address of ${p.prefix}`, `type a host address of ${p.prefix}`);
  }
  return p.prefix;
}

/** Check a change against the site's view; returns the Plan or throws Refusal. Writes nothing. */
export function planChange(view: SiteView, change: Change, actor: Actor, txn: string = randomUUID()): Plan {
  const site = view.site.name;
  const routers = resolveRouters(view, change.routers);
  const prefix = prefixFor(view, change.ip);
  const peer = view.peers.find((p) => p.ip === change.ip) ?? null;
  const allocation = view.allocations.find((a) => a.address === change.ip) ?? null;
  const base = { txn, actor, before: { peer, allocation }, prefix };

  if (change.kind === 'remove_peer') {
    if (!peer) {
      const have = view.peers.map((p) => `${p.ip} (AS${p.as})`).join(', ') || 'none';
      throw new Refusal(`no peer ${change.ip} at site ${site} (peers: ${have})`, view.peers.length ? `type ip=${view.peers[0].ip} or another recorded peer` : null);
    }
    const c: Change = { ...change, routers: peer.routers };
    return {
      ...base,
      change: c,
      steps: [
        `remove peer ${peer.ip} AS${peer.as} from ${peer.routers.join(', ')} (Nautobot BGP Peering, site ${site})`,
        `release ${peer.ip} in IPAM (prefix ${prefix}, site ${site})`,
      ],
    };
  }

  if (!Number.isInteger(change.as) || change.as < 1 || change.as > MAX_AS) {
    throw new Refusal(`AS ${change.as} is not a valid AS number`, `type as=<1..${MAX_AS}>, e.g. as=65100`);
  }
  const own = view.routers.find((r) => r.ownAddresses.includes(change.ip));
  if (own) throw new Refusal(`${change.ip} is allocated to ${allocation?.owner ?? `router ${own.name}`} (an address of router ${own.name})`, `type a free address in ${prefix}`);
  if (peer && peer.as !== change.as) {
    throw new Refusal(`peer ${change.ip} exists at site ${site} with AS${peer.as}, not AS${change.as}`, `type as=${peer.as}, or remove the peer first (remove peer ${change.ip} in=${site})`);
  }
  if (peer && peer.status === 'pending') {
    throw new Refusal(`peer ${change.ip} at site ${site} has a change in progress (txn ${peer.txn ?? '?'})`, `wait for it to finish, or run netops recover`);
  }
  if (!peer && allocation) {
    throw new Refusal(`${change.ip} is allocated to ${allocation.owner} (prefix ${prefix})`, `type a free address in ${prefix}`);
  }
  const missing = peer ? routers.filter((r) => !peer.routers.includes(r)) : routers;
  const steps = peer
    ? missing.length
      ? [`add peer ${change.ip} AS${change.as} to ${missing.join(', ')} (Nautobot BGP Peering, site ${site})`]
      : [`peer ${change.ip} AS${change.as} already recorded at site ${site} (no change)`]
    : [
        `record ${change.ip} in IPAM (prefix ${prefix}, site ${site})`,
        `record peer ${change.ip} AS${change.as} on ${routers.join(', ')} (Nautobot BGP Peering, site ${site})`,
      ];
  return { ...base, change: { ...change, routers }, steps };
}
