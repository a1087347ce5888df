import { defineRule } from '../../../../../runtime/define.js';

export default defineRule({
  description: 'BGP session down',
  when: { error: ['equals', 'BGP_NEIGHBOR_STATE_CHANGED'], peer: ['exists', ''] },
  post: 'BGP down: {{ trigger.summary }}',
});
