/**
 * RFC 5424 header after the PRI: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP
 * MSGID SP STRUCTURED-DATA [SP MSG]. Hand-parsed (no regex); NILVALUE "-" becomes null.
 * https://www.rfc-editor.org/rfc/rfc5424#section-6
 */

/** Structured data: SD-ID → param name → value (escapes resolved). */
export type StructuredData = Record<string, Record<string, string>>;

/** The RFC 5424 header fields and the message. */
export interface Rfc5424 {
  version: number;
  timestamp: string | null;
  host: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: StructuredData | null;
  /** MSG without a leading UTF-8 BOM; '' when absent. */
  message: string;
}

const nil = (s: string): string | null => (s === '-' ? null : s);

/** Index of the next space at or after `i`, or -1. Fields may not be empty. */
function field(s: string, i: number): number {
  const j = s.indexOf(' ', i);
  return j > i ? j : -1;
}

/**
 * Parse the text that follows "<PRI>" as RFC 5424; null when it is not one (the caller then
 * treats it as RFC 3164). Requires VERSION 1–999 followed by a plausible TIMESTAMP.
 */
export function parseRfc5424(s: string, start: number): Rfc5424 | null {
  let i = start;
  let v = 0;
  let n = 0;
  for (let c = s.charCodeAt(i); c >= 48 && c <= 57 && n < 3; c = s.charCodeAt(++i)) { v = v * 10 + (c - 48); n++; }
  if (n === 0 || v === 0 || s.charCodeAt(i) !== 32) return null;
  i++;
  // TIMESTAMP: "-" or YYYY-MM-DDT…
  const c0 = s.charCodeAt(i);
  if (c0 === 45 /* - */) {
    if (s.charCodeAt(i + 1) !== 32) return null;
  } else if (!(c0 >= 48 && c0 <= 57 && s.charCodeAt(i + 4) === 45 && s.charCodeAt(i + 10) === 84 /* T */)) {
    return null;
  }
  const e1 = field(s, i); if (e1 < 0) return null;
  const timestamp = nil(s.slice(i, e1));
  const e2 = field(s, e1 + 1); if (e2 < 0) return null;
  const host = nil(s.slice(e1 + 1, e2));
  const e3 = field(s, e2 + 1); if (e3 < 0) return null;
  const appName = nil(s.slice(e2 + 1, e3));
  const e4 = field(s, e3 + 1); if (e4 < 0) return null;
  const procId = nil(s.slice(e3 + 1, e4));
  // MSGID may be the last field before SD; SD follows one space later.
  const e5 = field(s, e4 + 1); if (e5 < 0) return null;
  const msgId = nil(s.slice(e4 + 1, e5));
  let j = e5 + 1;
  let structuredData: StructuredData | null = null;
  if (s.charCodeAt(j) === 45 /* - */) {
    j++;
  } else if (s.charCodeAt(j) === 91 /* [ */) {
    const sd = parseStructuredData(s, j);
    if (!sd) return null;
    structuredData = sd.data;
    j = sd.end;
  } else {
    return null;
  }
  let message = '';
  if (j < s.length) {
    if (s.charCodeAt(j) !== 32) return null;
    message = s.slice(j + 1);
    if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  }
  return { version: v, timestamp, host, appName, procId, msgId, structuredData, message };
}

/** Parse one or more "[id k="v" …]" elements starting at `i`; null when malformed. */
export function parseStructuredData(s: string, i: number): { data: StructuredData; end: number } | null {
  const data: StructuredData = Object.create(null) as StructuredData;
  const len = s.length;
  while (i < len && s.charCodeAt(i) === 91 /* [ */) {
    i++;
    let k = i;
    while (k < len) { const c = s.charCodeAt(k); if (c === 32 || c === 93 || c === 61 || c === 34) break; k++; }
    if (k === i || k >= len) return null;
    const id = s.slice(i, k);
    const params: Record<string, string> = data[id] ?? (Object.create(null) as Record<string, string>);
    data[id] = params;
    i = k;
    while (i < len && s.charCodeAt(i) === 32) {
      i++;
      const eq = s.indexOf('=', i);
      if (eq <= i || s.charCodeAt(eq + 1) !== 34 /* " */) return null;
      const name = s.slice(i, eq);
      let out = '';
      let p = eq + 2;
      let closed = false;
      while (p < len) {
        const c = s.charCodeAt(p);
        if (c === 92 /* \ */ && p + 1 < len) {
          const nx = s.charCodeAt(p + 1);
          if (nx === 34 || nx === 92 || nx === 93) { out += s[p + 1]; p += 2; continue; }
          out += '\\'; p++; continue;
        }
        if (c === 34) { closed = true; p++; break; }
        out += s[p]; p++;
      }
      if (!closed) return null;
      params[name] = out;
      i = p;
    }
    if (s.charCodeAt(i) !== 93 /* ] */) return null;
    i++;
  }
  return { data, end: i };
}
