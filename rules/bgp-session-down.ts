import { defineRule } from '../runtime/define.js';

export default defineRule({
  description: 'A BGP session left Established',
  when: { error: ['equals', 'BGP_NEIGHBOR_STATE_CHANGED'], level: ['equals', 'critical'] },
  post: ':red_circle: BGP DOWN {{ trigger.site | default("?", true) }}/{{ trigger.router }} peer {{ trigger.peer }} is {{ trigger.state }} since {{ trigger.time }} | {{ trigger.summary }}',
});
