import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'An interface went down',
  when: { error: ['equals', 'INTERFACE_DOWN'] },
  post: ':red_circle: LINK DOWN {{ trigger.site | default("?", true) }}/{{ trigger.router }} {{ trigger.interface }} since {{ trigger.time }} | {{ trigger.summary }}{% if trigger.last_change is defined and trigger.last_change %} — last change{% if not trigger.last_change.touches %} on {{ trigger.router }}{% endif %}: {{ trigger.last_change.who }} {{ trigger.last_change.summary }} {{ trigger.last_change.ago }} ago ({{ trigger.last_change.via }}{% if trigger.last_change.channel %} in {{ trigger.last_change.channel }}{% endif %}){% endif %}',
});
