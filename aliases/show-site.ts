import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/show-site.js';

export default defineAlias<Params>({
  description: 'Show the source of truth of a site: routers, prefixes (used/free), peers and who added them',
  area: 'Source of truth',
  formats: [{ text: 'show site', keys: ['in'] }, 'show site {{ in }}'],
  ack: 'reading the source of truth of {{ in }}',
  result: 'read the source of truth of {{ in }}',
  threadResponse: true,
});
