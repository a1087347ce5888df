import { defineAlias } from '../../../../../runtime/define.js';
import type { Params } from '../actions/show-anything.js';

export default defineAlias<Params>({
  description: 'Show anything',
  formats: ['show {{ what }}'],
});
