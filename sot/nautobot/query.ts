/**
 * The one read of a site: a single GraphQL query (POST /api/graphql/) returns the Location,
 * its edge-router Devices with interfaces, addresses and BGP routing instances, its peering
 * Prefixes with their IP Addresses, and the BGP Peerings of its routers. One round trip keeps
 * plan/prepare/commit within the latency budget; every write goes through REST. With netops'
 * Nautobot App (app.ts) the same read is one GET of the App, in the same shape.
 */
import type { NautobotClient } from './client.js';
import { SotError } from '../types.js';
import { appSite, type AppProbe } from './app.js';

/** Role names netops relies on (created by scripts/nautobot/bootstrap.py). */
export const ROLES = { router: 'edge-router', peering: 'peering' } as const;
/** The JSON custom field netops keeps on the IP Addresses and Peerings it writes. */
export const CUSTOM_FIELD = 'netops';

export interface GqlRef { id: string }
export interface GqlIp {
  id: string;
  host: string;
  address: string;
  description: string;
  status: { name: string };
  _custom_field_data: Record<string, unknown> | null;
  interfaces: Array<{ name: string; device: { name: string } | null }>;
}
export interface GqlPrefix { id: string; prefix: string; description: string; namespace: GqlRef; ip_addresses: GqlIp[] }
export interface GqlDevice {
  id: string;
  name: string;
  platform: { name: string; network_driver: string; napalm_driver: string } | null;
  primary_ip4: { host: string } | null;
  interfaces: Array<{ name: string; mgmt_only: boolean; ip_addresses: Array<{ id: string; host: string }> }>;
  bgp_routing_instances: Array<{
    id: string;
    autonomous_system: { asn: number };
    router_id: { host: string } | null;
    endpoints: Array<{ peering: GqlPeering }>;
  }>;
}
export interface GqlEndpoint {
  id: string;
  description: string;
  routing_instance: { id: string; device: { name: string } } | null;
  autonomous_system: { id: string; asn: number } | null;
  source_ip: { id: string; host: string } | null;
}
export interface GqlPeering { id: string; status: { name: string } | null; _custom_field_data: Record<string, unknown> | null; endpoints: GqlEndpoint[] }

/** Everything one site holds in Nautobot, raw. */
export interface SiteData {
  location: { id: string; name: string; description: string };
  devices: GqlDevice[];
  prefixes: GqlPrefix[];
  peerings: GqlPeering[];
  /** The ASes asked for by number (to reuse an existing AS record). */
  ases: Array<{ id: string; asn: number }>;
  /** The AS numbers the read asked for: an AS not among them may exist without being in `ases`. */
  asnsAsked: number[];
}

const SITE_QUERY = `query($site: [String], $asns: [BigInt]) {
  locations(name: $site) { id name description }
  devices(location: $site, role: "${ROLES.router}") {
    id name
    platform { name network_driver napalm_driver }
    primary_ip4 { host }
    interfaces { name mgmt_only ip_addresses { id host } }
    bgp_routing_instances {
      id autonomous_system { asn } router_id { host }
      endpoints { peering {
        id status { name } _custom_field_data
        endpoints { id description routing_instance { id device { name } } autonomous_system { id asn } source_ip { id host } }
      } }
    }
  }
  prefixes(location: $site, role: "${ROLES.peering}") {
    id prefix description namespace { id }
    ip_addresses { id host address description status { name } _custom_field_data interfaces { name device { name } } }
  }
  autonomous_systems(asn: $asns) { id asn }
}`;

/** Run a GraphQL query; GraphQL errors become a SotError. */
export async function graphql<T>(client: NautobotClient, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await client.post<{ data?: T; errors?: Array<{ message: string }> }>('graphql/', { query, variables });
  if (res.errors?.length || !res.data) throw new SotError(`GraphQL: ${(res.errors ?? []).map((e) => e.message).join('; ') || 'no data'}`, `${client.url}/api/graphql/`);
  return res.data;
}

/** The raw answer of the site read (GraphQL's data, or the App's body: the same shape). */
interface RawSite {
  locations: SiteData['location'][];
  devices: GqlDevice[];
  prefixes: GqlPrefix[];
  autonomous_systems: SiteData['ases'];
}

/** Read one site (null when no Location has that name): through the App when `probe` says the server has it. */
export async function readSite(client: NautobotClient, site: string, asns: number[] = [], probe?: AppProbe): Promise<SiteData | null> {
  if (probe && probe.state !== false) {
    const r = await appSite(client, probe, site, asns);
    if (r === null) return null;
    if (r !== undefined) return siteData(r as RawSite, site, asns);
  }
  let d;
  try {
    d = await graphql<RawSite>(client, SITE_QUERY, { site: [site], asns: asns.length ? asns : [0] });
  } catch (e) {
    // the location filters reject a name that is no Location: that is an unknown site
    if (e instanceof SotError && /location.*not one of the available choices/i.test(e.message)) return null;
    throw e;
  }
  return siteData(d, site, asns);
}

function siteData(d: RawSite, site: string, asns: number[]): SiteData | null {
  const location = d.locations.find((l) => l.name === site);
  if (!location) return null;
  const peerings = new Map<string, GqlPeering>();
  for (const dev of d.devices) for (const ri of dev.bgp_routing_instances) for (const ep of ri.endpoints) peerings.set(ep.peering.id, ep.peering);
  return { location, devices: d.devices, prefixes: d.prefixes, peerings: [...peerings.values()], ases: d.autonomous_systems, asnsAsked: asns };
}

/** Names (and ids) of every Location that has at least one edge router or peering prefix. */
export async function readSites(client: NautobotClient, probe?: AppProbe): Promise<Array<{ id: string; name: string; description: string }>> {
  if (probe && (await probe.present())) {
    const r = await client.get<{ sites: Array<{ id: string; name: string; description: string }> }>(`${probe.path}sites/`);
    return r.sites.map(({ id, name, description }) => ({ id, name, description })).sort((a, b) => a.name.localeCompare(b.name));
  }
  const d = await graphql<{ locations: Array<{ id: string; name: string; description: string; location_type: { name: string } }> }>(
    client,
    `query { locations(location_type: "Site") { id name description location_type { name } } }`,
    {},
  );
  return d.locations.map(({ id, name, description }) => ({ id, name, description })).sort((a, b) => a.name.localeCompare(b.name));
}
