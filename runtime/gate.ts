/**
 * The approval gate of a change run (docs/chat.md "Approvals"): after the plan, before any
 * router is touched. A task listed in access.approvals runs only with an approval (chat: the
 * netops.<task>_approved workflow passes approved_by; terminal: `netops approve <id>`) or,
 * in a terminal, with --break-glass "<reason>". Otherwise a chat run says what to type, and a
 * terminal run files a pending request. Every decision goes to the audit log.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AccessPolicy, Via } from './access.js';
import { approvalRequired, checkApprover, checkBreakGlass } from './approval.js';
import { newRequestId, savePending, type PendingRequest } from './pending.js';
import { renderConfig, RenderError } from './render.js';
import { newTxn } from '../sot/plan.js';
import type { SiteView, SourceOfTruth } from '../sot/types.js';

/** How a run was approved, when it was. */
export interface Approval {
  /** Who approved (chat user or OS user). */
  approvedBy: string;
  /** The request (terminal request id, or the StackStorm workflow execution id). */
  requestId: string;
  /** Terminal: digest of the site when the request was planned; a different site now refuses. */
  siteDigest?: string;
}

/** What the gate decided. */
export type GateResult =
  | { kind: 'go'; note: string | null }
  | { kind: 'refuse'; reason: string; hint: string }
  | { kind: 'pending'; request: PendingRequest; summary: string; next: string };

/** Digest of everything the source of truth holds for a site (a change in between shows). */
export function siteDigest(view: SiteView): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify(view)).digest('hex').slice(0, 16);
}

/** One audit-log line for a decision (approve, deny, refused, expired, break-glass, request). */
export async function recordDecision(sot: SourceOfTruth, d: { user: string; channel: string | null; via: Via; status: string; task: string; site: string | null; request: string; requester: string; reason: string; plan?: string[]; summary: string }): Promise<void> {
  await sot.record({
    id: newTxn(), at: new Date().toISOString(), user: d.user, channel: d.channel, via: d.via, task: d.task, site: d.site,
    params: { request: d.request, requester: d.requester, ...(d.reason ? { reason: d.reason } : {}) },
    plan: d.plan ?? [], status: d.status, summary: d.summary, txn: null,
  });
}

/** The configuration each router would get (the playbooks' own templates), for a request's plan. */
async function renderPlan(packDir: string, task: string, values: Record<string, unknown>, view: SiteView): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of view.routers) {
    try {
      out[r.name] = await renderConfig(join(packDir, 'playbooks'), task, r.platform, values, { name: r.name, local_as: r.localAs, router_id: r.routerId, mgmt_interface: r.mgmtInterface });
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      out[r.name] = `(no rendered configuration: ${e.message})`;
    }
  }
  return out;
}

/** Decide whether a non-dry change run may go on. `command` is what the requester typed. */
export async function approvalGate(g: {
  policy: AccessPolicy; task: string; site: string; values: Record<string, unknown>; view: SiteView; sot: SourceOfTruth;
  via: Via; user: string; channel: string | null; uid: number; packDir: string; stateDir: string; steps: string[]; command: string;
  approval?: Approval; breakGlass?: string; hasSecrets?: boolean;
}): Promise<GateResult> {
  const words = g.task.replace(/_/g, ' ');
  if (!approvalRequired(g.policy, { task: g.task, risk: 'change', dryRun: false })) return { kind: 'go', note: null };
  const base = { user: g.user, channel: g.channel, via: g.via, task: g.task, site: g.site, plan: g.steps };
  if (g.approval?.approvedBy) {
    // Checked again here: the workflow (or `netops approve`) checked it; the policy may have changed since.
    const bad = checkApprover(g.policy, { task: g.task, requester: g.user, approver: g.approval.approvedBy });
    if (bad) return { kind: 'refuse', reason: `the approval of ${g.approval.requestId} does not hold: ${bad.reason}`, hint: bad.hint };
    if (g.approval.siteDigest && g.approval.siteDigest !== siteDigest(g.view)) {
      return { kind: 'refuse', reason: `site ${g.site} changed in the source of truth since request ${g.approval.requestId} was planned; nothing was changed; ask again: ${g.command}`, hint: `ask again: ${g.command}` };
    }
    return { kind: 'go', note: `approved by ${g.approval.approvedBy.trim().toLowerCase()} (request ${g.approval.requestId})` };
  }
  if (g.breakGlass !== undefined && g.via === 'terminal') {
    const bad = checkBreakGlass(g.policy, { task: g.task, user: g.user, reason: g.breakGlass });
    if (bad) {
      await recordDecision(g.sot, { ...base, status: 'break-glass-refused', request: '-', requester: g.user, reason: g.breakGlass, summary: bad.reason });
      return { kind: 'refuse', reason: bad.reason, hint: bad.hint };
    }
    const note = `BREAK GLASS by ${g.user}: ${g.breakGlass.trim()} (${words} in ${g.site} without approval)`;
    await recordDecision(g.sot, { ...base, status: 'break-glass', request: '-', requester: g.user, reason: g.breakGlass.trim(), summary: note });
    return { kind: 'go', note };
  }
  const approvers = g.policy.approvals.approvers.join(', ');
  if (g.via === 'chat') {
    const kv = Object.entries(g.values).map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`).join(' ');
    return { kind: 'refuse', reason: `${words} needs a second person's approval: type the command below, it posts the plan and one of ${approvers} approves it; nothing was changed`, hint: `request ${words} ${kv}` };
  }
  if (g.hasSecrets) {
    return { kind: 'refuse', reason: `${words} with a secret parameter cannot wait for approval in a terminal: the request file would hold the secret in clear; nothing was changed`, hint: `ask in chat (request ${words} …), or set the secret after the change` };
  }
  const ttl = g.policy.approvals.ttlMinutes;
  const at = new Date();
  const request: PendingRequest = {
    id: newRequestId(), task: g.task, site: g.site, params: g.values, requester: g.user, uid: g.uid,
    at: at.toISOString(), expires: new Date(at.getTime() + ttl * 60_000).toISOString(),
    plan: { steps: g.steps, config: await renderPlan(g.packDir, g.task, g.values, g.view) }, siteDigest: siteDigest(g.view), command: g.command,
  };
  savePending(g.stateDir, request);
  await recordDecision(g.sot, { ...base, status: 'approval-requested', request: request.id, requester: g.user, reason: '', summary: `${g.user} asked for ${words} in ${g.site}: request ${request.id}, waiting for one of ${approvers} until ${request.expires}` });
  const next = `netops approve ${request.id}`;
  const summary = [
    `${g.user}: ${words} in ${g.site} needs a second person's approval; nothing was changed.`,
    `  request ${request.id} recorded, waits until ${request.expires} (${ttl} min)`,
    ...g.steps.map((s) => `  would ${s}`),
    ...Object.entries(request.plan.config).flatMap(([h, c]) => [`  ${h} would get:`, ...c.trimEnd().split('\n').map((l) => `    ${l}`)]),
    `  an approver (${approvers}; not ${g.user}) types:  ${next}`,
    `  or refuses it:  netops deny ${request.id} [reason]`,
  ];
  return { kind: 'pending', request, summary: summary.join('\n'), next };
}
