/**
 * `netops approve <id> [reason]` and `netops deny <id> [reason]`: the terminal side of a second
 * pair of eyes (StackStorm down). The approver is the real OS user (os.userInfo), never the
 * requester (by name or uid) and named in access.approvals.approvers; approve re-plans the
 * recorded request and applies it, refusing when the site changed since the plan. Every
 * decision is recorded in the audit log.
 */
import { parseFlags, UsageError } from '../args.js';
import { io } from '../io.js';
import { PACK, REPO, rt } from '../pack.js';
import { runNamed } from './task.js';

const USAGE = {
  approve: 'usage: netops approve <id> [reason] [--json]   apply a pending change another user asked for (approvers only; netops <task> prints the id)',
  deny: 'usage: netops deny <id> [reason] [--json]      refuse a pending change (approvers only); nothing is changed',
};

/** `netops approve|deny <id> [reason]`. */
export default async function decideCommand(decision: 'approve' | 'deny', argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, { command: `netops ${decision}`, help: `netops ${decision} --help`, positionals: true });
  if (values.help) { io.out(USAGE[decision]); return 0; }
  const [id, ...words] = positionals;
  if (!id) throw new UsageError(`netops ${decision}: which request? e.g. netops ${decision} r-1a2b3c4d${decision === 'deny' ? ' "not in the change window"' : ''}`, `netops ${decision} --help`);
  const reason = words.join(' ').trim();
  const { resolveOptions, terminalUser, AccessConfigError, openSot, checkApprover, recordDecision, loadPending, removePending, expired, PendingError } = await rt();
  const opts = resolveOptions(PACK(), {}, REPO);
  if (opts.access instanceof AccessConfigError) { io.err(`netops ${decision}: the access policy cannot be read: ${opts.access.message}`); return 2; }
  const me = terminalUser();
  let r;
  try { r = loadPending(opts.stateDir, id); } catch (e) {
    if (e instanceof PendingError) { io.err(`netops ${decision}: ${e.message}`); return 2; }
    throw e;
  }
  const sot = openSot(opts.sot);
  const words_ = r.task.replace(/_/g, ' ');
  const rec = (status: string, summary: string) => recordDecision(sot, { user: me, channel: null, via: 'terminal', status, task: r.task, site: r.site, request: r.id, requester: r.requester, reason, plan: r.plan.steps, summary });
  if (expired(r)) {
    const msg = `request ${r.id} (${r.requester}'s ${words_} in ${r.site}) expired at ${r.expires}; nothing was changed`;
    await rec('expired', msg);
    removePending(opts.stateDir, r.id);
    io.err(`netops ${decision}: ${msg}; ${r.requester} can ask again: ${r.command}`);
    return 2;
  }
  const bad = process.getuid?.() === r.uid
    ? { reason: `${me} (uid ${r.uid}) asked for this ${r.task} and cannot ${decision} it too`, hint: `ask one of ${opts.access.approvals.approvers.join(', ')}` }
    : checkApprover(opts.access, { task: r.task, requester: r.requester, approver: me });
  if (bad) {
    await rec(`${decision}-refused`, `${me} cannot ${decision} ${r.id}: ${bad.reason}`);
    io.err(`netops ${decision} refused: ${bad.reason}; the request stays open`);
    io.err(`  ${bad.hint}`);
    return 2;
  }
  removePending(opts.stateDir, r.id);
  if (decision === 'deny') {
    const msg = `${me} denied ${r.requester}'s ${words_} in ${r.site} (request ${r.id}${reason ? `: ${reason}` : ''}); nothing was changed`;
    await rec('denied', msg);
    io.out(msg);
    return 0;
  }
  await rec('approved', `${me} approved ${r.requester}'s ${words_} in ${r.site} (request ${r.id}${reason ? `: ${reason}` : ''})`);
  // The recorded request, re-planned and applied; the gate checks the approval again and refuses a changed site.
  return runNamed(r.task, r.params, new Map<string, unknown>(values.json ? [['json', true]] : []), { approval: { approvedBy: me, requestId: r.id, siteDigest: r.siteDigest }, terminalUser: r.requester, user: r.requester, command: r.command });
}
