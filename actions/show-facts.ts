import { defineTask } from '../runtime/define.js';

/** Parameters of `show facts`. */
export interface Params {
  /**
   * Site whose edge routers are asked.
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
}

interface Iface { name: string; state: string }

export default defineTask<Params>({
  description: "Show hostname, OS version, uptime and interfaces of a site's routers",
  risk: 'read',
  playbook: 'show_facts.yml',
  timeout: 60,
  summarize: (_p, o) => {
    const d = o.data;
    const ifs = ((d.interfaces ?? []) as Iface[]).map((i) => `${i.name} ${i.state}`).join(', ');
    return `${o.host}: ${String(d.hostname ?? '?')} ${String(d.os ?? '')} ${String(d.version ?? '')}, up ${String(d.uptime ?? '?')}; ${ifs}`;
  },
});
