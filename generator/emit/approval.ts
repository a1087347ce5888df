/**
 * A second pair of eyes through StackStorm (docs/chat.md "Approvals"): per change task an
 * Orquesta workflow netops.<task>_approved (plan with dry_run → post the plan with the request
 * id and the approvers → core.ask → apply, deny, or expire) and its chat alias
 * `request <task's forms>`; the netops.decide action with its `approve <id>` and
 * `deny <id> [reason]` aliases. Whether a task waits is the pack config's (access.approvals):
 * the task itself refuses a real chat run of a listed task and says to type `request …`.
 */
import type { AliasModel, TaskModel } from '../model.js';
import type { AliasDoc } from '../../runtime/alias-match.js';
import type { EmittedFile } from './types.js';
import { toYaml } from '../yaml.js';
import { aliasFormats } from './alias.js';
import { paramSchema } from './action.js';
import type { HelpCommand } from '../../runtime/chat/help.js';
import { sampleCommand } from '../check/aliases.js';

/** Alias-immutable parameters of a change task: only the approval workflow sets them. */
export const APPROVAL_IMMUTABLE = { approved_by: '', approval_request: '' } as const;

const CTX = {
  chat_user: { type: 'string', description: 'Chat user who asked (set by StackStorm).', default: "{{ action_context.api_user | default('') }}", immutable: true },
  chat_channel: { type: 'string', description: 'Chat channel asked from (set by StackStorm).', default: "{{ action_context.source_channel | default('') }}", immutable: true },
};

/** The Orquesta workflow of one change task. */
export function approvalWorkflow(task: TaskModel): Record<string, unknown> {
  const words = task.name.replace(/_/g, ' ');
  const names = task.params.map((p) => p.name);
  const pairs = names.map((n) => `'${n}': ctx('${n}')`).join(', ');
  const id = "ctx('st2').action_execution_id";
  const post = (message: string) => ({ action: 'chatops.post_message', input: { channel: "{{ ctx('chat_channel') }}", message } });
  const doc = "result().stdout if result().stdout is mapping else {}";
  return {
    version: 1.0,
    description: `${words} after a second person's approval: plan (dry run), post the plan, wait on core.ask, then apply, deny or expire.`,
    input: [...names, 'chat_user', 'chat_channel'],
    vars: [
      // the task's own parameters that were given (st2 rejects null for an optional typed parameter)
      { params: `{{ dict({${pairs}} | dictsort | rejectattr('1', 'none') | rejectattr('1', 'equalto', '') | list) }}` },
      { requester: "{{ ctx('st2').api_user | default(ctx('chat_user'), true) }}" },
      { plan: '' }, { approvers: [] }, { ttl: 60 }, { approver: '' }, { reason: '' }, { outcome: 'planning' },
    ],
    tasks: {
      plan: {
        action: `netops.${task.name}`,
        input: "{{ dict(ctx('params'), dry_run=true) }}",
        next: [
          {
            when: `{{ succeeded() and (${doc}).get('approval', {}).get('required', false) }}`,
            publish: [{ plan: `{{ (${doc}).summary }}` }, { approvers: `{{ (${doc}).approval.approvers }}` }, { ttl: `{{ (${doc}).approval.ttl_minutes }}` }],
            do: 'announce',
          },
          // not listed in access.approvals (any more): nothing to wait for
          { when: `{{ succeeded() and not (${doc}).get('approval', {}).get('required', false) }}`, publish: [{ approver: '(no approval needed)' }], do: 'apply' },
          { when: '{{ failed() }}', publish: [{ outcome: 'plan refused' }, { plan: `{{ (${doc}).get('summary', 'the dry run failed: st2 execution get ' ~ ${id}) }}` }], do: 'plan_failed' },
        ],
      },
      plan_failed: { ...post(`{{ ctx('plan') }}`), next: [{ do: 'fail' }] },
      announce: {
        ...post(`:raised_hand: {{ ctx('requester') }} asks to ${words} — request {{ ${id} }} waits for one of {{ ctx('approvers') | join(', ') }} ({{ ctx('ttl') }} min):\n{{ ctx('plan') }}\nApprove: \`approve {{ ${id} }}\` · deny: \`deny {{ ${id} }} <reason>\``),
        next: [{ when: '{{ succeeded() }}', do: 'ask' }],
      },
      ask: {
        action: 'core.ask',
        input: {
          route: 'netops',
          ttl: "{{ ctx('ttl') }}",
          schema: {
            type: 'object',
            properties: {
              approved: { type: 'boolean', description: 'Apply the change?', required: true },
              approver: { type: 'string', description: 'Chat user who decided (netops.decide checked them).', required: true },
              reason: { type: 'string', description: 'Why (optional).' },
            },
          },
        },
        next: [
          { when: '{{ succeeded() and result().response.approved }}', publish: [{ approver: '{{ result().response.approver }}' }, { reason: "{{ result().response.get('reason', '') }}" }], do: 'apply' },
          { when: '{{ succeeded() and not result().response.approved }}', publish: [{ approver: '{{ result().response.approver }}' }, { reason: "{{ result().response.get('reason', '') }}" }, { outcome: 'denied' }], do: 'denied' },
          // core.ask past its ttl (StackStorm: status timeout; orquesta: expired, which failed() and completed() count)
          { when: '{{ completed() and not succeeded() }}', publish: [{ outcome: 'expired' }], do: 'expired' },
        ],
      },
      apply: {
        action: `netops.${task.name}`,
        input: `{{ dict(ctx('params'), approved_by=ctx('approver') if ctx('approver') != '(no approval needed)' else '', approval_request=${id}) }}`,
        next: [
          { when: '{{ succeeded() }}', publish: [{ outcome: 'applied' }, { plan: `{{ (${doc}).get('summary', '') }}` }], do: 'applied' },
          { when: '{{ failed() }}', publish: [{ outcome: 'apply failed' }, { plan: `{{ (${doc}).get('summary', 'the change failed: st2 execution get ' ~ ${id}) }}` }], do: 'apply_failed' },
        ],
      },
      applied: post(`:white_check_mark: request {{ ${id} }} (approved by {{ ctx('approver') }}):\n{{ ctx('plan') }}`),
      apply_failed: { ...post(`:x: request {{ ${id} }} (approved by {{ ctx('approver') }}) did not go through:\n{{ ctx('plan') }}`), next: [{ do: 'fail' }] },
      denied: post(`:no_entry: request {{ ${id} }} (${words} by {{ ctx('requester') }}) denied by {{ ctx('approver') }}{{ ': ' ~ ctx('reason') if ctx('reason') else '' }} — nothing was changed`),
      expired: {
        action: 'netops.decide',
        input: { request: `{{ ${id} }}`, decision: 'expire' },
        next: [{ do: 'expired_post' }],
      },
      expired_post: post(`:hourglass: request {{ ${id} }} (${words} by {{ ctx('requester') }}) expired after {{ ctx('ttl') }} min without a decision — nothing was changed`),
    },
    output: [{ request: `{{ ${id} }}` }, { outcome: "{{ ctx('outcome') }}" }, { approver: "{{ ctx('approver') }}" }, { reason: "{{ ctx('reason') }}" }],
  };
}

/** The workflow's action metadata: the task's parameters (none can be set to skip the approval). */
function workflowAction(task: TaskModel): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const p of task.params) parameters[p.name] = paramSchema(p);
  return {
    name: `${task.name}_approved`,
    pack: 'netops',
    description: `${task.description} — after a second person approves the plan in chat (approve <id>).`,
    runner_type: 'orquesta',
    entry_point: `workflows/${task.name}_approved.yaml`,
    enabled: true,
    parameters: { ...parameters, ...CTX },
    // no risk tag: the workflow changes nothing itself; its runs of the task are under the task's per-site policy
    tags: [{ name: 'approval', value: 'workflow' }, { name: 'source', value: task.file }],
  };
}

/** `request <form>` for each form of the task's alias. */
export function requestAliasDoc(alias: AliasModel, task: TaskModel): Record<string, unknown> & AliasDoc {
  const formats = aliasFormats(alias).map((f) => (typeof f === 'string' ? `request ${f}` : { display: `request ${f.display}`, representation: [f.representation ?? []].flat().map((r: string) => `request ${r}`) }));
  const words = task.name.replace(/_/g, ' ');
  return {
    name: `${task.name}_approved`,
    pack: 'netops',
    description: `Ask for ${words} with a second person's approval: the plan is posted, an approver types approve <id>`,
    action_ref: `netops.${task.name}_approved`,
    enabled: true,
    formats,
    ack: { enabled: true, format: `{{ execution.context.api_user | default('someone') }}: planning ${words}; the plan and the request id follow · execution {{ execution.id }}`, append_url: false },
    result: { enabled: false },
  };
}

/** netops.decide and its two aliases. */
function emitDecide(): EmittedFile[] {
  const meta = {
    name: 'decide',
    pack: 'netops',
    description: 'Approve or deny a pending netops change (checks the approver, then answers the Inquiry through the StackStorm API).',
    runner_type: 'local-shell-script',
    entry_point: 'decide.mjs',
    enabled: true,
    parameters: {
      request: { type: 'string', description: 'The request id from the plan message (the workflow execution id). Example: 5f1e2d3c4b5a69788796a5b4.', required: true, pattern: '^[0-9a-f]{24}$' },
      decision: { type: 'string', description: 'approve or deny (set by the alias); expire is the workflow\'s own.', enum: ['approve', 'deny', 'expire'], required: true },
      reason: { type: 'string', description: 'Why (recorded in the audit log).', maxLength: 200 },
      ...CTX,
      timeout: { default: 30 },
    },
    tags: [{ name: 'risk', value: 'read' }, { name: 'source', value: 'generator/emit/approval.ts' }],
  };
  const entry = [
    '#!/usr/bin/env node',
    '// netops.decide: generated by `netops build` (generator/emit/approval.ts); do not edit.',
    "import { decideEntry } from './runtime/netops.mjs';",
    'process.exitCode = await decideEntry(import.meta.url, process.argv.slice(2));',
    '',
  ].join('\n');
  const result = {
    enabled: true,
    format: "{% set r = execution.result.stdout if execution.result is defined and execution.result is mapping else none %}" +
      "{% if r is mapping and r.summary is defined %}{{ ':no_entry: ' if r.status != 'ok' else '' }}{{ r.summary }}{% if r.next is defined and r.next %}{~}{{ r.next }}{% endif %}" +
      "{% else %}the decision failed: `st2 execution get {{ execution.id }}`{% endif %}",
  };
  const alias = (decision: 'approve' | 'deny', formats: string[]) => ({
    name: decision,
    pack: 'netops',
    description: decision === 'approve' ? 'Approve a pending change (not your own; approvers only)' : 'Deny a pending change, with a reason (approvers only)',
    action_ref: 'netops.decide',
    enabled: true,
    formats,
    immutable_parameters: { decision },
    ack: { enabled: false },
    result,
  });
  return [
    { path: 'actions/decide.yaml', content: '---\n' + toYaml(meta) },
    { path: 'actions/decide.mjs', content: entry, mode: 0o755 },
    { path: 'aliases/approve.yaml', content: '---\n' + toYaml(alias('approve', ['approve {{ request }}'])) },
    { path: 'aliases/deny.yaml', content: '---\n' + toYaml(alias('deny', ['deny {{ request }} {{ reason=- }}'])) },
  ];
}

/** Every approval file of the pack: per change task with an alias, and decide. */
export function emitApprovals(aliases: AliasModel[], tasks: TaskModel[]): EmittedFile[] {
  const byVerb = new Map(tasks.map((t) => [t.verb, t]));
  const files: EmittedFile[] = [];
  for (const a of aliases) {
    const t = byVerb.get(a.verb);
    if (!t || t.risk !== 'change') continue;
    files.push(
      { path: `actions/${t.name}_approved.yaml`, content: '---\n' + toYaml(workflowAction(t)) },
      { path: `actions/workflows/${t.name}_approved.yaml`, content: '---\n' + toYaml(approvalWorkflow(t)) },
      { path: `aliases/${t.name}_approved.yaml`, content: '---\n' + toYaml(requestAliasDoc(a, t)) },
    );
  }
  return files.length ? [...files, ...emitDecide()] : files;
}

/** Help entries (area Approvals) for the request aliases and approve / deny. */
export function approvalHelp(aliases: AliasModel[], tasks: TaskModel[]): HelpCommand[] {
  const byVerb = new Map(tasks.map((t) => [t.verb, t]));
  const out: HelpCommand[] = [];
  for (const a of aliases) {
    const t = byVerb.get(a.verb);
    if (!t || t.risk !== 'change' || a.formats.length === 0) continue;
    out.push({
      name: `${t.name}_approved`, area: 'Approvals', description: `${a.description}, after an approver agrees to the posted plan`, risk: 'change',
      prefix: `request ${a.formats[0]!.text.split('{{')[0]!.trim()}`,
      forms: a.formats.map((f) => `request ${f.keys.length ? `${f.text} ${f.keys.map((k) => `${k}=<${k}>`).join(' ')}` : f.text.replace(/{{\s*(\w+)\s*}}/g, '<$1>')}`),
      example: `request ${sampleCommand(a.formats[0]!, t).text}`,
    });
  }
  if (!out.length) return out;
  const id = '5f1e2d3c4b5a69788796a5b4';
  out.push(
    { name: 'approve', area: 'Approvals', description: 'Approve a pending change (not your own; approvers only)', risk: 'read', prefix: 'approve', forms: ['approve <request>'], example: `approve ${id}` },
    { name: 'deny', area: 'Approvals', description: 'Deny a pending change, with a reason (approvers only)', risk: 'read', prefix: 'deny', forms: ['deny <request> [reason]'], example: `deny ${id} not in the change window` },
  );
  return out;
}
