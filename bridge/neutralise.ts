/**
 * Device text made harmless before it reaches StackStorm and the chat. Syslog is unauthenticated,
 * and rules render trigger fields into chat messages and action parameters (Jinja, rendered again
 * by st2 when the action runs), so every string of an event goes through `neutralise`:
 * - Jinja delimiters `{{ }}`, `{% %}`, `{# #}` are split with a space (`{ {`), so no template
 *   engine sees an expression in them;
 * - Slack controls: the `<` of `<!channel>`, `<!here>`, `<@U…>`, `<#C…>`, `<http…|label>` becomes ‹
 *   (a `<14>` PRI stays as it is), and `@here`, `@channel`, `@everyone` get a word joiner after the `@`;
 * - ESC sequences (ANSI colours, cursor moves) are removed, other control characters (C0, DEL,
 *   C1, U+2028/2029) become a space, and bidi overrides/isolates/marks are removed.
 * Pure; a string that has none of these is returned as it is (one regex test).
 */
import type { DeviceEvent } from './event.js';

// eslint-disable-next-line no-control-regex
const SUSPECT = /<[!@#a-z]|[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[{%#]\}|\{[{%#]|@(?:here|channel|everyone)/i;
// eslint-disable-next-line no-control-regex
const ESC_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-_]?)|\u009b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const JINJA_OPEN = /\{(?=[{%#])/g;
const JINJA_CLOSE = /([%#}])(?=\})/g;
/** Slack reads `<!…>`, `<@…>`, `<#…>` and `<scheme:…>` as controls; a `<PRI>` or `<unknown>` is text. */
const SLACK_CONTROL = /<(?=[!@#]|[a-z][\w+.-]*:)/gi;
const MENTION = /@(here|channel|everyone)\b/gi;

/** One string made safe for Jinja and Slack (see the module comment). */
export function neutralise(s: string): string {
  if (!SUSPECT.test(s)) return s;
  return s
    .replace(ESC_SEQUENCE, '')
    .replace(CONTROL, ' ')
    .replace(BIDI, '')
    .replace(SLACK_CONTROL, '‹')
    .replace(MENTION, '@\u2060$1')
    .replace(JINJA_OPEN, '{ ')
    .replace(JINJA_CLOSE, '$1 ');
}

/** Whether some string in a JSON-like value (keys included) would be changed; walks without allocating. */
function suspect(v: unknown): boolean {
  if (typeof v === 'string') return SUSPECT.test(v);
  if (Array.isArray(v)) return v.some(suspect);
  if (v && typeof v === 'object') {
    for (const k in v) if (SUSPECT.test(k) || suspect((v as Record<string, unknown>)[k])) return true;
  }
  return false;
}

function rewrite(v: unknown): unknown {
  if (typeof v === 'string') return neutralise(v);
  if (Array.isArray(v)) return v.map(rewrite);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[neutralise(k)] = rewrite(x);
    return out;
  }
  return v;
}

/** Every string in a JSON-like value neutralised (keys too); other values as they are. A value with nothing to change is returned as it is (no copy). */
export function neutraliseValue<T>(v: T): T {
  return suspect(v) ? (rewrite(v) as T) : v;
}

/** The event with every field a rule can render neutralised (id and ip are ours, left as they are). */
export function neutraliseEvent(ev: DeviceEvent): DeviceEvent {
  const out = neutraliseValue(ev);
  if (out === ev) return ev;
  out.id = ev.id;
  out.ip = ev.ip;
  return out;
}
