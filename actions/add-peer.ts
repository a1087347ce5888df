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
  // The neighbor must not be one of the site's routers; IPAM (prefix, owner) and the AS of a
  // recorded peer are checked by the source of truth's plan (sot/plan.ts).
  precheck: (p, ctx) => {
    const own = ctx.hosts.find((h) => h.address === p.ip || h.ownAddresses.includes(p.ip));
    return own ? `ip: ${p.ip} is an address of ${own.name} itself; give the neighbor's address on the link` : null;
  },
  change: (p, ctx) => ({ kind: 'add_peer', site: p.in, ip: p.ip, as: p.as, description: p.description ?? null, routers: ctx.hosts.map((h) => h.name) }),
  undo: { task: 'remove_peer', params: (p) => ({ in: p.in, ip: p.ip }) },
  summarize: (p, o) => {
    const state = String(o.data.state ?? 'unknown');
    if (o.dryRun) return `${o.host}: peer ${p.ip} AS${p.as} ${o.status === 'changed' ? 'would be added' : 'already present'}`;
    const what = o.status !== 'changed' ? 'already present' : 'added';
    if (state !== 'Established') o.warning = `peer ${p.ip} AS${p.as} ${what}, session ${state} — not Established after 30 s: check the peer's side`;
    return `${o.host}: peer ${p.ip} AS${p.as} ${what}, session ${state}${state !== 'Established' ? ` — not Established after 30 s: check the peer's side` : ''}`;
  },
});
