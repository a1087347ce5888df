import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/show-drift.js';

export default defineAlias<Params>({
  description: 'Compare the source of truth with the BGP neighbors the routers really run',
  formats: [{ text: 'show drift', keys: ['in'] }, 'show drift in {{ in }}'],
});
