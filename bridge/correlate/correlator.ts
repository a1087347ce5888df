/**
 * The bridge's correlation of device events with netops changes: keeps a ChangeIndex fed from
 * the source of truth's audit log in the background, and answers `lookup(event)` from memory
 * (no I/O on the event path).
 * - File store: the history.jsonl tail (LogTail), polled every `pollMs` and when fs.watch says
 *   the directory changed.
 * - Any other backend (Nautobot): `history({ limit })` through the SourceOfTruth interface, every
 *   `pollMs`; entries already indexed are skipped by id.
 * Routers (name, address, site) come from the source of truth, re-read every `routersMs` and when
 * an entry names a site not seen yet.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { HistoryEntry, Router, SourceOfTruth } from '../../sot/types.js';
import type { DeviceEvent, LastChange } from '../event.js';
import { ChangeIndex, indexedChange } from './index.js';
import { entryRouters, eventRouter, routerMap, type RouterMap } from './routers.js';
import { LogTail } from './tail.js';
import { RunningDir } from './running.js';

type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

export interface CorrelatorOptions {
  sot: SourceOfTruth;
  /** The file store's audit log to follow; null: read `sot.history()`. */
  historyFile: string | null;
  /** The runtime's changes-in-progress directory (`<state>/running`); null: none. */
  runningDir?: string | null;
  /** Correlation window (default 60 min). */
  windowMs?: number;
  /** How often the audit log is read (default 1 s for a file, 10 s otherwise). */
  pollMs?: number;
  /** How often the routers are re-read (default 5 min). */
  routersMs?: number;
  /** Entries asked of a backend without a file per poll (default 500). */
  historyLimit?: number;
  perRouter?: number;
  log: Log;
}

/** Correlation counters. */
export interface CorrelatorStats { lookups: number; found: number; indexed: number; held: number; routers: number; bad_lines: number; rotations: number; truncations: number; errors: number }

export class Correlator {
  readonly windowMs: number;
  private readonly index: ChangeIndex;
  private routers: RouterMap = routerMap([]);
  private readonly tail: LogTail | null;
  private timer: NodeJS.Timeout | null = null;
  private routerTimer: NodeJS.Timeout | null = null;
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly running: RunningDir | null;
  private polling: Promise<void> | null = null;
  private again = false;
  private routersAt = 0;
  private lastError = '';
  private readonly c = { lookups: 0, found: 0, errors: 0 };
  private resolved = new Map<string, string | null>();

  constructor(private readonly o: CorrelatorOptions) {
    this.windowMs = o.windowMs ?? 60 * 60_000;
    this.index = new ChangeIndex({ retainMs: this.windowMs, perRouter: o.perRouter });
    this.tail = o.historyFile ? new LogTail({ path: o.historyFile, since: Date.now() - this.windowMs }) : null;
    this.running = o.runningDir ? new RunningDir(o.runningDir) : null;
  }

  /** Read the routers and the recent changes, then keep following. */
  async start(): Promise<void> {
    await this.loadRouters();
    await this.poll();
    const every = this.o.pollMs ?? (this.tail ? 1000 : 10_000);
    this.timer = setInterval(() => void this.poll(), every);
    this.timer.unref();
    this.routerTimer = setInterval(() => void this.loadRouters(), this.o.routersMs ?? 300_000);
    this.routerTimer.unref();
    const st = this.stats();
    this.o.log('info', `correlating events with changes in the last ${Math.round(this.windowMs / 60_000)} min from ${this.o.historyFile ?? this.o.sot.location}${this.running ? ` and ${this.running.dir}` : ''}: ${st.held} changes on ${st.routers} routers`);
  }

  /** fs.watch on the directories read (once each exists), so a change is seen at once, not at the next poll. */
  private ensureWatches(): void {
    const dirs: Array<[string, string | null]> = [];
    if (this.o.historyFile) dirs.push([dirname(this.o.historyFile), basename(this.o.historyFile)]);
    if (this.running) dirs.push([this.running.dir, null]);
    for (const [dir, file] of dirs) {
      if (this.watchers.has(dir) || this.closed) continue;
      try {
        const w = watch(dir, { persistent: false }, (_t, name) => { if (!file || !name || name === file) void this.poll(); });
        w.on('error', () => { w.close(); this.watchers.delete(dir); });
        this.watchers.set(dir, w);
      } catch { /* not there yet: polling finds it */ }
    }
  }

  private closed = false;

  /** The last change on the event's router within the window, or null (memory only). */
  lookup(ev: Pick<DeviceEvent, 'router' | 'host' | 'ip' | 'peer' | 'interface'>, now = Date.now()): LastChange | null {
    this.c.lookups++;
    // Router resolution is memoised per (router, host, ip) until the routers are read again.
    const k = `${ev.router}\u0000${ev.host}\u0000${ev.ip}`;
    let router = this.resolved.get(k);
    if (router === undefined) {
      router = eventRouter(this.routers, ev);
      if (this.resolved.size >= 4096) this.resolved.clear();
      this.resolved.set(k, router);
    }
    if (!router) return null;
    const r = this.index.lookup({ router, peer: ev.peer, interface: ev.interface }, now, this.windowMs);
    if (r) this.c.found++;
    return r;
  }

  /** One read of the audit log (polls do not overlap; a request during one runs once more after it). */
  poll(): Promise<void> {
    if (this.polling) { this.again = true; return this.polling; }
    this.polling = (async () => {
      do {
        this.again = false;
        try {
          this.add(this.tail ? await this.tail.poll() : await this.o.sot.history({ limit: this.o.historyLimit ?? 500 }));
          if (this.running) {
            const r = await this.running.scan();
            this.add(r.added);
            for (const id of r.gone) this.index.dropRunning(id);
          }
          await this.retryUnrouted();
          this.ensureWatches();
          this.lastError = '';
        } catch (e) {
          this.c.errors++;
          const msg = (e as Error).message;
          if (msg !== this.lastError) this.o.log('warn', `correlation: cannot read the audit log (${msg}); events go out without last_change until it can`);
          this.lastError = msg;
        }
      } while (this.again);
    })().finally(() => { this.polling = null; });
    return this.polling;
  }

  /** Entries of sites not known yet (a store created after the bridge started), kept for the next routers read. */
  private unrouted: HistoryEntry[] = [];

  private add(entries: HistoryEntry[]): void {
    const now = Date.now();
    for (const e of entries) {
      if (!e || this.index.seen(e.id, e.status)) continue;
      const c = indexedChange(e);
      if (!c || c.atMs < now - this.windowMs) continue;
      const routers = entryRouters(this.routers, e);
      if (routers.length) this.index.add(c, routers, now);
      else if (e.site && !this.routers.bySite.has(e.site) && this.unrouted.length < 1000) this.unrouted.push(e);
    }
    this.index.sweep(now);
  }

  /** Re-read the routers (at most every 2 s) when entries wait for them, and index those entries. */
  private async retryUnrouted(): Promise<void> {
    if (this.unrouted.length === 0 || Date.now() - this.routersAt < 2000) return;
    await this.loadRouters();
    const waiting = this.unrouted;
    this.unrouted = [];
    this.add(waiting.filter((e) => this.routers.bySite.has(e.site!)));
  }

  private async loadRouters(): Promise<void> {
    this.routersAt = Date.now();
    try {
      const all: Router[] = [];
      for (const s of await this.o.sot.sites()) all.push(...((await this.o.sot.site(s.name))?.routers ?? []));
      this.routers = routerMap(all);
      this.resolved = new Map();
    } catch (e) {
      this.c.errors++;
      this.o.log('debug', `correlation: routers not read from ${this.o.sot.location}: ${(e as Error).message}`);
    }
  }

  stats(): CorrelatorStats {
    const t = this.tail?.counts;
    return {
      lookups: this.c.lookups, found: this.c.found, indexed: this.index.counts.indexed, held: this.index.size(),
      routers: new Set([...this.routers.byName.values()].map((r) => r.name)).size,
      bad_lines: t?.bad ?? 0, rotations: t?.rotations ?? 0, truncations: t?.truncations ?? 0, errors: this.c.errors,
    };
  }

  /** Stop following. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.routerTimer) clearInterval(this.routerTimer);
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    await this.polling;
    await this.tail?.close();
  }
}
