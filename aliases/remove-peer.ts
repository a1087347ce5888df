import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/remove-peer.js';

export default defineAlias<Params>({
  description: "Remove a BGP peer from a site's edge routers",
  area: 'BGP peers',
  formats: [
    { text: 'remove peer', keys: ['in', 'ip'] },
    'remove peer {{ ip }} in {{ in }}',
  ],
  ack: 'removing peer {{ ip }} at {{ in }}',
  result: 'removed peer {{ ip }} at {{ in }}',
});
