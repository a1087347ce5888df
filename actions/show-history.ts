import { defineTask, type Integer } from '../runtime/define.js';

/** Parameters of `show history`. */
export interface Params {
  /**
   * Site whose changes to show (every site when not given).
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in?: string;
  /**
   * How many of the latest entries to show.
   * @minimum 1
   * @maximum 500
   * @default 20
   */
  last?: Integer;
}

export default defineTask<Params>({
  description: 'Show the audit log of changes: who, from where, when, what was planned and how it ended',
  risk: 'read',
  playbook: null,
  timeout: 30,
  read: async (p, ctx) => {
    const entries = await ctx.sot.history({ ...(p.in ? { site: p.in } : {}), limit: p.last ?? 20 });
    const lines = entries.map((e) => `${e.at} ${e.user}${e.channel ? ` in #${e.channel}` : ''} (${e.via}) ${e.task.replace(/_/g, ' ')}${e.site ? ` at ${e.site}` : ''} ${Object.entries(e.params).filter(([k]) => k !== 'in').map(([k, v]) => `${k}=${String(v)}`).join(' ')}: ${e.status}`);
    const head = `history${p.in ? ` of ${p.in}` : ''}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`;
    return { summary: [head, ...lines].join('\n'), data: { entries } };
  },
});
