/**
 * netops.decide: `approve <id>` / `deny <id> [reason]` in chat. StackStorm cannot tell chat
 * users apart (every command runs as the bot's account), so the Inquiry is left open to all
 * and this action is the check: it reads the request from StackStorm's API (the workflow
 * execution → its requester and task), runs checkApprover with the chat user it was given,
 * and only then answers the Inquiry (PUT /inquiries/<id>). A refused approver is told why
 * and the Inquiry stays open. The workflow itself calls it with decision=expire on a timeout.
 * Every decision is recorded in the audit log.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccessConfigError, checkAccess } from './access.js';
import { checkApprover } from './approval.js';
import { recordDecision } from './gate.js';
import { resolveOptions, type Options } from './options.js';
import { decodeSt2Argv, InvalidParams } from './params.js';
import { loadActionMeta } from './run.js';
import { st2Client, St2ApiError, type St2Api, type St2Execution } from './st2-api.js';
import { openSot } from '../sot/open.js';

/** What decide prints (execution.result.stdout). */
export interface DecideDoc {
  task: 'decide';
  decision: string;
  status: 'ok' | 'denied' | 'invalid' | 'failed';
  exit_code: number;
  user: string;
  request: string;
  requester: string | null;
  summary: string;
  error: string | null;
  next: string | null;
}

const WORKFLOW = /^netops\.(\w+)_approved$/;

/** Decide on one request; `api` talks to StackStorm. */
export async function decide(p: { request: string; decision: string; reason: string; user: string; channel: string }, api: St2Api, opts: Options): Promise<DecideDoc> {
  const user = p.user.trim().toLowerCase();
  if (p.reason.trim() === '-') p = { ...p, reason: '' }; // the deny alias's default: no reason given
  const doc = (d: Partial<DecideDoc> & Pick<DecideDoc, 'status' | 'exit_code' | 'summary'>): DecideDoc =>
    ({ task: 'decide', decision: p.decision, user, request: p.request, requester: null, error: null, next: null, ...d });
  const refused = (summary: string, next: string | null, requester: string | null = null) => doc({ status: 'denied', exit_code: 2, summary, error: summary, next, requester });
  if (opts.access instanceof AccessConfigError) return refused(`the access policy cannot be read: ${opts.access.message}`, 'fix access: in the pack config');
  const policy = opts.access;
  if (p.decision !== 'expire') {
    const where = checkAccess(policy, { task: 'decide', risk: 'read', user, channel: p.channel, via: 'chat' });
    if (where) return refused(`${p.decision} refused: ${where.reason}`, where.hint);
  }

  // The request: the workflow execution (what the plan message names) or its core.ask.
  let wf: St2Execution;
  let ask: St2Execution | null = null;
  try {
    const ex = await api.execution(p.request);
    if (ex.action.ref === 'core.ask') { ask = ex; wf = await api.execution(ex.parent ?? ''); } else wf = ex;
  } catch (e) {
    if (e instanceof St2ApiError) return refused(`${p.decision} ${p.request}: no such request (${e.message})`, 'copy the id from the plan message: approve <id>');
    throw e;
  }
  const m = WORKFLOW.exec(wf.action.ref);
  if (!m) return refused(`${p.request} is not a netops approval request (it is ${wf.action.ref})`, 'copy the id from the plan message: approve <id>');
  const task = m[1]!;
  const words = task.replace(/_/g, ' ');
  const requester = String(wf.context?.api_user ?? wf.parameters?.chat_user ?? '').trim().toLowerCase();
  const site = typeof wf.parameters?.in === 'string' ? wf.parameters.in : null;
  const sot = openSot(opts.sot);
  const record = (status: string, summary: string) =>
    recordDecision(sot, { user, channel: p.channel || null, via: 'chat', status, task, site, request: wf.id, requester, reason: p.reason, summary });

  if (p.decision === 'expire') {
    const summary = `request ${wf.id} (${requester}'s ${words}${site ? ` in ${site}` : ''}) expired after ${policy.approvals.ttlMinutes} min without a decision; nothing was changed`;
    await record('expired', summary);
    return doc({ status: 'ok', exit_code: 0, summary, requester });
  }
  if (!requester) return refused(`${p.request}: the workflow does not name its requester (context.api_user); refused`, null);

  const bad = checkApprover(policy, { task, requester, approver: user });
  if (bad) {
    const summary = `${user} cannot ${p.decision} ${wf.id}: ${bad.reason}; the request stays open`;
    await record(`${p.decision}-refused`, summary);
    return refused(summary, bad.hint, requester);
  }
  if (!ask) {
    try { ask = (await api.pendingAsks(wf.id))[0] ?? null; } catch (e) {
      if (e instanceof St2ApiError) return doc({ status: 'failed', exit_code: 3, summary: `${p.decision} ${wf.id}: ${e.message}`, error: e.message, requester });
      throw e;
    }
  }
  if (!ask) return refused(`request ${wf.id} is not waiting for a decision (the workflow is ${wf.status}: decided, expired or still planning)`, `show history in=${site ?? '<site>'}`, requester);
  const approved = p.decision === 'approve';
  try {
    await api.respond(ask.id, { approved, approver: user, reason: p.reason });
  } catch (e) {
    if (e instanceof St2ApiError) return doc({ status: 'failed', exit_code: 3, summary: `${p.decision} ${wf.id}: the answer did not reach StackStorm: ${e.message}`, error: e.message, requester, next: `approve ${wf.id}` });
    throw e;
  }
  const summary = approved
    ? `${user} approved ${requester}'s ${words}${site ? ` in ${site}` : ''} (request ${wf.id}${p.reason ? `: ${p.reason}` : ''}); applying it now`
    : `${user} denied ${requester}'s ${words}${site ? ` in ${site}` : ''} (request ${wf.id}${p.reason ? `: ${p.reason}` : ''}); nothing will be changed`;
  await record(approved ? 'approved' : 'denied', summary);
  return doc({ status: 'ok', exit_code: 0, summary, requester });
}

/** The pack entry of netops.decide (pack/actions/decide.mjs). */
export async function decideEntry(entryUrl: string, argv: string[]): Promise<number> {
  const packDir = dirname(dirname(fileURLToPath(entryUrl)));
  const out = (d: unknown) => process.stdout.write(JSON.stringify(d) + '\n');
  let raw: Record<string, unknown>;
  try { raw = decodeSt2Argv(argv, loadActionMeta(packDir, 'decide').parameters); } catch (e) {
    if (!(e instanceof InvalidParams)) throw e;
    out({ task: 'decide', status: 'invalid', exit_code: 2, summary: `decide refused: ${e.problems.join('; ')}`, error: e.problems.join('; ') });
    return 2;
  }
  const s = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
  const opts = resolveOptions(packDir, { channel: s('chat_channel') || null });
  let api: St2Api;
  try { api = st2Client(); } catch (e) {
    if (!(e instanceof St2ApiError)) throw e;
    out({ task: 'decide', status: 'failed', exit_code: 3, summary: e.message, error: e.message });
    return 3;
  }
  const d = await decide({ request: s('request'), decision: s('decision'), reason: s('reason'), user: s('chat_user'), channel: s('chat_channel') }, api, opts);
  out(d);
  return d.exit_code;
}
