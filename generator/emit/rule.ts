/** RuleModel → pack/rules/<name>.yaml, plus the `notify` workflow the rules run. */
import type { RuleModel } from '../model.js';
import type { EmittedFile } from './types.js';
import { toYaml } from '../yaml.js';

/** One rule: enabled, on netops.device_event, posting through netops.notify. */
export function emitRule(rule: RuleModel): EmittedFile {
  const criteria: Record<string, unknown> = {};
  for (const c of rule.criteria) criteria[`trigger.${c.field}`] = { type: c.op, pattern: c.pattern };
  return {
    path: `rules/${rule.name}.yaml`,
    content: '---\n' + toYaml({
      name: rule.name,
      pack: 'netops',
      description: rule.description,
      enabled: true,
      trigger: { type: 'netops.device_event' },
      criteria,
      action: { ref: 'netops.notify', parameters: { message: rule.message } },
      tags: [{ name: 'source', value: rule.file }],
    }),
  };
}

/** netops.notify: an Orquesta workflow posting a message to the channel from the pack config. */
export function emitNotify(): EmittedFile[] {
  return [
    {
      path: 'actions/notify.yaml',
      content: '---\n' + toYaml({
        name: 'notify',
        pack: 'netops',
        description: 'Post a message to the netops chat channel (the pack config chat_channel).',
        runner_type: 'orquesta',
        entry_point: 'workflows/notify.yaml',
        enabled: true,
        parameters: {
          message: { type: 'string', description: 'Text to post.', required: true },
          channel: { type: 'string', description: 'Channel; defaults to the pack config chat_channel.', default: '{{ config_context.chat_channel }}' },
        },
      }),
    },
    {
      path: 'actions/workflows/notify.yaml',
      content: '---\n' + toYaml({
        version: 1.0,
        description: 'Post a device event message to chat.',
        input: ['message', 'channel'],
        tasks: {
          post: {
            action: 'chatops.post_message',
            input: { message: "{{ ctx('message') }}", channel: "{{ ctx('channel') }}" },
          },
        },
      }),
    },
  ];
}
