/**
 * `netops chat "request add peer …"`: what the channel would see from the approval workflow
 * (netops.<task>_approved) up to the point where StackStorm waits on core.ask. The plan is the
 * task's real dry run; the message is the workflow's own template (pack/actions/workflows/),
 * rendered with Jinja semantics. Nothing is changed and no request is filed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { io } from '../io.js';
import { PACK } from '../pack.js';
import { runDoc } from './task.js';

interface Workflow { tasks: Record<string, { input?: { message?: string } }> }

/** Print the workflow's first chat message for a matched `request …` text; returns the exit code. */
export default async function requestPreview(name: string, cast: Record<string, unknown>, f: Map<string, unknown>): Promise<number> {
  const task = name.replace(/_approved$/, '');
  const doc = await runDoc(task, { ...cast, dry_run: true }, f);
  if (typeof doc === 'number') return doc;
  const wf = parse(readFileSync(join(PACK(), 'actions', 'workflows', `${name}.yaml`), 'utf8')) as Workflow;
  const { renderJinja } = await import('../../runtime/chat/jinja.js');
  const id = 'f'.repeat(24);
  const vars: Record<string, unknown> = { requester: doc.user, plan: doc.summary, approvers: doc.approval?.approvers ?? [], ttl: doc.approval?.ttl_minutes ?? 60, st2: { action_execution_id: id } };
  const ctx = (k: string) => vars[k];
  if (doc.exit_code !== 0) { io.out(renderJinja(wf.tasks.plan_failed!.input!.message!, { ctx }, false)); return doc.exit_code; }
  if (!doc.approval?.required) {
    io.out(`${doc.summary}\n(${task.replace(/_/g, ' ')} is not listed in access.approvals: StackStorm would apply it now; netops chat changes nothing here)`);
    return 0;
  }
  io.out(renderJinja(wf.tasks.announce!.input!.message!, { ctx }, false));
  io.out(`(StackStorm now waits on core.ask for ${vars.ttl} min: approve ${id} / deny ${id} <reason> from one of ${(vars.approvers as string[]).join(', ')}; nothing was changed. Without StackStorm: netops ${task.replace(/_/g, '-')} … files a request for netops approve)`);
  return 0;
}
