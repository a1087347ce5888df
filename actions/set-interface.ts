import { defineTask } from '../runtime/define.js';

/** Parameters of `set interface`. */
export interface Params {
  /**
   * Site whose edge router has the interface.
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
  /**
   * Interface name as the router knows it.
   * @pattern ^[A-Za-z][A-Za-z0-9_./:-]{0,31}$
   * @example to-peer2
   */
  name: string;
  /** Administrative state to set. @example down */
  state: 'up' | 'down';
}

export default defineTask<Params>({
  description: 'Set an interface administratively up or down',
  risk: 'change',
  playbook: 'set_interface.yml',
  timeout: 90,
  precheck: (p, ctx) => {
    for (const h of ctx.hosts) {
      // Shutting the management interface would cut netops (and everyone) off the router.
      if (h.mgmtInterface === p.name)
        return `${p.name} is the management interface of ${h.name}; netops never changes it (do it on the console)`;
      const usable = h.interfaces?.filter((i) => i !== h.mgmtInterface);
      if (usable && !usable.includes(p.name))
        return `${h.name} has no interface ${p.name}; it has: ${usable.join(', ')}`;
    }
    return null;
  },
  summarize: (p, o) => `${o.host}: interface ${p.name} ${o.status !== 'changed' ? `already ${p.state}` : o.dryRun ? `would be set ${p.state}` : `set ${p.state}`}`,
});
