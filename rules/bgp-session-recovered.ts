import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'A BGP session that went down is Established again',
  when: { error: ['equals', 'BGP_NEIGHBOR_STATE_CHANGED'], state: ['equals', 'Established'], recovers: ['exists', ''] },
  post: ':large_green_circle: BGP UP {{ trigger.site | default("?", true) }}/{{ trigger.router }} peer {{ trigger.peer }} Established again at {{ trigger.time }} after {{ trigger.down_seconds }} s down{% if trigger.last_change is defined and trigger.last_change %} — last change{% if not trigger.last_change.touches %} on {{ trigger.router }}{% endif %}: {{ trigger.last_change.who }} {{ trigger.last_change.summary }} {{ trigger.last_change.ago }} ago ({{ trigger.last_change.via }}{% if trigger.last_change.channel %} in {{ trigger.last_change.channel }}{% endif %}){% endif %}',
});
