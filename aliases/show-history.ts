import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/show-history.js';

export default defineAlias<Params>({
  description: 'Show the audit log of changes made through netops (who, where, when, what, result)',
  area: 'Source of truth',
  formats: [{ text: 'show history', keys: ['in', 'last'] }, 'show history of {{ in }}'],
  ack: 'reading the change history',
  result: 'read the change history',
  threadResponse: true,
});
