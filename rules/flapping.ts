import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'A BGP session or interface is flapping (one summary per window instead of a flood)',
  when: { error: ['regex', '_FLAPPING$'] },
  post: ':warning: FLAPPING at {{ trigger.site | default("?", true) }}: {{ trigger.summary }}',
});
