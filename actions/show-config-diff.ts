import { defineTask } from '../runtime/define.js';

/** Parameters of `show config diff`. */
export interface Params {
  /**
   * Site whose routers are compared with their last backup.
   * @pattern ^[a-z][a-z0-9-]{1,31}$
   * @example bma
   */
  in: string;
}

export default defineTask<Params>({
  description: 'Show how the running config differs from the last backup',
  risk: 'read',
  playbook: 'config_diff.yml',
  timeout: 60,
  summarize: (_p, o) => (o.data.changed ? `${o.host}: differs from backup\n${String(o.data.diff ?? '')}` : `${o.host}: same as backup`),
});
