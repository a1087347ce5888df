import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'An interface that went down is up again',
  when: { error: ['equals', 'INTERFACE_UP'], recovers: ['exists', ''] },
  post: ':large_green_circle: LINK UP {{ trigger.site | default("?", true) }}/{{ trigger.router }} {{ trigger.interface }} up again at {{ trigger.time }} after {{ trigger.down_seconds }} s down',
});
