import { defineTask } from '../../../../../runtime/define.js';

export interface Params {
  /** What to show. @example peers */
  what: string;
  /** Site. @example bma */
  in?: string;
}

export default defineTask<Params>({ description: 'Show anything', risk: 'read', playbook: 'show.yml', timeout: 30 });
