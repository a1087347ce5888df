/**
 * netops' own Nautobot App (nautobot-app/netops_sot, under /api/plugins/netops-sot/): the site
 * read in one request (the GraphQL read's shape, so mapping.ts serves both paths) and each
 * phase of a change in one request and one database transaction. Used when the server has it
 * (found out once per client: the first site read asks the App, a 404 that is not the App's
 * means it is absent), else the stock REST path (write.ts). NETOPS_NAUTOBOT_APP=off (or the
 * `app: false` option) keeps to the stock path; `on` requires the App. See docs/nautobot.md.
 */
import { Refusal, SotError, type Plan } from '../types.js';
import type { NautobotClient } from './client.js';

export const APP_PATH = 'plugins/netops-sot/';

/** How to use the App: 'auto' (when the server has it), 'on' (required), 'off' (never). */
export type AppMode = 'auto' | 'on' | 'off';

/** The mode from an option or NETOPS_NAUTOBOT_APP (default auto); anything else is an error. */
export function appMode(opt?: boolean | AppMode): AppMode {
  if (opt === true) return 'on';
  if (opt === false) return 'off';
  const v = (opt ?? process.env.NETOPS_NAUTOBOT_APP ?? 'auto').trim().toLowerCase();
  if (v === 'auto' || v === '') return 'auto';
  if (['on', '1', 'yes', 'true'].includes(v)) return 'on';
  if (['off', '0', 'no', 'false'].includes(v)) return 'off';
  throw new SotError(`NETOPS_NAUTOBOT_APP must be auto, on or off (not "${v}")`, 'nautobot');
}

/** The App's status answer. */
export interface AppStatus { app: string; version: string; phases: string[]; kinds: string[] }

/** Whether a client's server has the App: known after the first answer, asked once. */
export class AppProbe {
  private known: boolean | undefined;
  private asking: Promise<boolean> | null = null;

  /** The App's API path under /api/, ending in `/`. */
  readonly path: string;

  constructor(private readonly client: NautobotClient, readonly mode: AppMode, path: string = APP_PATH) {
    if (mode === 'off') this.known = false;
    this.path = path.replace(/^\/+/, '').replace(/\/*$/, '/');
  }

  /** What is known so far (undefined: not asked yet). */
  get state(): boolean | undefined {
    return this.known;
  }

  /** Record what an answer of the App's paths showed. */
  learn(present: boolean): void {
    if (!present && this.mode === 'on') throw new SotError(`the netops_sot App is not installed on this Nautobot (NETOPS_NAUTOBOT_APP=on)`, `${this.client.url}/api/${this.path}`);
    this.known = present;
  }

  /** Ask the server once (GET the App's status) unless already known. */
  async present(): Promise<boolean> {
    if (this.known !== undefined) return this.known;
    this.asking ??= this.client.raw('GET', this.path).then((r) => {
      if (r.status !== 200 && r.status !== 404) throw this.client.httpError('GET', this.path, r.status, r.data);
      this.learn(r.status === 200 && (r.data as Partial<AppStatus>)?.app === 'netops_sot');
      return this.known!;
    }).finally(() => {
      this.asking = null;
    });
    return this.asking;
  }
}

/** An App answer's body says it is the App's own (not Nautobot's "no such page"). */
export function fromApp(data: unknown): boolean {
  return !!data && typeof data === 'object' && 'netops' in data;
}

/** The raw site read through the App: the body, null for an unknown site, undefined when the App is absent. */
export async function appSite(client: NautobotClient, probe: AppProbe, site: string, asns: number[]): Promise<unknown | null | undefined> {
  const r = await client.raw('GET', `${probe.path}sites/${encodeURIComponent(site)}/`, undefined, asns.length ? { asn: asns } : {});
  if (r.status === 200) {
    probe.learn(true);
    return r.data;
  }
  if (r.status === 404 && fromApp(r.data)) {
    probe.learn(true);
    return null;
  }
  if (r.status === 404) {
    probe.learn(false);
    return undefined;
  }
  throw client.httpError('GET', `${probe.path}sites/${site}/`, r.status, r.data);
}

/** One phase of a change through the App (one request, one transaction). */
export async function appChange(client: NautobotClient, probe: AppProbe, phase: 'prepare' | 'commit' | 'abort', plan: Plan): Promise<string> {
  const path = `${probe.path}changes/`;
  const r = await client.raw('POST', path, { phase, plan: wirePlan(plan) });
  if (r.status >= 200 && r.status < 300) return (r.data as { result: string }).result;
  const body = r.data as { netops?: string; detail?: string; site?: string } | null;
  // a record is pending for another txn (checked under the site's row lock, nothing written)
  if (r.status === 409 && body?.netops === 'claimed') throw new Refusal(String(body.detail), `wait for it, or run: netops recover in=${body.site ?? plan.change.site}`);
  throw client.httpError('POST', path, r.status, r.data);
}

/** The plan as the App reads it (everything but the human steps). */
function wirePlan(plan: Plan): Omit<Plan, 'steps'> {
  const { steps: _s, ...rest } = plan;
  return rest;
}
