import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/show-compliance.js';

export default defineAlias<Params>({
  description: "Check that a site's routers run the expected BGP peers (NAPALM validate)",
  formats: [{ text: 'show compliance', keys: ['in'] }, 'show compliance in {{ in }}'],
});
