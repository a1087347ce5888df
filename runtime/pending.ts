/**
 * Pending approval requests of terminal runs (StackStorm down): one JSON file per request
 * under <state_dir>/approvals/. The file's owner is the requester as the OS knows them: a
 * request whose recorded uid is not its file's owner is refused (nobody can file a request
 * in another user's name short of root). Requests expire after access.approvals.ttl_minutes.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One request waiting for a second person. */
export interface PendingRequest {
  id: string;
  task: string;
  site: string;
  /** Validated parameters (secrets masked are never stored: tasks with secrets keep them out of here). */
  params: Record<string, unknown>;
  requester: string;
  uid: number;
  at: string;
  expires: string;
  /** Source-of-truth steps and the configuration each router would get. */
  plan: { steps: string[]; config: Record<string, string> };
  /** Digest of the site in the source of truth when the plan was made (approve re-plans and compares). */
  siteDigest: string;
  command: string;
}

/** A request id people can type: r- and 8 hex digits. */
export const newRequestId = (): string => `r-${randomBytes(4).toString('hex')}`;
const ID = /^r-[0-9a-f]{8}$/;

/** Where requests live. */
export const pendingDir = (stateDir: string): string => join(stateDir, 'approvals');

/** A request that cannot be used: unknown id, bad file, not owned by its requester. Exit 2. */
export class PendingError extends Error {}

/** Store a request (owned by the calling OS user, readable and removable by the team's group). */
export function savePending(stateDir: string, r: PendingRequest): string {
  const dir = pendingDir(stateDir);
  if (!existsSync(dir)) { mkdirSync(dir, { recursive: true, mode: 0o2770 }); chmodSync(dir, 0o2770); }
  const f = join(dir, `${r.id}.json`);
  writeFileSync(f, JSON.stringify(r, null, 2) + '\n', { mode: 0o660, flag: 'wx' });
  chmodSync(f, 0o660);
  return f;
}

/** Read a request; throws PendingError when it is unknown, broken, or not its requester's file. */
export function loadPending(stateDir: string, id: string): PendingRequest {
  if (!ID.test(id)) throw new PendingError(`'${id}' is not a request id (they look like r-1a2b3c4d); pending: ${listPending(stateDir).join(', ') || 'none'}`);
  const f = join(pendingDir(stateDir), `${id}.json`);
  if (!existsSync(f)) throw new PendingError(`no pending request ${id} (already decided, expired, or never made); pending: ${listPending(stateDir).join(', ') || 'none'}`);
  let r: PendingRequest;
  try { r = JSON.parse(readFileSync(f, 'utf8')) as PendingRequest; } catch (e) { throw new PendingError(`${f}: not a request (${(e as Error).message})`); }
  if (r.id !== id || typeof r.uid !== 'number' || typeof r.requester !== 'string') throw new PendingError(`${f}: not a request of netops`);
  if (statSync(f).uid !== r.uid) throw new PendingError(`${f} names ${r.requester} (uid ${r.uid}) but is owned by uid ${statSync(f).uid}: refused, it was not filed by its requester`);
  return r;
}

/** Remove a decided or expired request. */
export function removePending(stateDir: string, id: string): void {
  rmSync(join(pendingDir(stateDir), `${id}.json`), { force: true });
}

/** Ids of the pending requests. */
export function listPending(stateDir: string): string[] {
  const dir = pendingDir(stateDir);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort() : [];
}

/** Whether a request has expired at `now`. */
export const expired = (r: PendingRequest, now = Date.now()): boolean => Date.parse(r.expires) <= now;
