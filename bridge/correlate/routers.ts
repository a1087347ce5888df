/**
 * Which routers an event and an audit log entry are about, from the source of truth's routers:
 * an event by its router name (the inventory's, or the host name the device gave: case and
 * domain ignored) or else its sender address; an entry by the routers its config lines name
 * ("bma-edge1: neighbor …"), else its `routers` (a change in progress) or `routers` parameter,
 * else every router of its site. Pure.
 */
import type { HistoryEntry, Router } from '../../sot/types.js';

/** Name and address → router, and site → its routers. */
export interface RouterMap {
  byName: Map<string, { name: string; site: string }>;
  byAddress: Map<string, string>;
  bySite: Map<string, string[]>;
}

/** Statuses of runs that touched routers (denied, invalid, busy and unchanged runs did not). */
export const TOUCHED = new Set(['changed', 'partial', 'failed', 'timeout', 'stopped', 'running']);

const key = (s: string): string => s.toLowerCase();
/** "bma-edge1.lab.example.net" → "bma-edge1". */
const shortName = (s: string): string => key(s).split('.')[0]!;

/** The map from the routers of every site. */
export function routerMap(routers: Array<Pick<Router, 'name' | 'site' | 'address'>>): RouterMap {
  const m: RouterMap = { byName: new Map(), byAddress: new Map(), bySite: new Map() };
  for (const r of routers) {
    m.byName.set(key(r.name), { name: r.name, site: r.site });
    if (!m.byName.has(shortName(r.name))) m.byName.set(shortName(r.name), { name: r.name, site: r.site });
    if (r.address) m.byAddress.set(r.address, r.name);
    m.bySite.set(r.site, [...(m.bySite.get(r.site) ?? []), r.name]);
  }
  return m;
}

/** The source-of-truth router an event comes from, or null. */
export function eventRouter(m: RouterMap, ev: { router?: string | null; host?: string | null; ip?: string }): string | null {
  for (const n of [ev.router, ev.host]) {
    if (!n) continue;
    const r = m.byName.get(key(n)) ?? m.byName.get(shortName(n));
    if (r) return r.name;
  }
  return (ev.ip && m.byAddress.get(ev.ip)) || null;
}

const LINE_HOST = /^([A-Za-z0-9][\w.-]*): /;

/** The routers an entry touched (empty for entries that touched none). */
export function entryRouters(m: RouterMap, e: Pick<HistoryEntry, 'site' | 'plan' | 'params' | 'status'> & { routers?: unknown }): string[] {
  if (!TOUCHED.has(e.status)) return [];
  const named = new Set<string>();
  for (const line of e.plan ?? []) {
    const h = LINE_HOST.exec(line)?.[1];
    const r = h ? m.byName.get(key(h)) : undefined;
    if (r) named.add(r.name);
  }
  if (named.size) return [...named];
  const listed = Array.isArray(e.routers) ? e.routers : e.params?.routers;
  if (Array.isArray(listed)) {
    const rs = listed.map((x) => m.byName.get(key(String(x)))?.name).filter((x): x is string => !!x);
    if (rs.length) return rs;
  }
  return e.site ? m.bySite.get(e.site) ?? [] : [];
}

/** Words of an entry a peer or interface can be found among: its parameter values and config line tokens. */
export function entryTokens(e: Pick<HistoryEntry, 'plan' | 'params'>): Set<string> {
  const t = new Set<string>();
  for (const v of Object.values(e.params ?? {})) {
    if (typeof v === 'string' || typeof v === 'number') t.add(key(String(v)));
    else if (Array.isArray(v)) for (const x of v) if (typeof x === 'string') t.add(key(x));
  }
  for (const line of e.plan ?? []) for (const w of line.split(/[\s,;()[\]]+/)) if (w && /[\d/]/.test(w)) t.add(key(w.replace(/[.:]$/, '')));
  return t;
}
