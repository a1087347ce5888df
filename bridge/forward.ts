/**
 * The forward set: which classified events the bridge posts to StackStorm. The generator writes
 * pack/bridge/forward.json with every enabled rule's criteria (generator/emit/forward.ts); an
 * event is posted when some rule's criteria can match it or its level is at least the minimum
 * level; the rest are counted (`not_forwarded`) and not posted. Criteria are evaluated as
 * StackStorm's operators would, erring towards posting: an operator the bridge cannot evaluate
 * here (timediff_*, search) or a pattern it cannot compile counts as a match.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceEvent } from './event.js';

/** One criterion as the generator wrote it (field without the `trigger.` prefix). */
export interface ForwardCriterion {
  field: string;
  op: string;
  pattern: unknown;
}

/** The loaded forward set. */
export interface ForwardSet {
  source: string;
  rules: Array<{ name: string; criteria: ForwardCriterion[] }>;
}

const LEVEL_RANK: Record<string, number> = { info: 0, warning: 1, critical: 2 };

/** The package's generated forward set (pack/bridge/forward.json beside its package.json), or null when there is none. */
export function defaultForwardSet(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const f = join(dir, 'pack', 'bridge', 'forward.json');
    if (existsSync(join(dir, 'package.json')) && existsSync(f)) return f;
    dir = dirname(dir);
  }
  return null;
}

/** Read a forward set file; throws with the file name and what is wrong. */
export function loadForwardSet(file: string): ForwardSet {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`forward set ${file}: ${(err as Error).message} (write it with: npx netops build)`);
  }
  const rules = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(rules) || !rules.every((r) => r && typeof r.name === 'string' && Array.isArray(r.criteria))) {
    throw new Error(`forward set ${file}: expected {"rules": [{"name": …, "criteria": [{field, op, pattern}]}]} (write it with: npx netops build)`);
  }
  return { source: file, rules: rules as ForwardSet['rules'] };
}

/** The rule names whose criteria all match the event (as StackStorm would, erring towards a match). */
export function matchingRules(ev: DeviceEvent, set: ForwardSet): string[] {
  return set.rules.filter((r) => r.criteria.every((c) => criterion(ev, c))).map((r) => r.name);
}

/** True when the event is to be posted: a rule can match it, or its level is at least `minLevel`. */
export function forwards(ev: DeviceEvent, set: ForwardSet | null, minLevel: 'info' | 'warning' | 'critical' | 'none' = 'critical', view?: FieldView): boolean {
  if (!set) return true;
  if (minLevel !== 'none' && (LEVEL_RANK[ev.level] ?? 0) >= LEVEL_RANK[minLevel]!) return true;
  return set.rules.some((r) => r.criteria.every((c) => criterion(ev, c, view)));
}

/**
 * How a criterion sees the value of a field (`field` without `trigger.`): e.g. neutralised, so
 * that the UDP processor thread can decide on an event before it neutralises the whole of it.
 */
export type FieldView = (field: string, value: unknown) => unknown;

/** A field's path without `trigger.`, and its keys (split once per field: this runs for every event). */
const paths = new Map<string, { path: string; keys: string[] }>();
export function pathOf(field: string): { path: string; keys: string[] } {
  let p = paths.get(field);
  if (!p) {
    const path = field.replace(/^trigger\./, '');
    p = { path, keys: path.split('.') };
    if (paths.size < 4096) paths.set(field, p);
  }
  return p;
}

function lookup(ev: DeviceEvent, field: string, view?: FieldView): unknown {
  const { path, keys } = pathOf(field);
  let v: unknown = ev;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return view ? view(path, undefined) : undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return view ? view(path, v) : v;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** One StackStorm criterion against the event. */
export function criterion(ev: DeviceEvent, c: ForwardCriterion, view?: FieldView): boolean {
  const v = lookup(ev, c.field, view);
  const p = c.pattern;
  const lc = (x: unknown) => str(x).toLowerCase();
  const has = (hay: unknown, needle: unknown, ci: boolean): boolean =>
    Array.isArray(hay) ? hay.some((x) => (ci ? lc(x) === lc(needle) : x === needle)) : (ci ? lc(hay).includes(lc(needle)) : str(hay).includes(str(needle)));
  const re = (flags: string): boolean => {
    try {
      return new RegExp(str(p), flags).test(str(v));
    } catch {
      return true;
    }
  };
  switch (c.op) {
    case 'equals': return v === p;
    case 'nequals': return v !== p;
    case 'iequals': return lc(v) === lc(p);
    case 'contains': return has(v, p, false);
    case 'icontains': return has(v, p, true);
    case 'ncontains': return !has(v, p, false);
    case 'incontains': return !has(v, p, true);
    case 'startswith': return str(v).startsWith(str(p));
    case 'istartswith': return lc(v).startsWith(lc(p));
    case 'endswith': return str(v).endsWith(str(p));
    case 'iendswith': return lc(v).endsWith(lc(p));
    case 'lessthan': return Number(v) < Number(p);
    case 'greaterthan': return Number(v) > Number(p);
    case 'matchwildcard': return wildcard(str(p)).test(str(v));
    case 'regex': return re('s');
    case 'iregex': return re('is');
    case 'exists': return v !== undefined && v !== null;
    case 'nexists': return v === undefined || v === null;
    case 'inside': return Array.isArray(p) ? p.includes(v as never) : str(p).includes(str(v));
    case 'ninside': return Array.isArray(p) ? !p.includes(v as never) : !str(p).includes(str(v));
    default: return true;
  }
}

/** fnmatch-style wildcard (*, ?, [..]) as an anchored regex. */
function wildcard(p: string): RegExp {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[') {
      const j = p.indexOf(']', i + 1);
      if (j < 0) out += '\\[';
      else {
        out += `[${p.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = j;
      }
    } else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}
