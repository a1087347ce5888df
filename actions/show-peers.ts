import { defineTask } from '../runtime/define.js';

/** Parameters of `show peers`. */
export interface Params {
  /**
   * Site whose edge routers are asked.
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
}

interface Peer { peer: string; remote_as: number; state: string; uptime: string; prefixes_received: number | null }

export default defineTask<Params>({
  description: "Show the BGP peers of a site's edge routers: state, uptime, prefixes received",
  risk: 'read',
  playbook: 'show_peers.yml',
  timeout: 60,
  summarize: (_p, o) => {
    const peers = (o.data.peers ?? []) as Peer[];
    if (peers.length === 0) return `${o.host}: no BGP peers`;
    return [`${o.host}: ${peers.length} BGP peer(s)`,
      ...peers.map((x) => `  ${x.peer} AS${x.remote_as} ${x.state} up ${x.uptime || '-'} pfx ${x.prefixes_received ?? '-'}`)].join('\n');
  },
});
