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
  change: (p, ctx) => ({ kind: 'remove_peer', site: p.in, ip: p.ip, routers: ctx.hosts.map((h) => h.name) }),
  // Put a removed peer back as the source of truth knew it (its MD5 password is not kept anywhere, so it is not restored).
  undo: {
    task: 'add_peer',
    params: (p, ctx) => {
      const peer = ctx.site.peers.find((x) => x.ip === p.ip);
      return peer ? { in: p.in, ip: p.ip, as: peer.as, ...(peer.description ? { description: peer.description } : {}) } : { in: p.in, ip: p.ip };
    },
  },
  summarize: (p, o) => `${o.host}: peer ${p.ip} ${o.status !== 'changed' ? 'was not configured' : o.dryRun ? 'would be removed' : 'removed'}`,
});
