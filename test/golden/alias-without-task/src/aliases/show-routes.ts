import { defineAlias } from '../../../../../runtime/define.js';

export default defineAlias<{ in: string }>({
  description: 'Show routes',
  formats: ['show routes in {{ in }}'],
});
