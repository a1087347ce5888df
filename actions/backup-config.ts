import { defineTask } from '../runtime/define.js';

/** Parameters of `backup config`. */
export interface Params {
  /**
   * Site whose routers' running config is saved.
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
}

export default defineTask<Params>({
  description: "Save the running config of a site's routers as the new baseline",
  risk: 'read',
  playbook: 'backup_config.yml',
  timeout: 60,
  summarize: (_p, o) => `${o.host}: saved ${String(o.data.lines ?? '?')} lines`,
});
