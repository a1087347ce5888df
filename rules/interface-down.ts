import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'An interface went down',
  when: { error: ['equals', 'INTERFACE_DOWN'] },
  post: ':red_circle: LINK DOWN {{ trigger.site | default("?", true) }}/{{ trigger.router }} {{ trigger.interface }} since {{ trigger.time }} | {{ trigger.summary }}',
});
