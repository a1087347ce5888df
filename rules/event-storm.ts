import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'One kind of event from many routers or interfaces at once (one summary instead of a flood)',
  when: { error: ['regex', '_STORM$'] },
  post: ':rotating_light: STORM at {{ trigger.site | default("?", true) }}: {{ trigger.summary }}',
});
