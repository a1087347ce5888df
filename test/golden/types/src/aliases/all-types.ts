import { defineAlias } from '../../../../../runtime/define.js';
import type { Params } from '../actions/all-types.js';

export default defineAlias<Params>({
  description: 'Carry every parameter type',
  formats: [
    { text: 'carry', keys: ['in', 'text', 'v4', 'count'] },
    'carry {{ text }} to {{ v4 }} times {{ count }} at {{ in }}',
    { text: 'haul {{ text }} mode {{ mode=fast }}', keys: ['in', 'v4', 'count'] },
  ],
});
