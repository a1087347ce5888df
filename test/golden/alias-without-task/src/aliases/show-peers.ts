import { defineAlias } from '../../../../../runtime/define.js';
import type { Params } from '../actions/show-peers.js';

export default defineAlias<Params>({ description: 'Show peers', formats: ['show peers in {{ in }}'] });
