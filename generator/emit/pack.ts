/** pack.yaml, config.schema.yaml and the trigger type: the pack-wide files. */
import type { PackModel } from '../model.js';
import type { EmittedFile } from './types.js';
import { toYaml } from '../yaml.js';

/** The pack's version: the project's (package.json), strict semver as st2 requires. */
export function emitPackYaml(version: string): EmittedFile {
  return {
    path: 'pack.yaml',
    content: '---\n' + toYaml({
      ref: 'netops',
      name: 'netops',
      description: 'Network ChatOps: BGP peers, interfaces, facts and config backups on routers through Ansible, and device syslog events in chat.',
      keywords: ['network', 'chatops', 'ansible', 'bgp', 'frr', 'syslog'],
      version,
      python_versions: ['3'],
      author: 'netops',
      email: 'netops@example.org',
    }),
  };
}

/** Pack configuration: where the inventory, backups and event channel are. */
export function emitConfigSchema(): EmittedFile {
  return {
    path: 'config.schema.yaml',
    content: '---\n' + toYaml({
      sot_backend: { type: 'string', description: 'Source of truth: `file` (YAML files reviewed in git) or `nautobot`. The Ansible inventory is derived from it.', enum: ['file', 'nautobot'], default: 'file', required: true },
      sot_dir: { type: 'string', description: 'File store directory (netops.yml, sites/<site>.yml, history.jsonl); default <state_dir>/sot.' },
      nautobot_url: { type: 'string', description: 'Nautobot base URL (sot_backend nautobot), e.g. https://nautobot.example.net.' },
      nautobot_token_file: { type: 'string', description: 'File holding the Nautobot API token (never logged).' },
      connection_vars: { type: 'string', description: 'YAML file whose `ansible:` map holds the routers\' Ansible connection vars (default: the file store\'s netops.yml).' },
      state_dir: { type: 'string', description: 'Directory for netops state: per-router locks, the change journal, private run directories, config backups.', default: '/var/lib/netops', required: true },
      chat_channel: { type: 'string', description: 'Chat channel that device events are posted to.', default: 'netops', required: true },
      ansible_playbook: { type: 'string', description: 'ansible-playbook executable.', default: '/usr/bin/ansible-playbook' },
      vault_password_file: { type: 'string', description: 'ansible-vault password file, when the inventory holds encrypted credentials.' },
      access: accessSchema(),
    }),
  };
}

/** The trigger type fired by the syslog bridge. No parameters_schema, so st2 creates its default trigger. */
export function emitTrigger(model: PackModel): EmittedFile[] {
  if (!model.eventSchema) return [];
  return [{
    path: 'triggers/device_event.yaml',
    content: '---\n' + toYaml({
      name: 'device_event',
      pack: 'netops',
      description: 'A structured event from a router\'s syslog (napalm-logs vocabulary), posted by `netops bridge`.',
      payload_schema: model.eventSchema,
      tags: [{ name: 'source', value: 'bridge/event.ts' }],
    }),
  }];
}

const names = (description: string) => ({ type: 'array', description, items: { type: 'string' } });

/** `access:` (runtime/access.ts): channels, groups and grants. Deny by default: changes need a grant. */
function accessSchema(): Record<string, unknown> {
  return {
    type: 'object',
    description: 'Who may run which tasks where (docs/chat.md). Read tasks: everyone in the channels; change tasks: only those a grant names.',
    additionalProperties: false,
    properties: {
      channels: names('Chat channels netops takes commands in (names without #, or Slack channel ids).'),
      groups: { type: 'object', description: 'Group name to members (chat user names, OS user names for terminal runs).', additionalProperties: { type: 'array', items: { type: 'string' } } },
      grants: {
        type: 'array',
        description: 'Each grant lets who (users, @groups, *) run tasks (names, read, change, *) in channels (default all), via chat and/or terminal (default both).',
        items: {
          type: 'object',
          additionalProperties: false,
          properties: {
            who: { ...names('Users and @groups.'), required: true },
            tasks: { ...names('Task names (add_peer), a risk (read, change) or *.'), required: true },
            channels: names('Channels the grant holds in; * or missing: every configured channel.'),
            via: { type: 'array', items: { type: 'string', enum: ['chat', 'terminal'] } },
          },
        },
      },
      approvals: {
        type: 'object',
        description: 'Change tasks that wait for a second person before they touch anything.',
        additionalProperties: false,
        properties: {
          tasks: names('Task names, change or *.'),
          approvers: names('Users and @groups who may approve (never their own request).'),
          break_glass: names('Users and @groups who may skip approval with --break-glass "<reason>" (recorded and announced).'),
          ttl_minutes: { type: 'integer', description: 'Minutes a request waits before it is aborted.', default: 60, minimum: 1 },
        },
      },
    },
  };
}
