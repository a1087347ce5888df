import { defineTask } from '../../../../../runtime/define.js';

export interface Params {
  /** Site. @example bma */
  in: string;
}

export default defineTask<Params>({ description: 'Show peers', risk: 'read', playbook: 'show_peers.yml', timeout: 30 });
