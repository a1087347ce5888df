import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/show-compliance.js';

export default defineAlias<Params>({
  description: "Check that a site's routers run the expected BGP peers (NAPALM validate)",
  area: 'Source of truth',
  formats: [{ text: 'show compliance', keys: ['in'] }, 'show compliance in {{ in }}'],
  ack: 'checking that the routers at {{ in }} run the peers of the source of truth (NAPALM validate)',
  result: 'checked the compliance of the routers at {{ in }}',
  threadResponse: true,
});
