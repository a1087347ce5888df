import { defineAlias } from '../../../../../runtime/define.js';
import type { Params } from '../actions/show-peers.js';

const verb = 'show';

export default defineAlias<Params>({
  description: 'Show peers',
  formats: [`${verb} peers {{ in }}`, { text: 'list peers', keys: 'in' }],
  ack: 42,
});
