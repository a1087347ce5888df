/**
 * One site file (sites/<site>.yml) in the store: its on-disk shape (snake_case, reviewed in
 * git), the checks beyond the schema (names, prefixes, allocations inside prefixes, unique
 * peers), and the conversion to the interface's records.
 */
import type { Allocation, Peer, PeeringPrefix, Platform, Router, Site, SiteView } from '../types.js';
import { SotError } from '../types.js';
import { contains, ipv4ToInt, parsePrefix, usableSize } from '../ipam.js';
import { locate, type DataStep, type YamlFile } from './yaml-file.js';

/** A router as written in a site file. */
export interface RouterRow {
  name: string; platform: Platform; address: string; local_as: number; router_id?: string | null; napalm_driver?: string | null;
  mgmt_interface?: string | null; interfaces?: string[] | null; own_addresses?: string[]; vars?: Record<string, unknown>;
}
/** An allocation as written. */
export interface AllocationRow { address: string; prefix: string; owner: string; description?: string | null; status: 'pending' | 'active'; by: string; at: string; via: 'chat' | 'terminal'; txn?: string | null }
/** A peer as written. */
export interface PeerRow { ip: string; as: number; routers: string[]; description?: string | null; status: 'pending' | 'active'; by: string; at: string; via: 'chat' | 'terminal'; channel?: string | null; txn?: string | null }
/** A whole site file. */
export interface SiteRow {
  site: string; description?: string | null; routers: RouterRow[];
  prefixes?: { prefix: string; description?: string | null }[]; allocations?: AllocationRow[]; peers?: PeerRow[];
}

/** Checks the schema cannot express; throws SotError at the offending line. */
export function checkSite(d: SiteRow, expectedName: string, file: () => YamlFile<SiteRow>): void {
  const fail = (segs: (string | number)[], msg: string) => { throw new SotError(msg, locate(file(), segs)); };
  if (d.site !== expectedName) fail(['site'], `site '${d.site}' does not match the file name (${expectedName}.yml)`);
  const routers = new Set<string>();
  d.routers.forEach((r, i) => {
    if (routers.has(r.name)) fail(['routers', i, 'name'], `router ${r.name} is listed twice`);
    routers.add(r.name);
  });
  const prefixes = (d.prefixes ?? []).map((p, i) => {
    const pp = parsePrefix(p.prefix);
    if (!pp) fail(['prefixes', i, 'prefix'], `'${p.prefix}' is not an IPv4 prefix (network address/length, host bits zero)`);
    return pp!;
  });
  const allocated = new Set<string>();
  (d.allocations ?? []).forEach((a, i) => {
    const n = ipv4ToInt(a.address)!;
    const pp = prefixes.find((p) => p.text === a.prefix);
    if (!pp) fail(['allocations', i, 'prefix'], `allocation ${a.address}: prefix ${a.prefix} is not one of this site's prefixes`);
    if (!contains(pp!, n)) fail(['allocations', i, 'address'], `allocation ${a.address} is not inside ${a.prefix}`);
    if (allocated.has(a.address)) fail(['allocations', i, 'address'], `${a.address} is allocated twice`);
    allocated.add(a.address);
  });
  const peers = new Set<string>();
  (d.peers ?? []).forEach((p, i) => {
    if (peers.has(p.ip)) fail(['peers', i, 'ip'], `peer ${p.ip} is listed twice`);
    peers.add(p.ip);
    p.routers.forEach((r, j) => { if (!routers.has(r)) fail(['peers', i, 'routers', j], `peer ${p.ip}: router ${r} is not a router of this site`); });
  });
}

const nul = <T>(v: T | undefined | null): T | null => (v === undefined ? null : v);

/** Interface records of a site file. */
export function siteOf(d: SiteRow): Site { return { name: d.site, description: nul(d.description) }; }
export function routersOf(d: SiteRow): Router[] {
  return d.routers.map((r) => ({
    name: r.name, site: d.site, platform: r.platform, address: r.address, localAs: r.local_as, routerId: nul(r.router_id),
    napalmDriver: nul(r.napalm_driver), mgmtInterface: nul(r.mgmt_interface), interfaces: nul(r.interfaces), ownAddresses: r.own_addresses ?? [],
    ...(r.vars ? { vars: r.vars } : {}),
  }));
}
export function prefixesOf(d: SiteRow): PeeringPrefix[] { return (d.prefixes ?? []).map((p) => ({ prefix: p.prefix, site: d.site, description: nul(p.description) })); }
export function allocationOf(site: string, a: AllocationRow): Allocation {
  return { address: a.address, prefix: a.prefix, site, owner: a.owner, description: nul(a.description), status: a.status, by: a.by, at: a.at, via: a.via, txn: nul(a.txn) };
}
export function peerOf(site: string, p: PeerRow): Peer {
  return { ip: p.ip, as: p.as, site, routers: p.routers, description: nul(p.description), status: p.status, by: p.by, at: p.at, via: p.via, channel: nul(p.channel), txn: nul(p.txn) };
}
/** The on-disk row of an allocation (fixed key order: deterministic files). */
export function allocationRow(a: Allocation): AllocationRow {
  return { address: a.address, prefix: a.prefix, owner: a.owner, description: a.description, status: a.status, by: a.by, at: a.at, via: a.via, txn: a.txn };
}
export function peerRow(p: Peer): PeerRow {
  return { ip: p.ip, as: p.as, routers: p.routers, description: p.description, status: p.status, by: p.by, at: p.at, via: p.via, channel: p.channel, txn: p.txn };
}

/** A site file as the interface's SiteView, with prefix usage. */
export function viewOf(d: SiteRow): SiteView {
  const allocations = (d.allocations ?? []).map((a) => allocationOf(d.site, a));
  const prefixes = prefixesOf(d).map((p) => {
    const pp = parsePrefix(p.prefix)!;
    const used = allocations.filter((a) => contains(pp, ipv4ToInt(a.address)!)).length;
    const size = usableSize(pp);
    return { ...p, size, used, free: Math.max(0, size - used) };
  });
  return { site: siteOf(d), routers: routersOf(d), prefixes, allocations, peers: (d.peers ?? []).map((p) => peerOf(d.site, p)) };
}

/**
 * What a read of a site file keeps (yaml-file.ts DataStep): checkSite, then the view. Both run
 * once per content and the view is cached; the key holds the expected name and the code of
 * both, so a copy under another name, or a netops whose checks or view differ, misses.
 */
export function siteRead(expectedName: string): DataStep<SiteRow, SiteView> {
  stepCode ??= [checkSite, viewOf, parsePrefix, ipv4ToInt, contains, usableSize, siteOf, routersOf, prefixesOf, allocationOf, peerOf, nul].map(String).join('\n');
  return { key: `site ${expectedName}\n${stepCode}`, run: (d, file) => { checkSite(d, expectedName, file); return viewOf(d); } };
}
let stepCode: string | undefined;
