import { defineTask } from '../../../../../runtime/define.js';

export interface Params {
  /** Site. */
  in: string;
  /** A route: StackStorm cannot pass an object to a shell script usefully. */
  route: { prefix: string; nexthop: string };
  /** Either kind: StackStorm parameter types cannot be unions. */
  metric: string | number;
  /** Fine. */
  'peer-ip': string;
  /** Cannot be turned off. @default true */
  verbose?: boolean;
  /** Reserved by the runner. */
  timeout?: number;
}

export default defineTask<Params>({ description: 'Add a route', risk: 'change', playbook: 'add_route.yml', timeout: 30 });
