import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/backup-config.js';

export default defineAlias<Params>({
  description: "Back up a site's running configs",
  area: 'Configs',
  formats: [{ text: 'backup config', keys: ['in'] }, 'backup config of {{ in }}'],
  ack: 'backing up the configs at {{ in }}',
  result: 'backed up the configs at {{ in }}',
});
