import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'A BGP session that went down is Established again',
  when: { error: ['equals', 'BGP_NEIGHBOR_STATE_CHANGED'], state: ['equals', 'Established'], recovers: ['exists', ''] },
  post: ':large_green_circle: BGP UP {{ trigger.site | default("?", true) }}/{{ trigger.router }} peer {{ trigger.peer }} Established again at {{ trigger.time }} after {{ trigger.down_seconds }} s down',
});
