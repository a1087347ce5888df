import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'An interface that went down is up again',
  when: { error: ['equals', 'INTERFACE_UP'], recovers: ['exists', ''] },
  post: ':large_green_circle: LINK UP {{ trigger.site | default("?", true) }}/{{ trigger.router }} {{ trigger.interface }} up again at {{ trigger.time }} after {{ trigger.down_seconds }} s down{% if trigger.last_change is defined and trigger.last_change %} — last change{% if not trigger.last_change.touches %} on {{ trigger.router }}{% endif %}: {{ trigger.last_change.who }} {{ trigger.last_change.summary }} {{ trigger.last_change.ago }} ago ({{ trigger.last_change.via }}{% if trigger.last_change.channel %} in {{ trigger.last_change.channel }}{% endif %}){% endif %}',
});
