import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/show-peers.js';

export default defineAlias<Params>({
  description: "Show the BGP peers of a site's edge routers",
  area: 'BGP peers',
  formats: [{ text: 'show peers', keys: ['in'] }, 'show peers in {{ in }}'],
  ack: 'reading the BGP peers at {{ in }}',
  result: 'read the BGP peers at {{ in }}',
  threadResponse: true,
});
