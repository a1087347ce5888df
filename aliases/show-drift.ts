import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/show-drift.js';

export default defineAlias<Params>({
  description: 'Compare the source of truth with the BGP neighbors the routers really run',
  area: 'Source of truth',
  formats: [{ text: 'show drift', keys: ['in'] }, 'show drift in {{ in }}'],
  ack: 'comparing the source of truth with the routers at {{ in }}',
  result: 'compared the source of truth with the routers at {{ in }}',
  threadResponse: true,
});
