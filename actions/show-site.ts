import { defineTask } from '../runtime/define.js';

/** Parameters of `show site`. */
export interface Params {
  /**
   * Site to show (a site of the source of truth).
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
}

export default defineTask<Params>({
  description: 'Show what the source of truth holds for a site: routers, peering prefixes with used/free addresses, BGP peers and who added them',
  risk: 'read',
  playbook: null,
  timeout: 30,
  read: async (_p, ctx) => {
    const v = ctx.site;
    const lines = [
      `site ${v.site.name}${v.site.description ? ` (${v.site.description})` : ''}: ${v.routers.length} router(s), ${v.prefixes.length} peering prefix(es), ${v.peers.length} peer(s)`,
      ...v.routers.map((r) => `  router ${r.name} ${r.platform} AS${r.localAs} mgmt ${r.address}${r.napalmDriver ? ` napalm:${r.napalmDriver}` : ''}`),
      ...v.prefixes.map((p) => `  prefix ${p.prefix} ${p.used} used, ${p.free} free${p.description ? ` (${p.description})` : ''}`),
      ...v.peers.map((p) => `  peer ${p.ip} AS${p.as}${p.description ? ` "${p.description}"` : ''} on ${p.routers.join(',')}, added by ${p.by} (${p.via}) ${p.at}${p.status === 'pending' ? ' PENDING' : ''}`),
    ];
    return { summary: lines.join('\n'), data: { site: v.site, routers: v.routers, prefixes: v.prefixes, peers: v.peers, allocations: v.allocations } };
  },
});
