/**
 * Nautobot objects → the source-of-truth types. Pure functions over SiteData (query.ts):
 * Location → Site, edge-router Device → Router, peering Prefix → PrefixUsage, IP Address
 * → Allocation, BGP Peering (router endpoint + external endpoint) → Peer.
 */
import { PLATFORMS, type Allocation, type Peer, type Platform, type PrefixUsage, type RecordStatus, type Router, type SiteView, type Via } from '../types.js';
import { CUSTOM_FIELD, type GqlIp, type GqlPeering, type SiteData } from './query.js';

/** What netops keeps in the `netops` JSON custom field of each IP Address and Peering it writes. */
export interface NetopsRecord {
  owner?: string;
  site?: string;
  ip?: string;
  as?: number;
  by?: string;
  at?: string;
  via?: Via;
  channel?: string | null;
  txn?: string | null;
  /** A prepared, uncommitted change ('add': created pending; 'remove': marked for removal). */
  pending?: 'add' | 'remove' | null;
  /** The AS record was created by this txn (abort removes it when unused). */
  createdAs?: boolean;
}

/** Nautobot statuses netops writes. */
export const STATUS = {
  ipPending: 'Reserved',
  ipActive: 'Active',
  ipRemoving: 'Deprecated',
  peeringPending: 'Planned',
  peeringActive: 'Active',
  peeringRemoving: 'Deprovisioning',
} as const;

/** The netops record of an object (empty when netops did not write it). */
export function recordOf(obj: { _custom_field_data: Record<string, unknown> | null }): NetopsRecord {
  const r = obj._custom_field_data?.[CUSTOM_FIELD];
  return r && typeof r === 'object' ? (r as NetopsRecord) : {};
}

/** Addresses per IPv4 prefix that can be handed out (no network/broadcast below /31). */
export function prefixSize(prefix: string): number {
  const len = Number(prefix.split('/')[1]);
  const total = 2 ** (32 - len);
  return len >= 31 ? total : total - 2;
}

/** IPv4 dotted quad → integer (NaN when not an IPv4 address). */
export function ipToInt(ip: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return NaN;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return NaN;
  return ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];
}

/** Whether `ip` lies in `prefix` (a.b.c.d/len). */
export function inPrefix(ip: string, prefix: string): boolean {
  const [net, len] = prefix.split('/');
  const bits = Number(len);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === ((ipToInt(net) & mask) >>> 0);
}

function platformOf(name: string | undefined): Platform {
  return (PLATFORMS as readonly string[]).includes(name ?? '') ? (name as Platform) : 'frr';
}

/** Edge-router Devices → Routers (sorted by name). */
export function routersOf(d: SiteData): Router[] {
  return d.devices
    .map((dev): Router => {
      const ri = dev.bgp_routing_instances[0];
      const mgmt = dev.interfaces.find((i) => i.mgmt_only);
      return {
        name: dev.name,
        site: d.location.name,
        platform: platformOf(dev.platform?.network_driver || dev.platform?.name),
        address: dev.primary_ip4?.host ?? mgmt?.ip_addresses[0]?.host ?? '',
        localAs: ri?.autonomous_system.asn ?? 0,
        routerId: ri?.router_id?.host ?? null,
        napalmDriver: dev.platform?.napalm_driver || null,
        mgmtInterface: mgmt?.name ?? null,
        interfaces: dev.interfaces.map((i) => i.name),
        ownAddresses: [...new Set(dev.interfaces.flatMap((i) => i.ip_addresses.map((a) => a.host)))].sort(),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function ipStatus(ip: GqlIp): RecordStatus {
  return ip.status.name === STATUS.ipActive ? 'active' : 'pending';
}

/** Who holds an address: netops' record, else the interface it sits on, else its description. */
export function ownerOf(ip: GqlIp): string {
  const r = recordOf(ip);
  if (r.owner) return r.owner;
  const intf = ip.interfaces[0];
  if (intf) return `${intf.device?.name ?? '?'} ${intf.name}`;
  return ip.description ? `IP Address "${ip.description}"` : `IP Address ${ip.address} (status ${ip.status.name})`;
}

/** Every IP Address in the site's peering prefixes → Allocations (sorted by address). */
export function allocationsOf(d: SiteData): Allocation[] {
  const out: Allocation[] = [];
  for (const p of d.prefixes) {
    for (const ip of p.ip_addresses) {
      const r = recordOf(ip);
      out.push({
        address: ip.host,
        prefix: p.prefix,
        site: d.location.name,
        owner: ownerOf(ip),
        description: ip.description || null,
        status: ipStatus(ip),
        by: r.by ?? 'nautobot',
        at: r.at ?? '',
        via: r.via ?? 'terminal',
        txn: r.txn ?? null,
      });
    }
  }
  return out.sort((a, b) => ipToInt(a.address) - ipToInt(b.address));
}

/** The external endpoint of a Peering (the one without a routing instance). */
export function externalEndpoint(p: GqlPeering) {
  return p.endpoints.find((e) => !e.routing_instance) ?? null;
}

/** Peerings → Peers: one Peer per external address, its routers the devices of the router endpoints. */
export function peersOf(d: SiteData): Peer[] {
  const byIp = new Map<string, Peer>();
  for (const p of d.peerings) {
    const ext = externalEndpoint(p);
    if (!ext?.source_ip) continue;
    const r = recordOf(p);
    const routers = p.endpoints.filter((e) => e.routing_instance).map((e) => e.routing_instance!.device.name);
    const status: RecordStatus = p.status?.name === STATUS.peeringActive ? 'active' : 'pending';
    const cur = byIp.get(ext.source_ip.host);
    if (cur) {
      cur.routers = [...new Set([...cur.routers, ...routers])].sort();
      if (status === 'pending') cur.status = 'pending';
      continue;
    }
    byIp.set(ext.source_ip.host, {
      ip: ext.source_ip.host,
      as: ext.autonomous_system?.asn ?? 0,
      site: d.location.name,
      routers: [...new Set(routers)].sort(),
      description: ext.description || null,
      status,
      by: r.by ?? 'nautobot',
      at: r.at ?? '',
      via: r.via ?? 'terminal',
      channel: r.channel ?? null,
      txn: r.txn ?? null,
    });
  }
  return [...byIp.values()].sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip));
}

/** Peering prefixes with used/free counts. */
export function prefixesOf(d: SiteData, allocations: Allocation[]): PrefixUsage[] {
  return d.prefixes
    .map((p) => {
      const size = prefixSize(p.prefix);
      const used = allocations.filter((a) => a.prefix === p.prefix).length;
      return { prefix: p.prefix, site: d.location.name, description: p.description || null, size, used, free: Math.max(0, size - used) };
    })
    .sort((a, b) => ipToInt(a.prefix.split('/')[0]) - ipToInt(b.prefix.split('/')[0]));
}

/** The whole SiteView of one site. */
export function siteViewOf(d: SiteData): SiteView {
  const allocations = allocationsOf(d);
  return {
    site: { name: d.location.name, description: d.location.description || null },
    routers: routersOf(d),
    prefixes: prefixesOf(d, allocations),
    allocations,
    peers: peersOf(d),
  };
}
