/**
 * The embedded source of truth: a directory of YAML files people review in git.
 *   netops.yml          settings shared by every site (Ansible connection vars)
 *   sites/<site>.yml    routers, peering prefixes, allocations, peers of one site
 *   history.jsonl       the append-only audit log
 * Every write is a read-modify-write of one site file under that site's lock, through the
 * parsed Document (hand-written comments survive), replaced atomically. A file that does not
 * parse or validate is refused with file:line and never overwritten.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document } from 'yaml';
import { yaml } from '../yaml-lib.js';
import { withLock } from '../../runtime/locks.js';
import { peerOwner, planChange } from '../plan.js';
import { SotError, Refusal, type Actor, type Allocation, type Change, type HistoryEntry, type Peer, type Plan, type SiteView, type Site, type SourceOfTruth } from '../types.js';
import { SITE_SCHEMA, STORE_SCHEMA } from './schema.js';
import { allocationRow, checkSite, peerRow, siteRead, type SiteRow } from './site-file.js';
import { primeYamlData, readYamlData, readYamlFile, writeAtomic, type YamlFile } from './yaml-file.js';

/** Settings of netops.yml. */
export interface StoreSettings { version?: 1; ansible?: Record<string, unknown> }

const SITE_NAME = /^[a-z][a-z0-9-]{1,31}$/;

/** The file-backed source of truth. */
export class FileStore implements SourceOfTruth {
  readonly kind = 'file' as const;
  readonly location: string;
  private readonly lockDir: string;

  /** Where validated site data is cached as JSON (null: in this process only). */
  private readonly cacheDir: string | null;

  constructor(readonly dir: string, opts: { lockDir?: string; lockWait?: number; cacheDir?: string | null } = {}) {
    this.location = dir;
    this.cacheDir = opts.cacheDir ?? null;
    this.lockDir = opts.lockDir ?? join(dir, '.locks');
    this.lockWait = opts.lockWait ?? 30;
  }
  private readonly lockWait: number;

  /** netops.yml ({} when absent). */
  settings(): StoreSettings {
    const p = join(this.dir, 'netops.yml');
    if (!existsSync(p)) return {};
    return readYamlData<StoreSettings>(p, STORE_SCHEMA).data;
  }

  private sitePath(name: string): string { return join(this.dir, 'sites', `${name}.yml`); }

  private siteNames(): string[] {
    const d = join(this.dir, 'sites');
    if (!existsSync(this.dir)) throw new SotError('the source-of-truth directory does not exist (NETOPS_SOT_DIR / pack config sot_dir)', this.dir);
    if (!existsSync(d)) return [];
    return readdirSync(d).filter((n) => n.endsWith('.yml') && !n.startsWith('.')).map((n) => n.slice(0, -4)).filter((n) => SITE_NAME.test(n)).sort();
  }

  /** A site file with its Document (for a write). */
  private load(name: string): YamlFile<SiteRow> | null {
    if (!SITE_NAME.test(name)) return null;
    const p = this.sitePath(name);
    if (!existsSync(p)) return null;
    const f = readYamlFile<SiteRow>(p, SITE_SCHEMA);
    checkSite(f.data, name, () => f);
    return f;
  }

  /** A site file's view (for a read: no Document unless a problem must be located; cached by content). */
  private read(name: string): SiteView | null {
    if (!SITE_NAME.test(name)) return null;
    const p = this.sitePath(name);
    if (!existsSync(p)) return null;
    return readYamlData(p, SITE_SCHEMA, { cacheDir: this.cacheDir, step: siteRead(name) }).data;
  }

  async sites(): Promise<Site[]> {
    return this.siteNames().map((n) => this.read(n)!.site);
  }

  async site(name: string): Promise<SiteView | null> {
    return this.read(name);
  }

  async plan(change: Change, actor: Actor): Promise<Plan> {
    const view = await this.site(change.site);
    if (!view) throw new Refusal(`unknown site '${change.site}'; known sites: ${this.siteNames().join(', ') || '(none)'}`);
    return planChange(view, change, actor);
  }

  /** Read-modify-write one site file under its lock. */
  private async mutate(site: string, txn: string, fn: (doc: Document, data: SiteRow) => boolean): Promise<void> {
    await withLock(this.lockDir, `site-${site}`, { user: 'netops', task: 'sot-write', run: txn }, this.lockWait, () => {
      const f = this.load(site);
      if (!f) throw new SotError(`site ${site} has no file any more`, this.sitePath(site));
      if (!fn(f.doc, f.data)) return;
      const text = f.doc.toString({ lineWidth: 0, flowCollectionPadding: false });
      writeAtomic(f.path, text);
      primeYamlData(f.path, text, SITE_SCHEMA, { cacheDir: this.cacheDir, step: siteRead(site) });
    });
  }

  async prepare(plan: Plan): Promise<void> {
    const { change, actor, txn } = plan;
    const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await this.mutate(change.site, txn, (doc, data) => {
      if (change.kind === 'add_peer') {
        let changed = false;
        // rows that appeared after the plan belong to another change, unless a retry of this prepare wrote them
        const taken = [...(plan.before.allocation ? [] : (data.allocations ?? []).filter((a) => a.address === change.ip)),
          ...(plan.before.peer ? [] : (data.peers ?? []).filter((p) => p.ip === change.ip))].find((r) => r.txn !== txn);
        if (taken) throw new Refusal(`${change.ip} at ${change.site} was recorded ${taken.txn ? `by another change (transaction ${taken.txn})` : 'by hand'} after this one was planned`, `check it with: netops show-site in=${change.site}`);
        if (!plan.before.allocation && !(data.allocations ?? []).some((a) => a.address === change.ip)) {
          const a: Allocation = { address: change.ip, prefix: plan.prefix!, site: change.site, owner: peerOwner(change.as), description: change.description, status: 'pending', by: actor.user, at, via: actor.via, txn };
          appendRow(doc, 'allocations', allocationRow(a));
          changed = true;
        }
        const i = (data.peers ?? []).findIndex((p) => p.ip === change.ip);
        if (i < 0) {
          const p: Peer = { ip: change.ip, as: change.as, site: change.site, routers: change.routers, description: change.description, status: 'pending', by: actor.user, at, via: actor.via, channel: actor.channel, txn };
          appendRow(doc, 'peers', peerRow(p));
          changed = true;
        } else if (change.description !== null && data.peers![i]!.description !== change.description) {
          claimable(change.site, data.peers![i]!, txn);
          doc.setIn(['peers', i, 'status'], 'pending');
          doc.setIn(['peers', i, 'txn'], txn);
          changed = true;
        }
        return changed;
      }
      return markPending(doc, data, change.ip, plan.before.allocation !== null, txn, change.site);
    });
  }

  async commit(plan: Plan): Promise<void> {
    const { change, txn } = plan;
    await this.mutate(change.site, txn, (doc, data) => {
      if (change.kind === 'remove_peer') {
        let changed = removeWhere(doc, data.peers ?? [], 'peers', (p) => p.ip === change.ip && p.txn === txn);
        if (plan.before.allocation) changed = removeWhere(doc, data.allocations ?? [], 'allocations', (a) => a.address === change.ip && a.txn === txn) || changed;
        return changed;
      }
      let changed = false;
      (data.allocations ?? []).forEach((a, i) => { if (a.address === change.ip && a.txn === txn && a.status === 'pending') { doc.setIn(['allocations', i, 'status'], 'active'); changed = true; } });
      (data.peers ?? []).forEach((p, i) => {
        if (p.ip === change.ip && p.txn === txn && p.status === 'pending') {
          doc.setIn(['peers', i, 'status'], 'active');
          if (change.description !== null) doc.setIn(['peers', i, 'description'], change.description);
          changed = true;
        }
      });
      return changed;
    });
  }

  async abort(plan: Plan): Promise<void> {
    const { change, txn, before } = plan;
    await this.mutate(change.site, txn, (doc, data) => {
      let changed = false;
      const restore = (list: 'peers' | 'allocations', key: 'ip' | 'address', prev: Peer | Allocation | null) => {
        const rows = (data[list] ?? []) as unknown as Record<string, unknown>[];
        rows.forEach((r, i) => {
          if (r[key] !== change.ip || r.txn !== txn) return;
          if (prev) { doc.setIn([list, i, 'status'], prev.status); doc.setIn([list, i, 'txn'], prev.txn); if (list === 'peers') doc.setIn([list, i, 'description'], (prev as Peer).description); }
          changed = true;
        });
        if (!prev) changed = removeWhere(doc, rows, list, (r) => r[key] === change.ip && r.txn === txn) || changed;
      };
      restore('peers', 'ip', before.peer);
      restore('allocations', 'address', before.allocation);
      return changed;
    });
  }

  /** The append-only audit log (followed by the bridge's correlation). */
  get historyFile(): string { return join(this.dir, 'history.jsonl'); }

  async record(entry: HistoryEntry): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(this.historyFile, JSON.stringify(entry) + '\n', { mode: 0o644 });
  }

  async history(filter: { site?: string; limit?: number } = {}): Promise<HistoryEntry[]> {
    const p = this.historyFile;
    if (!existsSync(p)) return [];
    const out: HistoryEntry[] = [];
    readFileSync(p, 'utf8').split('\n').forEach((line, i, all) => {
      if (!line.trim()) return;
      let e: HistoryEntry;
      try { e = JSON.parse(line) as HistoryEntry; } catch {
        if (i === all.length - 1) return; // a torn last line (crash mid-append) is skipped
        throw new SotError('not a JSON history line', `${p}:${i + 1}`);
      }
      if (!filter.site || e.site === filter.site) out.push(e);
    });
    return filter.limit ? out.slice(-filter.limit) : out;
  }
}

function appendRow(doc: Document, list: 'peers' | 'allocations', row: object): void {
  const node = doc.createNode(row);
  const seq = doc.get(list, true);
  if (yaml().isSeq(seq)) { seq.flow = false; seq.items.push(node); } else doc.set(list, doc.createNode([row]));
}

function removeWhere<T>(doc: Document, rows: T[], list: string, pred: (r: T) => boolean): boolean {
  let changed = false;
  for (let i = rows.length - 1; i >= 0; i--) if (pred(rows[i]!)) { doc.deleteIn([list, i]); changed = true; }
  return changed;
}

/**
 * A row this txn may mark pending: not pending for another txn. Planning refuses such rows, but
 * the file can change between the plan and the prepare (another writer that did not hold the
 * site's lock, a hand edit): the prepare, under the file's lock, checks again rather than take
 * over the other change's row (whose commit or abort would then act on ours).
 */
function claimable(site: string, row: { status: string; txn?: string | null; ip?: string; address?: string }, txn: string): void {
  if (row.status === 'pending' && row.txn !== txn)
    throw new Refusal(`${row.ip ?? row.address} at ${site} became part of another change (transaction ${row.txn}) after this one was planned`, `wait for it, or run: netops recover in=${site}`);
}

function markPending(doc: Document, data: SiteRow, ip: string, withAllocation: boolean, txn: string, site: string): boolean {
  const peers = (data.peers ?? []).flatMap((p, i) => (p.ip === ip ? [i] : []));
  const allocations = withAllocation ? (data.allocations ?? []).flatMap((a, i) => (a.address === ip ? [i] : [])) : [];
  // every row is checked before any is marked: a refusal leaves the file as it was
  peers.forEach((i) => claimable(site, data.peers![i]!, txn));
  allocations.forEach((i) => claimable(site, data.allocations![i]!, txn));
  for (const i of peers) { doc.setIn(['peers', i, 'status'], 'pending'); doc.setIn(['peers', i, 'txn'], txn); }
  for (const i of allocations) { doc.setIn(['allocations', i, 'status'], 'pending'); doc.setIn(['allocations', i, 'txn'], txn); }
  return peers.length + allocations.length > 0;
}
