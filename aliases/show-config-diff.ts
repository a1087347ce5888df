import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/show-config-diff.js';

export default defineAlias<Params>({
  description: "Diff a site's running configs against the last backup",
  area: 'Configs',
  formats: [{ text: 'show config diff', keys: ['in'] }, 'show config diff of {{ in }}'],
  ack: 'diffing the configs at {{ in }} against the last backup',
  result: 'diffed the configs at {{ in }} against the last backup',
  threadResponse: true,
});
