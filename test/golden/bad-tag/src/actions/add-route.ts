import { defineTask, type Integer } from '../../../../../runtime/define.js';

export interface Params {
  /** Site. @example bma */
  in: string;
  /** Next hop. @format ipv5 */
  nexthop: string;
  /** Metric. @minimum low */
  metric: Integer;
  /** Tag. @format ipv4 */
  tag?: Integer;
  /** Name. @pattern ^[a-z+$ */
  name?: string;
}

export default defineTask<Params>({ description: 'Add a route', risk: 'change', playbook: 'add_route.yml', timeout: 60 });
