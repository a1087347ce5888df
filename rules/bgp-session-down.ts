import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'A BGP session left Established',
  when: { error: ['equals', 'BGP_NEIGHBOR_STATE_CHANGED'], level: ['equals', 'critical'] },
  post: ':red_circle: BGP DOWN {{ trigger.site | default("?", true) }}/{{ trigger.router }} peer {{ trigger.peer }} is {{ trigger.state }} since {{ trigger.time }} | {{ trigger.summary }}{% if trigger.last_change is defined and trigger.last_change %} — last change{% if not trigger.last_change.touches %} on {{ trigger.router }}{% endif %}: {{ trigger.last_change.who }} {{ trigger.last_change.summary }} {{ trigger.last_change.ago }} ago ({{ trigger.last_change.via }}{% if trigger.last_change.channel %} in {{ trigger.last_change.channel }}{% endif %}){% endif %}',
});
