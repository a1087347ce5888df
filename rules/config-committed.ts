import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'Configuration committed on a router by someone other than netops',
  when: {
    error: ['regex', '^(CONFIGURATION_COMMIT_COMPLETED|USER_WRITE_CONFIG|USER_EXIT_CONFIG_MODE)$'],
    user: ['nequals', 'netops'],
  },
  post: ':pencil2: CONFIG CHANGED outside netops on {{ trigger.site | default("?", true) }}/{{ trigger.router }} by {{ trigger.user | default("unknown user", true) }} at {{ trigger.time }} | {{ trigger.summary }}{% if trigger.last_change is defined and trigger.last_change %} — last change{% if not trigger.last_change.touches %} on {{ trigger.router }}{% endif %}: {{ trigger.last_change.who }} {{ trigger.last_change.summary }} {{ trigger.last_change.ago }} ago ({{ trigger.last_change.via }}{% if trigger.last_change.channel %} in {{ trigger.last_change.channel }}{% endif %}){% endif %}',
});
