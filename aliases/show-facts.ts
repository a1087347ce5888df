import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/show-facts.js';

export default defineAlias<Params>({
  description: "Show facts of a site's routers",
  area: 'Routers',
  formats: [{ text: 'show facts', keys: ['in'] }, 'show facts in {{ in }}'],
  ack: 'reading the facts of the routers at {{ in }}',
  result: 'read the facts of the routers at {{ in }}',
  threadResponse: true,
});
