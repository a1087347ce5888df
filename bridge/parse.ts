/**
 * Raw syslog text → DeviceEvent. The header is parsed by hand (bridge/syslog), the OS is picked
 * by the header's shape and the device prefixes of that shape (profiles/<os>/_prefix.yml), and
 * only the rules registered for the extracted tag run (profiles/<os>/<EVENT>.yml). Profiles are
 * compiled once, when the Classifier is built.
 */
import crypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deferredDetails } from './deferred.js';
import type { DeviceEvent } from './event.js';
import { parseGeneric3164, parseHeader, trimFraming, type SyslogHeader } from './syslog/header.js';
import { deviceTime, rfc3339Time } from './syslog/time.js';
import { loadProfiles, type Level, type OsProfiles, type Prefix, type ProfileSet, type Rule, type YangNode } from './profiles/compile.js';
import type { Ctx } from './profiles/template.js';
import type { Value } from './profiles/filters.js';

export { ProfileError, formatDiagnostic, type Diagnostic } from './profiles/source.js';
export { loadProfiles } from './profiles/compile.js';
export type { ProfileSet, Rule, Prefix, Level, OsProfiles } from './profiles/compile.js';

/** Messages longer than this are header-parsed but not run through profile regexes. */
export const MAX_CLASSIFY_LENGTH = 16 * 1024;
/** Host (and router) of a message that names none, received from an empty address. */
export const UNKNOWN_HOST = 'unknown';
/** A prefix's `requires` substrings are looked for in this many leading characters of the message. */
export const REQUIRES_WINDOW = 128;
/** Longest summary, in characters. */
export const MAX_SUMMARY_LENGTH = 300;
/** The bridge's per-message classification budget (ms); a message over it is set aside (counted, left unclassified). */
export const DEFAULT_BUDGET_MS = 20;
/** Lines shorter than this are not timed: no pattern can spend the budget on them. */
const BUDGET_MIN_LENGTH = 256;

/** Counters a Classifier keeps. */
export interface ClassifierStats {
  messages: number;
  /** Messages a profile matched (error set). */
  matched: number;
  /** Messages no profile matched (error null). */
  unknown: number;
  /** Messages per OS ("unknown" when no OS was recognised). */
  byOs: Record<string, number>;
  /** Matched messages per error tag. */
  byError: Record<string, number>;
  /** Messages whose classification ran over the time budget and was abandoned (left unclassified). */
  setAside: number;
}

/** A message whose classification ran over the budget. */
export interface SetAside {
  ip: string;
  length: number;
  elapsedMs: number;
  /** The prefix or rule that was running when the budget ran out. */
  ref: string;
}

/** A classification with the profile rule and device prefix that produced it. */
export interface Classification {
  event: DeviceEvent;
  /** The event-profile variant that matched, or null. */
  rule: Rule | null;
  /** The device prefix that matched (and claimed the OS), or null. */
  prefix: Prefix | null;
}

/** Where a Classifier's profiles come from. */
export interface ClassifierOptions {
  /** Already-loaded profiles (tests, benchmarks). */
  profiles?: ProfileSet;
  /** Directory holding <os>/_prefix.yml and <os>/<EVENT>.yml; default: defaultProfilesDir(). */
  profilesDir?: string;
  /** Refuse patterns that backtrack super-linearly (NP009) when loading (see LoadOptions.vet). */
  vet?: boolean;
  /**
   * Per-message classification budget in ms (default 0: none; the bridge uses DEFAULT_BUDGET_MS).
   * With a budget, every regex is compiled when the Classifier is built, so V8's lazy regex
   * compilation never counts against a message.
   */
  budgetMs?: number;
  /** Told about each message set aside for running over the budget. */
  onSetAside?: (s: SetAside) => void;
}

/** The profiles directory: $NETOPS_PROFILES, else `profiles/` of the package this module belongs to. */
export function defaultProfilesDir(): string {
  const env = process.env.NETOPS_PROFILES;
  if (env) return env;
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'profiles'))) return join(dir, 'profiles');
    dir = dirname(dir);
  }
  return join(here, '..', '..', 'profiles');
}

const sha1: (s: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (s) => (crypto as unknown as { hash(alg: string, data: string, enc: string): string }).hash('sha1', s, 'hex')
    : (s) => crypto.createHash('sha1').update(s).digest('hex');

/** Stable event id: sha1 hex of source ip, receipt time and the message (framing trimmed). */
export function eventId(ip: string, receivedAt: number, line: string): string {
  // consecutive messages often share the receipt time (Date.now() / 1000): its text is kept
  if (receivedAt !== lastAt.at) {
    lastAt.at = receivedAt;
    lastAt.text = `${receivedAt}`;
  }
  return sha1(`${ip}\n${lastAt.text}\n${line}`);
}
const lastAt = { at: NaN, text: 'NaN' };

/** critical for emergency…critical, warning for error/warning, info otherwise (or without PRI). */
export function levelOfSeverity(severity: number | null): Level {
  if (severity === null) return 'info';
  return severity <= 2 ? 'critical' : severity <= 4 ? 'warning' : 'info';
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

/** One line, no control characters, at most MAX_SUMMARY_LENGTH characters. */
export function oneLine(s: string): string {
  let out = s.length > MAX_SUMMARY_LENGTH * 2 ? s.slice(0, MAX_SUMMARY_LENGTH * 2) : s;
  if (HAS_CONTROL.test(out)) out = out.replace(CONTROL, ' ');
  out = out.trim();
  if (out.length > MAX_SUMMARY_LENGTH) out = `${out.slice(0, MAX_SUMMARY_LENGTH - 1)}…`;
  return out;
}

function merge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const k of Object.keys(from)) {
    const a = into[k];
    const b = from[k];
    if (a && b && typeof a === 'object' && typeof b === 'object') merge(a as Record<string, unknown>, b as Record<string, unknown>);
    else into[k] = b;
  }
}

/** Build the yang document of a compiled tree; null when every leaf was left out. */
function buildYang(nodes: YangNode[], c: Ctx): Record<string, unknown> | null {
  const o: Record<string, unknown> = {};
  let any = false;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const key = typeof n.key === 'string' ? n.key : n.key.text(c);
    if (n.leaf) {
      const v = typeof n.value === 'object' && n.value !== null ? n.value.value(c) : (n.value as Value);
      if (v === undefined) continue;
      o[key] = v;
      any = true;
    } else {
      const sub = buildYang(n.children, c);
      if (sub === null) continue;
      const prev = o[key];
      if (prev && typeof prev === 'object') merge(prev as Record<string, unknown>, sub);
      else o[key] = sub;
      any = true;
    }
  }
  return any ? o : null;
}

const nonEmpty = (s: string): string | null => (s === '' ? null : s);

/** s.trim(), without allocating when there is nothing to trim. */
function trimmed(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  const a = s.charCodeAt(0);
  const b = s.charCodeAt(n - 1);
  return a <= 32 || b <= 32 || a === 0xa0 || b === 0xa0 || a === 0xfeff || b === 0xfeff ? s.trim() : s;
}

/** Header values as message_details: PRI, the prefix's fields, the RFC 5424 SD. */
function details(hdr: SyslogHeader, p: Prefix, h: Array<string | undefined>): Record<string, unknown> {
  const md = p.buildDetails(hdr, h);
  if (hdr.rfc5424?.structuredData) md.structuredData = hdr.rfc5424.structuredData;
  return md;
}

interface Claim {
  prefix: Prefix;
  ctx: Ctx;
}

/** Classifies raw syslog lines with one compiled profile set, and counts what it saw. */
export class Classifier {
  readonly profiles: ProfileSet;
  readonly stats: ClassifierStats = { messages: 0, matched: 0, unknown: 0, byOs: {}, byError: {}, setAside: 0 };
  private readonly budgetMs: number;
  private readonly onSetAside: ((s: SetAside) => void) | null;

  /** Loads and compiles the profiles; throws ProfileError when they are broken. */
  constructor(opts: ClassifierOptions = {}) {
    this.profiles = opts.profiles ?? loadProfiles(opts.profilesDir ?? defaultProfilesDir(), { vet: opts.vet });
    this.budgetMs = opts.budgetMs ?? 0;
    this.onSetAside = opts.onSetAside ?? null;
    if (this.budgetMs > 0) warmUp(this.profiles);
  }

  /** Parse one message; never throws. */
  parse(raw: string, ip: string, receivedAt?: number): DeviceEvent {
    return this.classify(raw, ip, receivedAt).event;
  }

  /**
   * Parse one message, its id, yang document and message details left to fill in until
   * `completeEvent` (bridge/deferred.ts) is called on it: for callers that drop most events
   * (the UDP processor thread). Completed, it is the event `parse` returns.
   */
  parseDeferred(raw: string, ip: string, receivedAt?: number): DeviceEvent {
    return this.classify(raw, ip, receivedAt, true).event;
  }

  /** Parse one message and say which rule and prefix decided it; never throws. */
  classify(raw: string, ip: string, receivedAt?: number, defer = false): Classification {
    const at = typeof receivedAt === 'number' && Number.isFinite(receivedAt) ? receivedAt : Date.now() / 1000;
    const text = typeof raw === 'string' ? raw : String(raw);
    const from = typeof ip === 'string' ? ip : String(ip);
    let out: Classification;
    try {
      out = this.run(text, from, at, defer);
    } catch (e) {
      out = { event: fallbackEvent(text, from, at, e), rule: null, prefix: null };
    }
    this.count(out.event);
    return out;
  }

  /** Zero the counters. */
  resetStats(): void {
    Object.assign(this.stats, { messages: 0, matched: 0, unknown: 0, byOs: {}, byError: {}, setAside: 0 });
  }

  private count(e: DeviceEvent): void {
    const s = this.stats;
    s.messages++;
    const os = e.os ?? 'unknown';
    s.byOs[os] = (s.byOs[os] ?? 0) + 1;
    if (e.error === null) s.unknown++;
    else {
      s.matched++;
      s.byError[e.error] = (s.byError[e.error] ?? 0) + 1;
    }
  }

  private run(raw: string, ip: string, receivedAt: number, defer: boolean): Classification {
    const line = trimFraming(raw);
    const hdr = parseHeader(line);
    const body = hdr.body;
    // `requires` pre-checks look at the header part only
    const needles = this.profiles.needles;
    needles.begin(body.length > REQUIRES_WINDOW ? body.slice(0, REQUIRES_WINDOW) : body);
    let claim: Claim | null = null;
    // the budget: long lines are timed after every regex; over it, classification stops
    const start = this.budgetMs > 0 && line.length >= BUDGET_MIN_LENGTH ? performance.now() : -1;
    if (line.length <= MAX_CLASSIFY_LENGTH) {
      const cands = this.profiles.byShape[hdr.shape];
      for (let i = 0; i < cands.length; i++) {
        const p = cands[i]!;
        if (p.requires !== null && !needles.any(p.requires)) continue;
        const m = p.re.exec(body);
        if (start >= 0 && performance.now() - start > this.budgetMs) return this.setAside(p.ref, start, hdr, line, ip, receivedAt);
        if (m === null) continue;
        const os = p.os;
        const h = headerSlots(os, p, m, hdr);
        const message = trimmed(h[os.slot.message] ?? ''); // napalm-logs strips it too
        h[os.slot.message] = message;
        const ctx: Ctx = { v: m, h, host: h[os.slot.host] || ip || UNKNOWN_HOST, ip, os: os.name, tag: '' };
        const tag = p.tag ? p.tag.text(ctx) : (h[os.slot.tag] ?? '');
        ctx.tag = tag;
        h[os.slot.tag] = tag;
        const rules = os.rules.get(tag);
        if (rules !== undefined) {
          for (let j = 0; j < rules.length; j++) {
            const r = rules[j]!;
            const rm = r.re.exec(message);
            if (start >= 0 && performance.now() - start > this.budgetMs) return this.setAside(r.ref, start, hdr, line, ip, receivedAt);
            if (rm === null) continue;
            ctx.v = rm;
            return { event: matchedEvent(r, p, rm, ctx, hdr, line, ip, receivedAt, defer), rule: r, prefix: p };
          }
        }
        if (claim === null && !p.weak) claim = { prefix: p, ctx };
      }
    }
    return { event: unmatchedEvent(claim, hdr, line, ip, receivedAt, defer), rule: null, prefix: claim?.prefix ?? null };
  }

  /** Give up on a message that ran over the budget: unclassified, marked, counted, reported. */
  private setAside(ref: string, start: number, hdr: SyslogHeader, line: string, ip: string, receivedAt: number): Classification {
    const elapsedMs = performance.now() - start;
    this.stats.setAside++;
    const event = unmatchedEvent(null, hdr, line, ip, receivedAt, false);
    event.message_details.set_aside = { reason: 'classification budget', budget_ms: this.budgetMs, elapsed_ms: Math.round(elapsedMs * 1000) / 1000, ref };
    this.onSetAside?.({ ip, length: line.length, elapsedMs, ref });
    return { event, rule: null, prefix: null };
  }
}

/** Run every regex twice on a short text: V8 compiles a regex to bytecode on its first run and to machine code on the next. */
function warmUp(p: ProfileSet): void {
  const res = [...p.oses.flatMap((o) => o.prefixes.map((x) => x.re)), ...p.rules.map((r) => r.re)];
  for (const re of res) for (let i = 0; i < 2; i++) re.exec('warm up');
}

/** Fill the OS's header slots from a prefix match (and the RFC 5424 header). */
function headerSlots(os: OsProfiles, p: Prefix, m: RegExpExecArray, hdr: SyslogHeader): Array<string | undefined> {
  const h: Array<string | undefined> = new Array(os.slots.length);
  if (p.rfc5424 && hdr.rfc5424) {
    const r = hdr.rfc5424;
    const s = os.slot;
    h[s.version] = String(r.version);
    h[s.timestamp] = r.timestamp ?? undefined;
    h[s.host] = r.host ?? undefined;
    h[s.appName] = r.appName ?? undefined;
    h[s.procId] = r.procId ?? undefined;
    h[s.msgId] = r.msgId ?? undefined;
  }
  const slotOf = p.slotOf;
  for (let i = 0; i < slotOf.length; i++) {
    const k = slotOf[i]!;
    if (k >= 0) {
      const v = m[i + 1];
      if (v !== undefined || h[k] === undefined) h[k] = v;
    }
  }
  return h;
}

/** Unix seconds → 2026-11-24T22:51:03Z (for people and chat). */
export function isoTime(seconds: number): string {
  if (!Number.isFinite(seconds) || Math.abs(seconds) > 8.64e12) return '';
  const t = Math.floor(seconds);
  if (t === lastSecond.t) return lastSecond.text;
  const day = Math.floor(t / 86400);
  if (day !== lastDay.day) {
    lastDay.day = day; // the date part changes once a day: format it with Date only then
    lastDay.text = new Date(day * 86400000).toISOString().slice(0, 11);
  }
  const r = t - day * 86400;
  const h = Math.floor(r / 3600);
  const m = Math.floor((r % 3600) / 60);
  const sec = Math.floor(r % 60);
  lastSecond.t = t; // consecutive events often share the second (receipt time): the last text is kept
  lastSecond.text = `${lastDay.text}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}Z`;
  return lastSecond.text;
}
const lastDay = { day: NaN, text: '' };
const lastSecond = { t: NaN, text: '' };

/** Event time: the device's when the header carries a full date, else the receipt time. */
function eventTime(hdr: SyslogHeader, os: OsProfiles | null, h: Array<string | undefined> | null, receivedAt: number): number {
  let t: number | null = null;
  if (hdr.rfc5424) t = rfc3339Time(hdr.rfc5424.timestamp);
  else if (os && h) {
    const date = h[os.slot.date];
    // "Mmm dd" has no year: use the receipt time without trying to parse it
    if (date !== undefined && date.length > 6) t = deviceTime(date, h[os.slot.time], h[os.slot.timeZone]);
  }
  return t ?? Math.floor(receivedAt);
}

/** message_details of a matched event: the header's and prefix's fields, the rule's values. */
function matchedDetails(r: Rule, p: Prefix, m: RegExpExecArray, h: Array<string | undefined>, hdr: SyslogHeader): Record<string, unknown> {
  const values = r.buildValues(m);
  if (hdr.rfc5424 !== null && hdr.rfc5424.structuredData) {
    const md = details(hdr, p, h);
    md.values = values;
    return md;
  }
  return p.buildMatchedDetails(hdr, h, values);
}

/** The deferred parts of a matched event (bridge/deferred.ts), filled in place. */
function fillMatched(ev: DeviceEvent, r: Rule, p: Prefix, m: RegExpExecArray, c: Ctx, hdr: SyslogHeader, line: string, ip: string, receivedAt: number): void {
  ev.id = eventId(ip, receivedAt, line);
  ev.yang_message = r.buildYang ? r.buildYang(c) : (buildYang(r.yang, c) ?? {});
  ev.message_details = matchedDetails(r, p, m, c.h as Array<string | undefined>, hdr);
}

/**
 * The same, deferred: outside classify's safety net, so a builder that throws (a profile bug)
 * leaves the event as classified, with the error in message_details (as fallbackEvent says it).
 */
function fillDeferred(ev: DeviceEvent, r: Rule, p: Prefix, m: RegExpExecArray, c: Ctx, hdr: SyslogHeader, line: string, ip: string, receivedAt: number): void {
  try {
    fillMatched(ev, r, p, m, c, hdr, line, ip, receivedAt);
  } catch (err) {
    ev.id = eventId(ip, receivedAt, line);
    ev.yang_message = {};
    ev.message_details = { message: line, parseError: errorLine(err) };
  }
}

function matchedEvent(r: Rule, p: Prefix, m: RegExpExecArray, c: Ctx, hdr: SyslogHeader, line: string, ip: string, receivedAt: number, defer: boolean): DeviceEvent {
  const h = c.h as Array<string | undefined>;
  const host = c.host;
  let summary = r.summary ? r.summary.text(c) : '';
  if (summary.length > MAX_SUMMARY_LENGTH || HAS_CONTROL.test(summary)) summary = oneLine(summary);
  const timestamp = eventTime(hdr, p.os, h, receivedAt);
  // values.user ?? values.username, read from the captures
  let who: string | null | undefined = r.userGroup > 0 ? m[r.userGroup] ?? null : undefined;
  if (who === null || who === undefined) who = r.usernameGroup > 0 ? m[r.usernameGroup] ?? null : undefined;
  const ev: DeviceEvent = {
    id: '',
    error: r.error,
    os: r.os,
    host,
    ip,
    timestamp,
    time: isoTime(timestamp),
    user: typeof who === 'string' && who ? who : null,
    facility: hdr.facility,
    severity: hdr.severity,
    yang_model: r.model,
    yang_message: {},
    message_details: defer ? deferredDetails((e) => fillDeferred(e, r, p, m, c, hdr, line, ip, receivedAt)) : {},
    site: null,
    router: host,
    peer: r.peer ? nonEmpty(r.peer.text(c)) : null,
    interface: r.iface ? nonEmpty(r.iface.text(c)) : null,
    state: r.state ? nonEmpty(r.state.text(c)) : null,
    level: r.level ? r.level(c) : levelOfSeverity(hdr.severity),
    summary: summary || `${host}: ${r.error}`,
    raw: line,
  };
  if (!defer) fillMatched(ev, r, p, m, c, hdr, line, ip, receivedAt);
  return ev;
}

function unmatchedEvent(claim: Claim | null, hdr: SyslogHeader, line: string, ip: string, receivedAt: number, defer: boolean): DeviceEvent {
  let host: string | null;
  let tag: string | null;
  let message: string;
  let md: Record<string, unknown>;
  let time: number;
  if (claim) {
    const os = claim.prefix.os;
    const h = claim.ctx.h as Array<string | undefined>;
    host = h[os.slot.host] || null;
    tag = claim.ctx.tag || null;
    message = h[os.slot.message] ?? '';
    md = details(hdr, claim.prefix, h);
    time = eventTime(hdr, os, h, receivedAt);
  } else if (hdr.rfc5424) {
    const r = hdr.rfc5424;
    host = r.host;
    tag = r.appName;
    message = r.message.trim();
    md = {
      pri: hdr.pri, facility: hdr.facility, severity: hdr.severity, version: String(r.version), timestamp: r.timestamp,
      host: r.host, appName: r.appName, procId: r.procId, msgId: r.msgId, tag, message,
    };
    if (r.structuredData) md.structuredData = r.structuredData;
    time = eventTime(hdr, null, null, receivedAt);
  } else {
    const g = parseGeneric3164(hdr.body, hdr.shape);
    host = g.host;
    tag = g.tag;
    message = g.message;
    md = { pri: hdr.pri, facility: hdr.facility, severity: hdr.severity, date: g.date, time: g.time, host: g.host, tag: g.tag, message: g.message };
    time = deviceTime(g.date, g.time) ?? Math.floor(receivedAt);
  }
  const who = host || ip || UNKNOWN_HOST;
  const text = oneLine(`${tag ? `${tag}: ` : ''}${message}`) || oneLine(line) || '(empty message)';
  const ev: DeviceEvent = {
    id: '',
    error: null,
    os: claim ? claim.prefix.os.name : null,
    host: who,
    ip,
    timestamp: time,
    time: isoTime(time),
    user: null,
    facility: hdr.facility,
    severity: hdr.severity,
    yang_model: null,
    yang_message: null,
    // only the id is deferred: the details are read off the header anyway
    message_details: defer
      ? deferredDetails((e) => {
          e.id = eventId(ip, receivedAt, line);
          e.message_details = md;
        })
      : md,
    site: null,
    router: who,
    peer: null,
    interface: null,
    state: null,
    level: levelOfSeverity(hdr.severity),
    summary: oneLine(`${who}: ${text}`),
    raw: line,
  };
  if (!defer) ev.id = eventId(ip, receivedAt, line);
  return ev;
}

/** The first line of an error's message (for message_details.parseError). */
const errorLine = (err: unknown): string => (err instanceof Error ? err.message.split('\n')[0]! : String(err));

/** The event for a message the classifier could not process at all (a bug, or no profiles). */
function fallbackEvent(raw: string, ip: string, receivedAt: number, err: unknown): DeviceEvent {
  const line = trimFraming(String(raw));
  return {
    id: eventId(ip, receivedAt, line),
    error: null,
    os: null,
    host: ip || UNKNOWN_HOST,
    ip,
    timestamp: Math.floor(receivedAt),
    time: isoTime(Math.floor(receivedAt)),
    user: null,
    facility: null,
    severity: null,
    yang_model: null,
    yang_message: null,
    message_details: { message: line, parseError: errorLine(err) },
    site: null,
    router: ip || UNKNOWN_HOST,
    peer: null,
    interface: null,
    state: null,
    level: 'info',
    summary: oneLine(`${ip || UNKNOWN_HOST}: ${line}`) || `${ip || UNKNOWN_HOST}: (empty message)`,
    raw: line,
  };
}

let shared: Classifier | null = null;
let sharedError: unknown = null;

/** The process-wide classifier over the default profiles; throws ProfileError when they are broken. */
export function defaultClassifier(): Classifier {
  if (!shared) shared = new Classifier();
  return shared;
}

/**
 * Parse one raw syslog message received from `ip` at `receivedAt` (Unix seconds, default now).
 * Never throws: unrecognised text gives an event with error null and a readable summary; if the
 * profiles themselves fail to load, every event says so in message_details.parseError.
 */
export function parseSyslog(raw: string, ip: string, receivedAt?: number): DeviceEvent {
  if (shared === null && sharedError === null) {
    try {
      shared = new Classifier();
    } catch (e) {
      sharedError = e;
    }
  }
  if (shared) return shared.parse(raw, ip, receivedAt);
  const at = typeof receivedAt === 'number' && Number.isFinite(receivedAt) ? receivedAt : Date.now() / 1000;
  const why = errorLine(sharedError);
  return fallbackEvent(String(raw), String(ip), at, new Error(`profiles did not load: ${why}`));
}
