import { defineRule } from '../../../../../runtime/define.js';

export default defineRule({
  description: 'BGP down',
  when: { error: ['like', 'BGP_%'], neighbour: ['equals', '10.0.0.1'], summary: ['regex', '(unclosed'] } as never,
  post: '{{ trigger.summary }}',
});
