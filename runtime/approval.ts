/**
 * A second pair of eyes: which changes wait for approval, who may approve (never the
 * requester), and the break-glass way around it, as pure functions over the access policy.
 * Decisions are recorded by the caller with who, when and why (docs/chat.md).
 */
import { named, type AccessPolicy, type AccessRefusal } from './access.js';

/** Whether a task run needs an approval before it touches anything (dry runs never do). */
export function approvalRequired(policy: AccessPolicy, r: { task: string; risk: 'read' | 'change'; dryRun: boolean }): boolean {
  if (r.risk !== 'change' || r.dryRun) return false;
  return policy.approvals.tasks.some((t) => t === '*' || t === 'change' || t === r.task);
}

/** Null when `approver` may approve (or deny) `requester`'s run of `task`; otherwise why not. */
export function checkApprover(policy: AccessPolicy, r: { task: string; requester: string; approver: string }): AccessRefusal | null {
  const approver = r.approver.trim().toLowerCase();
  if (!approver) return { reason: 'the approval has no approver name', hint: 'approve from chat (the alias passes action_context.api_user) or a login shell' };
  if (approver === r.requester.trim().toLowerCase()) {
    return { reason: `${approver} asked for this ${r.task} and cannot approve it too`, hint: `ask one of ${policy.approvals.approvers.join(', ')} to approve it` };
  }
  if (!named(policy, policy.approvals.approvers, approver)) {
    return { reason: `${approver} is not an approver for ${r.task}`, hint: `approvers are ${policy.approvals.approvers.join(', ') || '(none configured)'} (access.approvals.approvers in the pack config)` };
  }
  return null;
}

/** Null when `user` may skip the approval with --break-glass and a reason; otherwise why not. */
export function checkBreakGlass(policy: AccessPolicy, r: { task: string; user: string; reason: string }): AccessRefusal | null {
  if (!r.reason.trim()) return { reason: '--break-glass needs a reason', hint: `e.g. --break-glass "INC-1234 transit down, no approver reachable"` };
  if (!named(policy, policy.approvals.breakGlass, r.user)) {
    return { reason: `${r.user.trim().toLowerCase() || 'this user'} may not break glass for ${r.task}`, hint: `break-glass is for ${policy.approvals.breakGlass.join(', ') || 'nobody yet'} (access.approvals.break_glass); otherwise wait for an approver` };
  }
  return null;
}
