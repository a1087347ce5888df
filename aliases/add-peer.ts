import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/add-peer.js';

export default defineAlias<Params>({
  description: "Add a BGP peer to a site's edge routers",
  area: 'BGP peers',
  formats: [
    { text: 'add peer', keys: ['in', 'ip', 'as'] },
    'add peer {{ ip }} as {{ as }} in {{ in }}',
  ],
  ack: 'adding peer {{ ip }} AS{{ as }} at {{ in }}',
  result: 'added peer {{ ip }} AS{{ as }} at {{ in }}',
});
