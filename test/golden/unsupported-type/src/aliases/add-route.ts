import { defineAlias } from '../../../../../runtime/define.js';
import type { Params } from '../actions/add-route.js';

export default defineAlias<Params>({ description: 'Add a route', formats: [{ text: 'add route', keys: ['in'] }] });
