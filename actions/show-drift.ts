import { defineTask, type HostOutcome } from '../runtime/define.js';

/** Parameters of `show drift`. */
export interface Params {
  /**
   * Site whose routers are compared with the source of truth.
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
}

interface RouterPeer { peer: string; remote_as: number; state: string }

/** One difference between the source of truth and a router. */
export interface Drift { router: string; peer: string; kind: 'missing' | 'unexpected' | 'different-as'; recorded_as: number | null; running_as: number | null }

export default defineTask<Params>({
  description: 'Compare the source of truth with what the routers really run (BGP neighbors): missing, unexpected, different AS',
  risk: 'read',
  playbook: 'show_peers.yml',
  timeout: 60,
  report: (p, ctx, outcomes: HostOutcome[]) => {
    const drift: Drift[] = [];
    const unread: string[] = [];
    for (const o of outcomes) {
      if (o.status === 'failed' || o.status === 'unreachable') { unread.push(`${o.host}: ${o.status}: ${o.message.split('\n')[0]}`); continue; }
      const running = new Map(((o.data.peers ?? []) as RouterPeer[]).map((x) => [x.peer, x]));
      const recorded = ctx.site.peers.filter((x) => x.routers.includes(o.host) && x.status === 'active');
      for (const r of recorded) {
        const run = running.get(r.ip);
        if (!run) drift.push({ router: o.host, peer: r.ip, kind: 'missing', recorded_as: r.as, running_as: null });
        else if (run.remote_as !== r.as) drift.push({ router: o.host, peer: r.ip, kind: 'different-as', recorded_as: r.as, running_as: run.remote_as });
      }
      for (const [ip, run] of running) if (!recorded.some((r) => r.ip === ip)) drift.push({ router: o.host, peer: ip, kind: 'unexpected', recorded_as: null, running_as: run.remote_as });
    }
    const say = (d: Drift) => d.kind === 'missing' ? `${d.router}: peer ${d.peer} AS${d.recorded_as} is recorded but not configured: add peer in=${p.in} ip=${d.peer} as=${d.recorded_as}`
      : d.kind === 'unexpected' ? `${d.router}: peer ${d.peer} AS${d.running_as} is configured but not recorded (added by hand?): remove peer in=${p.in} ip=${d.peer}, or record it`
      : `${d.router}: peer ${d.peer} runs AS${d.running_as}, recorded AS${d.recorded_as}`;
    const head = drift.length ? `${drift.length} difference(s) between the source of truth and the routers of ${p.in}` : `no drift at ${p.in}: the routers run what the source of truth says`;
    return { summary: [head, ...drift.map(say), ...unread.map((u) => `not compared: ${u}`)].join('\n'), data: { drift, unread } };
  },
});
