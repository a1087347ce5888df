/** TaskModel → pack/actions/<name>.yaml (st2 action metadata) and its Node entry script. */
import type { ParamModel, TaskModel } from '../model.js';
import type { EmittedFile } from './types.js';
import { toYaml } from '../yaml.js';
import { st2Timeout } from '../../runtime/limits.js';

/** The st2 parameter schema of one task parameter (st2 dialect: boolean `required`, `secret`). */
export function paramSchema(p: ParamModel): Record<string, unknown> {
  const s: Record<string, unknown> = { type: p.type };
  const desc = [p.description, p.example !== undefined ? `Example: ${p.example}.` : ''].filter(Boolean).join(' ');
  if (desc) s.description = desc;
  if (p.required) s.required = true;
  if (p.secret) s.secret = true;
  if (p.enum) s.enum = p.enum;
  if (p.items) s.items = { type: p.items.type, ...(p.items.enum ? { enum: p.items.enum } : {}), ...(p.items.pattern ? { pattern: p.items.pattern } : {}) };
  for (const k of ['pattern', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'default'] as const) {
    if (p[k] !== undefined) s[k] = p[k];
  }
  return s;
}

/** Parameters netops adds to every action: who and where in chat, and the dry-run switch of change tasks. */
export function contextParams(task: TaskModel): Record<string, Record<string, unknown>> {
  return {
    chat_user: { type: 'string', description: 'Chat user who asked (set by StackStorm).', default: "{{ action_context.api_user | default('') }}", immutable: true },
    chat_channel: { type: 'string', description: 'Chat channel asked from (set by StackStorm).', default: "{{ action_context.source_channel | default('') }}", immutable: true },
    ...(task.risk === 'change' ? {
      dry_run: { type: 'boolean', description: 'Show the config lines that would be applied and change nothing.', default: false },
      // set only by the netops.<task>_approved workflow after an approval; the chat alias makes them immutable
      approved_by: { type: 'string', description: 'Approver (set by the approval workflow; chat cannot set it).' },
      approval_request: { type: 'string', description: 'Approval request id (set by the approval workflow).' },
    } : {}),
    // netops' own deadline (task timeout, lock wait, rollback) fires before StackStorm's.
    timeout: { default: st2Timeout(task.timeout, task.risk) },
  };
}

/** The st2 `parameters` of a task's action: its own, then the context ones. */
export function actionParameters(task: TaskModel): Record<string, Record<string, unknown>> {
  const parameters: Record<string, Record<string, unknown>> = {};
  for (const p of task.params) parameters[p.name] = paramSchema(p);
  return Object.assign(parameters, contextParams(task));
}

/** Emit the metadata and entry script of one task. */
export function emitAction(task: TaskModel): EmittedFile[] {
  const parameters = actionParameters(task);
  const meta = {
    name: task.name,
    pack: 'netops',
    description: task.description,
    runner_type: 'local-shell-script',
    entry_point: `${task.name}.mjs`,
    enabled: true,
    parameters,
    tags: [{ name: 'risk', value: task.risk }, { name: 'source', value: task.file }],
  };
  const entry = [
    '#!/usr/bin/env node',
    `// netops.${task.name}: generated from ${task.file} by \`netops build\`; do not edit.`,
    "import { runEntry } from './runtime/netops.mjs';",
    `process.exitCode = await runEntry(${JSON.stringify(task.name)}, import.meta.url, process.argv.slice(2));`,
    '',
  ].join('\n');
  return [
    { path: `actions/${task.name}.yaml`, content: '---\n' + toYaml(meta) },
    { path: `actions/${task.name}.mjs`, content: entry, mode: 0o755 },
  ];
}
