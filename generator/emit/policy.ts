/**
 * StackStorm concurrency policies (pack/policies/<task>_per_site.yaml): one change at a time
 * per site, enforced by StackStorm's own coordination (action.concurrency.attr on the site
 * parameter), so changes to a site are serialized even when actions run on several runner
 * hosts whose state directories (and netops' file locks) are not shared.
 */
import type { TaskModel } from '../model.js';
import type { EmittedFile } from './types.js';
import { toYaml } from '../yaml.js';

/** The policy of one change task. */
export function emitPolicy(task: TaskModel): EmittedFile[] {
  if (task.risk !== 'change') return [];
  return [{
    path: `policies/${task.name}_per_site.yaml`,
    content: '---\n' + toYaml({
      name: `${task.name}_per_site`,
      pack: 'netops',
      description: `One ${task.name} per site at a time; further ones wait (StackStorm's coordination backend must be configured).`,
      enabled: true,
      resource_ref: `netops.${task.name}`,
      policy_type: 'action.concurrency.attr',
      parameters: { action: 'delay', threshold: 1, attributes: [task.siteParam] },
    }),
  }];
}
