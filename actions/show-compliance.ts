import { defineTask } from '../runtime/define.js';

/** Parameters of `show compliance`. */
export interface Params {
  /**
   * Site whose edge routers are checked.
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
}

interface Peer { ip: string; as: number }

export default defineTask<Params>({
  description: "Check through NAPALM's validate that a site's routers run exactly the expected BGP peers with the right AS",
  risk: 'read',
  playbook: 'show_compliance.yml',
  timeout: 90,
  // What each router should run: the site's active peers in the source of truth.
  vars: (_p, ctx) => ({ expected_peers: ctx.site.peers.filter((x) => x.status === 'active').map((x) => ({ ip: x.ip, as: x.as })) }),
  summarize: (_p, o) => {
    const d = o.data as { complies?: boolean; expected?: Peer[]; missing?: Peer[]; wrong_as?: (Peer & { actual: number })[]; unexpected?: Peer[] };
    if (d.complies) return `${o.host}: compliant (${(d.expected ?? []).length} expected peer(s) present with the right AS)`;
    const parts = [
      ...(d.missing ?? []).map((x) => `missing ${x.ip} AS${x.as}`),
      ...(d.wrong_as ?? []).map((x) => `${x.ip} has AS${x.actual}, expected AS${x.as}`),
      ...(d.unexpected ?? []).map((x) => `unexpected peer ${x.ip}`),
    ];
    return `${o.host}: NOT compliant: ${parts.join('; ') || 'see the report'}`;
  },
});
