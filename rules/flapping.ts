import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'A BGP session or interface is flapping (one summary per window instead of a flood)',
  when: { error: ['regex', '_FLAPPING$'] },
  post: ':warning: FLAPPING at {{ trigger.site | default("?", true) }}: {{ trigger.summary }}{% if trigger.last_change is defined and trigger.last_change %} — last change{% if not trigger.last_change.touches %} on {{ trigger.router }}{% endif %}: {{ trigger.last_change.who }} {{ trigger.last_change.summary }} {{ trigger.last_change.ago }} ago ({{ trigger.last_change.via }}{% if trigger.last_change.channel %} in {{ trigger.last_change.channel }}{% endif %}){% endif %}',
});
