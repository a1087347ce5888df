/**
 * The Nautobot backend of the source of truth (Nautobot 3.x + nautobot-bgp-models). Sites are
 * Locations, edge routers Devices with role edge-router, peering prefixes Prefixes with role
 * peering at the Location, a peer's address an IP Address in that prefix, a session a BGP
 * Peering with two Peer Endpoints. With netops' Nautobot App on the server (app.ts) a site read
 * is one GET and each phase of a change one POST in one transaction; without it, the stock REST
 * path (query.ts GraphQL read, write.ts). See docs/nautobot.md.
 */
import { randomUUID } from 'node:crypto';
import { Refusal, type Actor, type Change, type HistoryEntry, type Plan, type Site, type SiteView, type SourceOfTruth } from '../types.js';
import { AppProbe, appChange, appMode } from './app.js';
import { NautobotClient, type NautobotOptions } from './client.js';
import { readHistory, recordEntry } from './history.js';
import { siteViewOf } from './mapping.js';
import { planChange, unknownSite } from './plan.js';
import { readSite, readSites, type SiteData } from './query.js';
import { abort, commit, MemoStore, prepare, refuseClaimed } from './write.js';

export { NautobotClient, type NautobotOptions } from './client.js';

/** SourceOfTruth over a Nautobot's REST (and GraphQL read) API. */
export class NautobotSourceOfTruth implements SourceOfTruth {
  readonly kind = 'nautobot' as const;
  readonly location: string;
  readonly client: NautobotClient;
  private readonly memo = new MemoStore();
  /** The raw read behind each view site() returned: plan(change, actor, view) reuses it instead of a second round trip. */
  private readonly raw = new WeakMap<SiteView, SiteData>();
  /** Whether the server has netops' App (asked once). */
  readonly app: AppProbe;

  constructor(opts: NautobotOptions = {}) {
    this.client = new NautobotClient(opts);
    this.location = this.client.url;
    this.app = new AppProbe(this.client, appMode(opts.app), opts.appPath);
  }

  async sites(): Promise<Site[]> {
    return (await readSites(this.client, this.app)).map((s) => ({ name: s.name, description: s.description || null }));
  }

  async site(name: string): Promise<SiteView | null> {
    const d = await readSite(this.client, name, [], this.app);
    if (!d) return null;
    const view = siteViewOf(d);
    this.raw.set(view, d);
    return view;
  }

  async plan(change: Change, actor: Actor, basis?: SiteView): Promise<Plan> {
    const reuse = basis && basis.site.name === change.site ? this.raw.get(basis) : undefined;
    const d = reuse ?? (await readSite(this.client, change.site, change.kind === 'add_peer' ? [change.as] : [], this.app));
    if (!d) throw unknownSite(change.site, (await this.sites()).map((s) => s.name));
    const plan = planChange(siteViewOf(d), change, actor, randomUUID());
    if (this.app.state !== true) this.memo.get(plan.txn).site = d;
    return plan;
  }

  async prepare(plan: Plan): Promise<void> {
    try {
      if (await this.app.present()) await appChange(this.client, this.app, 'prepare', plan);
      else await prepare(this.client, plan, this.memo.get(plan.txn));
    } catch (e) {
      if (!(e instanceof Refusal)) await this.refuseAsPlanned(plan);
      throw e;
    }
  }

  /**
   * After an add's prepare failed (nothing written: one transaction through the App, cleaned up on
   * the stock path): when the site's records changed since the plan (a record now pending for
   * another txn; the address taken by hand or by another change, the peer recorded with another
   * AS), that is the answer, as a Refusal with what to type instead, from a fresh read: the claim
   * check, then the plan made again. Otherwise nothing (the caller rethrows the failure).
   */
  private async refuseAsPlanned(plan: Plan): Promise<void> {
    const c = plan.change;
    if (c.kind !== 'add_peer') return;
    const d = await readSite(this.client, c.site, [c.as], this.app).catch(() => null);
    if (!d) return;
    refuseClaimed(d, c.ip, plan.txn);
    const view = siteViewOf(d);
    // (records of this txn left by a clean-up that failed are not another change's)
    if (view.peers.some((p) => p.txn === plan.txn)) return;
    planChange(view, c, plan.actor, plan.txn);
  }

  async commit(plan: Plan): Promise<void> {
    if (await this.app.present()) {
      await appChange(this.client, this.app, 'commit', plan);
      this.memo.drop(plan.txn);
      return;
    }
    await commit(this.client, plan, this.memo.get(plan.txn));
    this.memo.drop(plan.txn);
  }

  async abort(plan: Plan): Promise<void> {
    this.memo.drop(plan.txn);
    if (await this.app.present()) {
      await appChange(this.client, this.app, 'abort', plan);
      return;
    }
    await abort(this.client, plan);
  }

  record(entry: HistoryEntry): Promise<void> {
    return recordEntry(this.client, entry);
  }

  history(filter?: { site?: string; limit?: number }): Promise<HistoryEntry[]> {
    return readHistory(this.client, filter);
  }
}
