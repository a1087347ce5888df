/**
 * The framing-independent syslog header: PRI, RFC 5424 vs RFC 3164, and the "shape" of the
 * RFC 3164 text (which kind of timestamp or token it starts with). The shape is what picks
 * the candidate device prefixes cheaply; see profiles/<os>/_prefix.yml.
 */
import { monthAt } from './time.js';
import { parseRfc5424, type Rfc5424 } from './rfc5424.js';

/** How a message starts, after PRI. */
export type Shape =
  | 'rfc5424' // <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG
  | 'bsd' //     Mmm dd hh:mm:ss … (also Cisco's "*Mmm dd" / ".Mmm dd")
  | 'iso' //     2020-03-31T08:41:59+00:00 …
  | 'year' //    2018 Apr 20 13:15:07 … (NX-OS)
  | 'ymd' //     2018-7-23 01:00:33 … (Huawei)
  | 'seq' //     521: … (Cisco sequence number)
  | 'kv' //      date=2019-04-04 time=… (FortiOS key=value)
  | 'other'; //  anything else (host-first formats, free text)

/** Every shape, in a stable order. */
export const SHAPES: readonly Shape[] = ['rfc5424', 'bsd', 'iso', 'year', 'ymd', 'seq', 'kv', 'other'];

/** A parsed header. `body` is what device prefixes match: the text after PRI, or MSG for RFC 5424. */
export interface SyslogHeader {
  pri: number | null;
  facility: number | null;
  severity: number | null;
  shape: Shape;
  body: string;
  rfc5424: Rfc5424 | null;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Strip transport leftovers: a leading BOM, trailing CR/LF/NUL. Inner text is kept as is. */
export function trimFraming(raw: string): string {
  let s = 0;
  let e = raw.length;
  if (raw.charCodeAt(0) === 0xfeff) s = 1;
  while (e > s) {
    const c = raw.charCodeAt(e - 1);
    if (c === 10 || c === 13 || c === 0) e--;
    else break;
  }
  return s === 0 && e === raw.length ? raw : raw.slice(s, e);
}

/** Parse PRI ("<0>"…"<191>", 1–3 digits); returns [pri, index after '>'] or [null, 0]. */
export function parsePri(s: string): [number | null, number] {
  if (s.charCodeAt(0) !== 60 /* < */) return [null, 0];
  let v = 0;
  let i = 1;
  for (; i <= 3; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) break;
    v = v * 10 + (c - 48);
  }
  if (i === 1 || s.charCodeAt(i) !== 62 /* > */ || v > 191) return [null, 0];
  return [v, i + 1];
}

/** The shape of RFC 3164 text starting at `i`. */
export function shapeOf(s: string, i: number): Shape {
  let c = s.charCodeAt(i);
  if (c === 42 /* * */ || c === 46 /* . */) c = s.charCodeAt(++i);
  if (isDigit(c)) {
    let j = i + 1;
    while (j < s.length && j - i < 12 && isDigit(s.charCodeAt(j))) j++;
    const n = j - i;
    const d = s.charCodeAt(j);
    if (n === 4 && d === 45 /* - */) return s.charCodeAt(i + 10) === 84 /* T */ ? 'iso' : 'ymd';
    if (n === 4 && d === 32 && monthAt(s, j + 1) >= 0) return 'year';
    if (d === 58 /* : */) return 'seq';
    return 'other';
  }
  if (monthAt(s, i) >= 0 && s.charCodeAt(i + 3) === 32 && (isDigit(s.charCodeAt(i + 4)) || s.charCodeAt(i + 4) === 32)) return 'bsd';
  // key=value (FortiOS): a word directly followed by '='
  let j = i;
  while (j < s.length && j - i < 32) {
    const k = s.charCodeAt(j);
    if ((k >= 97 && k <= 122) || (k >= 65 && k <= 90) || isDigit(k) || k === 95) j++;
    else break;
  }
  if (j > i && s.charCodeAt(j) === 61 /* = */) return 'kv';
  return 'other';
}

/** Parse PRI and pick the shape; RFC 5424 is recognised by "<PRI>VERSION SP TIMESTAMP". */
export function parseHeader(line: string): SyslogHeader {
  const [pri, start] = parsePri(line);
  const facility = pri === null ? null : pri >> 3;
  const severity = pri === null ? null : pri & 7;
  if (pri !== null && isDigit(line.charCodeAt(start))) {
    const r = parseRfc5424(line, start);
    if (r) return { pri, facility, severity, shape: 'rfc5424', body: r.message, rfc5424: r };
  }
  const body = start === 0 ? line : line.slice(start);
  return { pri, facility, severity, shape: shapeOf(body, 0), body, rfc5424: null };
}

/** What a generic RFC 3164 reading finds when no device prefix matched. */
export interface Generic3164 {
  date: string | null;
  time: string | null;
  host: string | null;
  tag: string | null;
  message: string;
}

const BSD_TS = /^[*.]?([A-Z][a-z]{2} +\d{1,2}(?: \d{4})?) (\d{1,2}:\d\d:\d\d(?:\.\d+)?)(?: [A-Z]{3,4})?:? +/;
const ISO_TS = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?) +/;
const YEAR_TS = /^(\d{4} [A-Z][a-z]{2} +\d{1,2}) (\d{2}:\d{2}:\d{2}) +/;
const TAG = /^([\w./-]{1,64}(?:\[[\w.-]{1,32}\])?): ?/;

/** Best-effort RFC 3164 split (timestamp, host, tag) of a body no profile prefix claimed. */
export function parseGeneric3164(body: string, shape: Shape): Generic3164 {
  let rest = body;
  let date: string | null = null;
  let time: string | null = null;
  const ts = shape === 'bsd' ? BSD_TS.exec(rest) : shape === 'iso' ? ISO_TS.exec(rest) : shape === 'year' ? YEAR_TS.exec(rest) : null;
  if (ts) {
    date = ts[1]!;
    time = ts[2]!;
    rest = rest.slice(ts[0].length);
  }
  let host: string | null = null;
  if (ts) {
    const sp = rest.indexOf(' ');
    const first = sp < 0 ? rest : rest.slice(0, sp);
    // HOSTNAME is a token that is not itself a "tag:" (messages from the local host omit it)
    if (sp > 0 && first.length <= 255 && first.charCodeAt(first.length - 1) !== 58 && !first.includes('[')) {
      host = first;
      rest = rest.slice(sp + 1).replace(/^ +/, '');
    }
  }
  let tag: string | null = null;
  const t = rest.length > 0 && rest.charCodeAt(0) !== 37 /* % */ ? TAG.exec(rest) : null;
  if (t) {
    tag = t[1]!;
    rest = rest.slice(t[0].length);
  }
  return { date, time, host, tag, message: rest };
}
