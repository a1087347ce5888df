/**
 * serializeEvent(event): the event's JSON text, byte for byte what JSON.stringify(event) gives,
 * faster for an event a compiled profile rule made and nothing changed since. The classifier
 * records such an event (remember()) with the rule, prefix and match context that built it; its
 * `yang_message` and `message_details` are then written by the text builders generated with the
 * rule (bridge/profiles/codegen.ts), the other fields in their fixed order. Anything else — an
 * unknown line, an event with a field added, removed or replaced, a rule without text builders —
 * goes through JSON.stringify. Checked against JSON.stringify on every fixture and on
 * adversarial captures (test/syslog/event-json.test.ts).
 *
 * Not detected: a change made *inside* yang_message or message_details.values (same objects,
 * same keys, other values or nested objects). Nothing in the project does that; code that does
 * must call JSON.stringify itself.
 */
import type { DeviceEvent } from './event.js';
import type { Prefix, Rule } from './profiles/compile.js';
import type { Ctx } from './profiles/template.js';
import { json } from './profiles/codegen.js';

interface Built {
  r: Rule;
  p: Prefix;
  c: Ctx;
  ym: unknown;
  md: Record<string, unknown>;
  values: Record<string, unknown>;
}

const BUILT = new WeakMap<object, Built>();

/** The keys of a matched event, in the order parse.ts's matchedEvent writes them. */
export const MATCHED_KEYS = [
  'id', 'error', 'os', 'host', 'ip', 'timestamp', 'time', 'user', 'facility', 'severity', 'yang_model',
  'yang_message', 'message_details', 'site', 'router', 'peer', 'interface', 'state', 'level', 'summary', 'raw',
] as const;

/** Record how a matched event was built (parse.ts, right after building it). */
export function remember(event: DeviceEvent, r: Rule, p: Prefix, c: Ctx): void {
  if (r.yangText === null || r.valuesText === null || p.detailsText === null) return;
  const md = event.message_details;
  BUILT.set(event, { r, p, c, ym: event.yang_message, md, values: md.values as Record<string, unknown> });
}

const sameKeys = (o: object, keys: readonly string[], extra: string | null, last: string | null): boolean => {
  const k = Object.keys(o);
  let n = keys.length;
  if (k.length !== n + (extra !== null && k[n] === extra ? 1 : 0) + (last === null ? 0 : 1)) return false;
  for (let i = 0; i < n; i++) if (k[i] !== keys[i]) return false;
  if (extra !== null && k[n] === extra) n++;
  return last === null || k[n] === last;
};

/** Whether serializeEvent would write this event from its rule's text builders (tests). */
export function isPrecompiled(event: DeviceEvent): boolean {
  return BUILT.has(event);
}

/** One top-level member, as JSON.stringify writes it (nothing for undefined, functions, symbols). */
function member(key: string, v: unknown): string {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return '';
  return key + json(v);
}

/** JSON.stringify(event), faster for an unchanged event of a compiled rule. */
export function serializeEvent(event: DeviceEvent): string {
  const b = BUILT.get(event);
  if (b === undefined) return JSON.stringify(event);
  const md = event.message_details;
  if (event.yang_message !== b.ym || md !== b.md || md.values !== b.values) return JSON.stringify(event);
  const dt = b.p.detailsText!;
  const vt = b.r.valuesText!;
  if (!sameKeys(event, MATCHED_KEYS, null, null) || !sameKeys(md, dt.keys, 'structuredData', 'values') || !sameKeys(b.values, b.r.valueKeys, null, null)) {
    return JSON.stringify(event);
  }
  const yang = b.r.yangText!(b.c);
  if (yang === null) return JSON.stringify(event);
  const e = event as unknown as Record<string, unknown>;
  const s =
    member(',"id":', e.id) + member(',"error":', e.error) + member(',"os":', e.os) + member(',"host":', e.host) +
    member(',"ip":', e.ip) + member(',"timestamp":', e.timestamp) + member(',"time":', e.time) +
    member(',"user":', e.user) + member(',"facility":', e.facility) + member(',"severity":', e.severity) +
    member(',"yang_model":', e.yang_model) + ',"yang_message":' + yang + ',"message_details":' + dt.text(md, vt(b.values)) +
    member(',"site":', e.site) + member(',"router":', e.router) + member(',"peer":', e.peer) +
    member(',"interface":', e.interface) + member(',"state":', e.state) + member(',"level":', e.level) +
    member(',"summary":', e.summary) + member(',"raw":', e.raw);
  return `{${s.slice(1)}}`;
}
