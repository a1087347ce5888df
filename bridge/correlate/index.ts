/**
 * The bridge's in-memory index of recent changes, per router, and the pure correlation:
 * for an event at `now`, the newest change on its router within the window, a change that
 * names the event's peer or interface preferred over a newer one that does not.
 *
 * Bounded: per router at most `perRouter` changes, none older than `retainMs`; entry ids seen
 * are remembered (for re-reads after rotation or truncation) up to `maxIds`. A lookup walks one
 * router's list from its newest end and stops at the window: O(changes in the window), no I/O.
 */
import type { HistoryEntry } from '../../sot/types.js';
import type { LastChange } from '../event.js';
import { neutralise } from '../neutralise.js';
import { agoText, describeEntry } from './describe.js';
import { entryTokens } from './routers.js';

/** One indexed change. */
export interface IndexedChange {
  id: string;
  atMs: number;
  at: string;
  who: string;
  via: 'chat' | 'terminal';
  channel: string | null;
  task: string;
  status: string;
  summary: string;
  tokens: Set<string>;
  /** Routers it is indexed under (set by ChangeIndex.add). */
  routers?: readonly string[];
}

/** What an event asks about. */
export interface Query {
  router: string;
  peer?: string | null;
  interface?: string | null;
}

export interface IndexOptions {
  /** Keep changes this long (at least the correlation window). */
  retainMs: number;
  /** Changes kept per router (default 64). */
  perRouter?: number;
  /** Entry ids remembered for de-duplication (default 8192). */
  maxIds?: number;
}

/** A change recorded up to this far after the event still counts (clocks of two hosts). */
export const CLOCK_SKEW_MS = 60_000;

/** An audit log entry as an indexed change; null when its time does not parse. */
export function indexedChange(e: HistoryEntry): IndexedChange | null {
  const atMs = Date.parse(e.at);
  if (!Number.isFinite(atMs) || typeof e.id !== 'string' || typeof e.task !== 'string') return null;
  return {
    // User text (names, channels, descriptions) is made harmless for Jinja and Slack like device text.
    id: e.id, atMs, at: new Date(atMs).toISOString().replace(/\.\d+Z$/, 'Z'), who: neutralise(String(e.user ?? '?')), via: e.via === 'chat' ? 'chat' : 'terminal',
    channel: e.channel ? neutralise(String(e.channel)) : null, task: neutralise(e.task), status: neutralise(String(e.status)), summary: neutralise(describeEntry(e)), tokens: entryTokens(e),
  };
}

/** The change that best explains an event at `now` among one router's changes (oldest first). Pure. */
export function pickChange(changes: readonly IndexedChange[], q: Query, now: number, windowMs: number): LastChange | null {
  const peer = q.peer ? q.peer.toLowerCase() : null;
  const intf = q.interface ? q.interface.toLowerCase() : null;
  let newest: IndexedChange | null = null;
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i]!;
    if (c.atMs > now + CLOCK_SKEW_MS) continue;
    if (c.atMs < now - windowMs) break;
    if ((peer !== null && c.tokens.has(peer)) || (intf !== null && c.tokens.has(intf))) return lastChange(c, now, true);
    newest ??= c;
    if (peer === null && intf === null) break;
  }
  return newest ? lastChange(newest, now, false) : null;
}

function lastChange(c: IndexedChange, now: number, touches: boolean): LastChange {
  const ago = Math.max(0, Math.round((now - c.atMs) / 1000));
  return { who: c.who, via: c.via, channel: c.channel, task: c.task, summary: c.summary, status: c.status, at: c.at, ago_s: ago, ago: agoText(ago), touches, id: c.id };
}

/** Status of a change still in progress (runtime/running.ts); its audit entry replaces it. */
export const RUNNING = 'running';

/** Recent changes per router. */
export class ChangeIndex {
  private readonly byRouter = new Map<string, IndexedChange[]>();
  /** Ids of finished changes indexed (only ids: a change pruned from the lists is not kept alive here). */
  private readonly ids = new Set<string>();
  /** Changes in progress, until their audit entry replaces them or their marker goes. */
  private readonly running = new Map<string, IndexedChange>();
  private readonly perRouter: number;
  private readonly maxIds: number;
  /** Changes indexed, and ones skipped as already seen. */
  readonly counts = { indexed: 0, duplicates: 0 };

  constructor(private readonly o: IndexOptions) {
    this.perRouter = o.perRouter ?? 64;
    this.maxIds = o.maxIds ?? 8192;
  }

  /** Whether this entry id was indexed already (a change in progress counts only for another marker). */
  seen(id: string, status?: string): boolean {
    return this.ids.has(id) || (status === RUNNING && this.running.has(id));
  }

  /** Index one change for its routers (kept in time order); false if it was seen already. A finished change replaces its in-progress marker. */
  add(c: IndexedChange, routers: readonly string[], now: number): boolean {
    if (this.seen(c.id, c.status)) { this.counts.duplicates++; return false; }
    const old = this.running.get(c.id);
    if (old) { this.unlist(old); this.running.delete(c.id); }
    if (c.status === RUNNING) {
      this.running.set(c.id, c);
      if (this.running.size > 1024) this.dropRunning(this.running.keys().next().value!);
    } else {
      this.ids.add(c.id);
      if (this.ids.size > this.maxIds) this.ids.delete(this.ids.values().next().value!);
    }
    this.counts.indexed++;
    c.routers = routers;
    for (const r of routers) {
      let list = this.byRouter.get(r);
      if (!list) this.byRouter.set(r, (list = []));
      let i = list.length;
      while (i > 0 && list[i - 1]!.atMs > c.atMs) i--;
      list.splice(i, 0, c);
      this.prune(list, now);
    }
    return true;
  }

  /** Forget a change in progress whose marker is gone without an audit entry (yet). */
  dropRunning(id: string): void {
    const c = this.running.get(id);
    if (!c) return;
    this.unlist(c);
    this.running.delete(id);
  }

  /** Ids of the changes in progress held. */
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  private unlist(c: IndexedChange): void {
    for (const r of c.routers ?? []) {
      const list = this.byRouter.get(r);
      const i = list ? list.indexOf(c) : -1;
      if (i >= 0) list!.splice(i, 1);
    }
  }

  private prune(list: IndexedChange[], now: number): void {
    let drop = Math.max(0, list.length - this.perRouter);
    while (drop < list.length && list[drop]!.atMs < now - this.o.retainMs) drop++;
    if (drop) list.splice(0, drop);
  }

  /** The change that best explains an event on `q.router` at `now` (see pickChange). */
  lookup(q: Query, now: number, windowMs: number): LastChange | null {
    const list = this.byRouter.get(q.router);
    return list ? pickChange(list, q, now, windowMs) : null;
  }

  /** Drop what is older than the retention everywhere (run now and then). */
  sweep(now: number): void {
    for (const [r, list] of this.byRouter) {
      this.prune(list, now);
      if (list.length === 0) this.byRouter.delete(r);
    }
  }

  /** Changes held, over all routers. */
  size(): number {
    let n = 0;
    for (const l of this.byRouter.values()) n += l.length;
    return n;
  }
}
