/**
 * Who may do what: the access policy of the pack config (`access:`), as pure functions.
 * Deny by default: read tasks are open to everyone in the configured channels (and in a
 * terminal), change tasks to nobody until a grant names the user or one of their groups.
 * The runtime calls checkAccess before anything is touched; a refusal says what is missing.
 */
import { userInfo } from 'node:os';

/** How a run reached netops. */
export type Via = 'chat' | 'terminal';

/** One grant: these users or @groups may run these tasks (names, `read`, `change` or `*`) in these channels, this way. */
export interface Grant {
  who: string[];
  tasks: string[];
  /** Chat channels the grant holds in (names or ids, `*` for all configured); default all configured. Ignored in a terminal. */
  channels?: string[];
  /** Default both. */
  via?: Via[];
}

/** The policy, normalised from the pack config. */
export interface AccessPolicy {
  /** Chat channels netops takes commands in (names without `#`, or Slack channel ids). */
  channels: string[];
  /** Group name → members (chat user names or OS user names). */
  groups: Record<string, string[]>;
  grants: Grant[];
  /** Which change tasks need a second person's approval, and who may give it (runtime/approval.ts). */
  approvals: Approvals;
}

/** `access.approvals`: tasks (names, `change` or `*`) that wait for an approver; who may approve; who may break glass. */
export interface Approvals {
  tasks: string[];
  approvers: string[];
  /** Users or @groups who may run without approval with --break-glass "<reason>" (recorded and announced). */
  breakGlass: string[];
  /** Minutes an approval request waits (core.ask ttl) before the change is aborted. */
  ttlMinutes: number;
}
export interface AccessRequest {
  /** st2 action name, e.g. add_peer. */
  task: string;
  risk: 'read' | 'change';
  /** Chat user name (action_context.api_user) or OS user; '' when unknown. */
  user: string;
  /** Chat channel (action_context.source_channel); null in a terminal. */
  channel: string | null;
  via: Via;
}

/** Why a request is refused, and what would let it through. */
export interface AccessRefusal { reason: string; hint: string }

/** A pack config `access:` value that is not a policy. */
export class AccessConfigError extends Error {}

const norm = (s: string) => s.trim().replace(/^#/, '').toLowerCase();

/** The policy nobody configured: no channels, no grants (only terminal read tasks pass). */
export const DENY_ALL: AccessPolicy = { channels: [], groups: {}, grants: [], approvals: { tasks: [], approvers: [], breakGlass: [], ttlMinutes: 60 } };

function strings(v: unknown, where: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.trim())) throw new AccessConfigError(`${where} must be a list of names, e.g. [alice, "@neteng"]`);
  return v as string[];
}

/** Read `access:` from the pack config; throws AccessConfigError naming the bad key. Missing: DENY_ALL. */
export function parsePolicy(access: unknown): AccessPolicy {
  if (access === undefined || access === null) return DENY_ALL;
  if (typeof access !== 'object' || Array.isArray(access)) throw new AccessConfigError('access must be a mapping with channels, groups and grants');
  const a = access as Record<string, unknown>;
  for (const k of Object.keys(a)) if (!['channels', 'groups', 'grants', 'approvals'].includes(k)) throw new AccessConfigError(`access.${k} is not a setting; use channels, groups, grants or approvals`);
  const groups: Record<string, string[]> = {};
  if (a.groups !== undefined) {
    if (typeof a.groups !== 'object' || a.groups === null || Array.isArray(a.groups)) throw new AccessConfigError('access.groups must map a group name to its members, e.g. neteng: [alice, bob]');
    for (const [g, m] of Object.entries(a.groups)) groups[norm(g)] = strings(m, `access.groups.${g}`).map(norm);
  }
  if (a.grants !== undefined && !Array.isArray(a.grants)) throw new AccessConfigError('access.grants must be a list of {who, tasks, channels, via}');
  const grants = ((a.grants ?? []) as unknown[]).map((g, i): Grant => {
    const at = `access.grants[${i}]`;
    if (!g || typeof g !== 'object' || Array.isArray(g)) throw new AccessConfigError(`${at} must be a mapping {who, tasks, channels, via}`);
    const o = g as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!['who', 'tasks', 'channels', 'via'].includes(k)) throw new AccessConfigError(`${at}.${k} is not a grant field; use who, tasks, channels or via`);
    const who = strings(o.who, `${at}.who`).map(norm);
    const tasks = strings(o.tasks, `${at}.tasks`).map(norm);
    if (!who.length || !tasks.length) throw new AccessConfigError(`${at} needs who and tasks, e.g. {who: ["@neteng"], tasks: [add_peer]}`);
    for (const w of who) if (w.startsWith('@') && !(w.slice(1) in groups)) throw new AccessConfigError(`${at}.who names group ${w}, which access.groups does not define`);
    const via = strings(o.via, `${at}.via`);
    for (const v of via) if (v !== 'chat' && v !== 'terminal') throw new AccessConfigError(`${at}.via: '${v}' must be chat or terminal`);
    return { who, tasks, ...(o.channels !== undefined ? { channels: strings(o.channels, `${at}.channels`).map(norm) } : {}), ...(via.length ? { via: via as Via[] } : {}) };
  });
  return { channels: strings(a.channels, 'access.channels').map(norm), groups, grants, approvals: parseApprovals(a.approvals, groups) };
}

function parseApprovals(v: unknown, groups: Record<string, string[]>): Approvals {
  if (v === undefined || v === null) return DENY_ALL.approvals;
  if (typeof v !== 'object' || Array.isArray(v)) throw new AccessConfigError('access.approvals must be a mapping {tasks, approvers, break_glass, ttl_minutes}');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['tasks', 'approvers', 'break_glass', 'ttl_minutes'].includes(k)) throw new AccessConfigError(`access.approvals.${k} is not a setting; use tasks, approvers, break_glass or ttl_minutes`);
  const approvers = strings(o.approvers, 'access.approvals.approvers').map(norm);
  const breakGlass = strings(o.break_glass, 'access.approvals.break_glass').map(norm);
  for (const w of [...approvers, ...breakGlass]) if (w.startsWith('@') && !(w.slice(1) in groups)) throw new AccessConfigError(`access.approvals names group ${w}, which access.groups does not define`);
  const tasks = strings(o.tasks, 'access.approvals.tasks').map(norm);
  if (tasks.length && !approvers.length) throw new AccessConfigError('access.approvals.tasks need approvers, e.g. approvers: ["@neteng-leads"]; otherwise nothing could ever run');
  const ttl = o.ttl_minutes ?? 60;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1) throw new AccessConfigError('access.approvals.ttl_minutes must be a whole number of minutes, e.g. 30');
  return { tasks, approvers, breakGlass, ttlMinutes: ttl };
}

/** The groups a user is in. */
export function groupsOf(policy: AccessPolicy, user: string): string[] {
  const u = norm(user);
  return Object.entries(policy.groups).filter(([, m]) => m.includes(u)).map(([g]) => g).sort();
}

/** Whether a user is named in a who-list (names, @groups, *). */
export function named(policy: AccessPolicy, who: string[], user: string): boolean {
  const u = norm(user);
  if (!u) return false;
  const groups = groupsOf(policy, u);
  return who.some((w) => w === '*' || w === u || (w.startsWith('@') && groups.includes(w.slice(1))));
}

function grantHolds(g: Grant, policy: AccessPolicy, r: AccessRequest, user: string, groups: string[]): boolean {
  const whoOk = g.who.some((w) => w === '*' || w === user || (w.startsWith('@') && groups.includes(w.slice(1))));
  const taskOk = g.tasks.some((t) => t === '*' || t === r.task || t === r.risk);
  const viaOk = !g.via || g.via.includes(r.via);
  const chanOk = r.via === 'terminal' || !g.channels || g.channels.some((c) => c === '*' || c === norm(r.channel ?? ''));
  return whoOk && taskOk && viaOk && chanOk;
}

/** Null when the request may run; otherwise why not and what would let it. Call before anything is touched. */
export function checkAccess(policy: AccessPolicy, r: AccessRequest): AccessRefusal | null {
  const user = norm(r.user);
  const words = r.task.replace(/_/g, ' ');
  if (r.via === 'chat') {
    const ch = norm(r.channel ?? '');
    if (!ch) return { reason: `${words} came from chat without a channel`, hint: 'run it from a chat channel netops listens in (the alias sets chat_channel from action_context)' };
    if (!policy.channels.includes(ch)) {
      return { reason: `netops takes no commands in #${ch}`, hint: policy.channels.length ? `ask in ${policy.channels.map((c) => `#${c}`).join(', ')}` : 'no channel is configured yet: a netops admin adds it to access.channels in the pack config' };
    }
  }
  if (!user) return { reason: `${words} has no user name to check`, hint: r.via === 'chat' ? 'the chat adapter must pass the user (action_context.api_user)' : 'set NETOPS_USER or run from a login shell' };
  const groups = groupsOf(policy, user);
  if (policy.grants.some((g) => grantHolds(g, policy, r, user, groups))) return null;
  if (r.risk === 'read') return null;
  const where = r.via === 'chat' ? ` in #${norm(r.channel ?? '')}` : ' from a terminal';
  const near = policy.grants.filter((g) => g.tasks.some((t) => t === '*' || t === r.task || t === r.risk));
  const what = near.length === 0
    ? `no grant covers ${r.task}; change tasks are refused until one does`
    : `the grants for ${r.task} name ${[...new Set(near.flatMap((g) => g.who))].join(', ')}${near.every((g) => grantHolds({ ...g, who: ['*'] }, policy, r, user, groups)) ? '' : ' (or other channels or ways in)'}; ${user} is ${groups.length ? `in ${groups.map((g) => `@${g}`).join(', ')}` : 'in no group'}`;
  return {
    reason: `${user} may not run ${r.task}${where}: ${what}`,
    hint: `a netops admin can grant it in the pack config: access.grants: [{who: [${user}], tasks: [${r.task}]${r.via === 'chat' ? `, channels: [${norm(r.channel ?? '')}]` : ''}}]`,
  };
}

/** The access part of the pack config, from a loaded config object. */
export function policyFromConfig(config: Record<string, unknown>): AccessPolicy {
  return parsePolicy(config.access);
}

/**
 * The user a terminal run is checked as: the real uid's name, never NETOPS_USER or --user
 * (anyone can set those; they only label the run). Empty when the uid has no name.
 */
export function terminalUser(): string {
  try { return userInfo().username; } catch { return ''; }
}
