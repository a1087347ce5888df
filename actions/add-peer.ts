import { defineTask, type Integer, type Secret } from '../runtime/define.js';

/** Parameters of `add peer`. */
export interface Params {
  /**
   * Site whose edge routers get the peer (an inventory group under `sites`).
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
  /**
   * Address of the BGP neighbor (unicast: not 0.0.0.0, 127.x, multicast or broadcast).
   * @format ipv4-unicast
   * @example 10.0.0.1
   */
  ip: string;
  /**
   * Autonomous system number of the neighbor.
   * @minimum 1
   * @maximum 4294967295
   * @example 65100
   */
  as: Integer;
  /**
   * Free text stored as the neighbor's description (one line of printable ASCII, without ? # > or CLI error text).
   * @format cli-text
   * @maxLength 80
   * @example transit-a
   */
  description?: string;
  /**
   * TCP MD5 password of the session (printable ASCII without spaces or ? # >).
   * @format cli-secret
   * @maxLength 80
   */
  password?: Secret;
}

export default defineTask<Params>({
  description: "Add a BGP peer to a site's edge routers and wait for the session",
  risk: 'change',
  playbook: 'add_peer.yml',
  timeout: 180,
  precheck: (p, ctx) => {
    for (const h of ctx.hosts) {
      const peers = (ctx.state(h.name).bgp_peers ?? {}) as Record<string, { as: number }>;
      const known = peers[p.ip];
      if (known && known.as !== p.as)
        return `${h.name} already has peer ${p.ip} with AS ${known.as}; remove it first: remove peer in=${p.in} ip=${p.ip}`;
    }
    return null;
  },
  record: (p, state, outcome) => ({
    ...state,
    bgp_peers: {
      ...((state.bgp_peers ?? {}) as Record<string, unknown>),
      [p.ip]: { as: p.as, ...(p.description ? { description: p.description } : {}), state: outcome.data.state ?? null },
    },
  }),
  summarize: (p, o) => {
    const what = o.status !== 'changed' ? 'already present' : o.dryRun ? 'would be added' : 'added';
    return `${o.host}: peer ${p.ip} AS${p.as} ${what}, session ${String(o.data.state ?? 'unknown')}`;
  },
});
