import { defineTask } from '../runtime/define.js';

/** Parameters of `remove peer`. */
export interface Params {
  /**
   * Site whose edge routers lose the peer.
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
  /**
   * Address of the BGP neighbor to remove (unicast).
   * @format ipv4-unicast
   * @example 10.0.0.1
   */
  ip: string;
}

export default defineTask<Params>({
  description: "Remove a BGP peer from a site's edge routers",
  risk: 'change',
  playbook: 'remove_peer.yml',
  timeout: 120,
  record: (p, state) => {
    const peers = { ...((state.bgp_peers ?? {}) as Record<string, unknown>) };
    delete peers[p.ip];
    return { ...state, bgp_peers: peers };
  },
  summarize: (p, o) => `${o.host}: peer ${p.ip} ${o.status !== 'changed' ? 'was not configured' : o.dryRun ? 'would be removed' : 'removed'}`,
});
