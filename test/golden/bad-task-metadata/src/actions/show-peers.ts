import { defineTask } from '../../../../../runtime/define.js';

export interface Params {
  /** Site. @example bma */
  in: string;
}

const risk = process.env.RISK === 'change' ? 'change' : 'read';

export default defineTask<Params>({ description: 'Show peers', risk, playbook: 'show peers', timeout: 0 });
