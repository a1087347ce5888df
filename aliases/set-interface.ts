import { defineAlias } from '../runtime/define.js';
import type { Params } from '../actions/set-interface.js';

export default defineAlias<Params>({
  description: 'Set an interface up or down',
  area: 'Interfaces',
  // One form only: a second "… in {{ in }}" form would also match this one
  // ("{{ state }}" is non-greedy up to the end), which StackStorm rejects as ambiguous.
  formats: [{ text: 'set interface {{ name }} {{ state }}', keys: ['in'] }],
  ack: 'setting interface {{ name }} {{ state }} at {{ in }}',
  result: 'set interface {{ name }} {{ state }} at {{ in }}',
});
