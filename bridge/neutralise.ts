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

/** What makes a string suspect (the reference for `isSuspect`, which tests the same by hand). */
// eslint-disable-next-line no-control-regex
export const SUSPECT = /<[!@#a-z]|[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[{%#]\}|\{[{%#]|@(?:here|channel|everyone)/i;
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

// eslint-disable-next-line no-control-regex
const CANDIDATE = /[\u0000-\u001f<{%#@\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Whether SUSPECT matches s: one character-class scan for the characters that can start a match
 * (compiled to a tight loop), the context checked by hand at each (SUSPECT itself tries every
 * alternative at every position: several times slower on the long strings of an event).
 */
export function isSuspect(s: string): boolean {
  CANDIDATE.lastIndex = 0;
  for (;;) {
    const m = CANDIDATE.exec(s);
    if (m === null) return false;
    const i = m.index;
    const c = s.charCodeAt(i);
    if (c === 0x3c) {
      // < followed by ! @ # or a letter
      const d = s.charCodeAt(i + 1);
      if (d === 0x21 || d === 0x40 || d === 0x23 || ((d | 0x20) >= 0x61 && (d | 0x20) <= 0x7a)) return true;
    } else if (c === 0x7b || c === 0x25 || c === 0x23) {
      // {{ {% {# and {} %} #}
      const d = s.charCodeAt(i + 1);
      if (d === 0x7d || (c === 0x7b && (d === 0x7b || d === 0x25 || d === 0x23))) return true;
    } else if (c === 0x40) {
      const w = s.slice(i + 1, i + 9).toLowerCase();
      if (w.startsWith('here') || w.startsWith('channel') || w.startsWith('everyone')) return true;
    } else if (c !== 0x7d) return true; // a control, C1, bidi or line separator character
  }
}

// JSON text: the candidates above, and the backslash (control characters are escaped in JSON text).
// eslint-disable-next-line no-control-regex
const JSON_CANDIDATE = /[\u0000-\u001f<{%#@\\\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Whether the JSON text of a value may hold a string that `neutralise` would change (or that SUSPECT
 * matches): one scan of the text, no walk. Conservative: an escape sequence other than \" and \\
 * (a control character, escaped), a structural `{}`, or any candidate SUSPECT matches says yes;
 * JSON punctuation (`{"`, `"}`, `}}`, `,`) is never one. False means no string in it needs neutralising.
 */
export function isSuspectJson(text: string): boolean {
  JSON_CANDIDATE.lastIndex = 0;
  for (;;) {
    const m = JSON_CANDIDATE.exec(text);
    if (m === null) return false;
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      const d = text.charCodeAt(i + 1);
      if (d !== 0x22 && d !== 0x5c && d !== 0x2f) return true;
      JSON_CANDIDATE.lastIndex = i + 2;
    } else if (c === 0x3c) {
      const d = text.charCodeAt(i + 1);
      if (d === 0x21 || d === 0x40 || d === 0x23 || ((d | 0x20) >= 0x61 && (d | 0x20) <= 0x7a)) return true;
    } else if (c === 0x7b || c === 0x25 || c === 0x23) {
      const d = text.charCodeAt(i + 1);
      if (d === 0x7d || (c === 0x7b && (d === 0x7b || d === 0x25 || d === 0x23))) return true;
    } else if (c === 0x40) {
      const w = text.slice(i + 1, i + 9).toLowerCase();
      if (w.startsWith('here') || w.startsWith('channel') || w.startsWith('everyone')) return true;
    } else return true;
  }
}

/** One string made safe for Jinja and Slack (see the module comment). */
export function neutralise(s: string): string {
  if (!isSuspect(s)) return s;
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
  if (typeof v === 'string') return isSuspect(v);
  if (Array.isArray(v)) return v.some(suspect);
  if (v && typeof v === 'object') {
    for (const k in v) if (isSuspect(k) || suspect((v as Record<string, unknown>)[k])) return true;
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

/**
 * The event neutralised, as JSON text: the event's text is scanned once (isSuspectJson) and only
 * an event that may need it is walked and rewritten (neutraliseEvent) and serialised again.
 */
export function neutralisedJson(ev: DeviceEvent): { event: DeviceEvent; json: string } {
  const json = JSON.stringify(ev);
  if (!isSuspectJson(json)) return { event: ev, json };
  const out = neutraliseEvent(ev);
  return { event: out, json: out === ev ? json : JSON.stringify(out) };
}

/** The event with every field a rule can render neutralised (id and ip are ours, left as they are). */
export function neutraliseEvent(ev: DeviceEvent): DeviceEvent {
  const out = neutraliseValue(ev);
  if (out === ev) return ev;
  out.id = ev.id;
  out.ip = ev.ip;
  return out;
}
