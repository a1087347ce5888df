/**
 * Load profiles/<os>/_prefix.yml and profiles/<os>/<EVENT>.yml, check them, and compile them
 * once into the structures the classifier runs: prefixes grouped by header shape, and per OS a
 * Map from tag to the rules (regex + yang mapping + flat fields) to try. See profiles/README.md.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SHAPES, type Shape } from '../syslog/header.js';
import { compileTemplate, getter, TemplateError, type Ctx, type Getter, type Template } from './template.js';
import { ProfileError, SourceFile, type Diagnostic } from './source.js';
import type { Value } from './filters.js';
import { compileIndexed, type IndexedRegex } from './regex.js';
import { detailsBuilder, valuesBuilder, yangBuilder } from './codegen.js';
import { NeedleSet } from './needles.js';
import { VET_LENGTH, VET_LIMIT_MS, vetPatternOnce } from './linear.js';
import type { SyslogHeader } from '../syslog/header.js';

/** How urgently a person should look. */
export type Level = 'critical' | 'warning' | 'info';
const LEVELS: readonly Level[] = ['critical', 'warning', 'info'];

/**
 * The yang document as a tree compiled from the profile's `yang:` mapping: literal path segments
 * that share a parent are merged at load time, so building a document is one pass of object literals.
 */
export interface YangNode {
  key: string | Template;
  /** Leaf value (a template, or a literal YAML scalar); undefined for inner nodes. */
  value?: Template | Value;
  leaf: boolean;
  children: YangNode[];
}

/** One match variant of an event profile, ready to run. */
export interface Rule {
  /** "junos/BGP_NEIGHBOR_STATE_CHANGED.yml#0": file and variant index. */
  ref: string;
  os: string;
  error: string;
  model: string;
  /** The pattern without group names; captures are read by index. */
  re: RegExp;
  /** Capture names by index (names[i] is capture i+1). */
  names: Array<string | null>;
  yang: YangNode[];
  /** Generated builder of the yang document (null: use the general tree builder). */
  buildYang: ((c: Ctx) => Record<string, unknown>) | null;
  /** Generated builder of message_details.values from the captures. */
  buildValues: (m: ArrayLike<string | undefined>) => Record<string, string | null>;
  /** Capture numbers of the first `user` and the first `username` group (0: none): the event's user. */
  userGroup: number;
  usernameGroup: number;
  peer: Template | null;
  iface: Template | null;
  state: Template | null;
  /** null → derive the level from the syslog severity. */
  level: ((c: Ctx) => Level) | null;
  /** The levels `level` can give (null: from the syslog severity); the receiver's critical screen reads it. */
  levels: Level[] | null;
  summary: Template | null;
}

/** One device prefix (header format) of an OS. */
export interface Prefix {
  ref: string;
  os: OsProfiles;
  shapes: Shape[];
  re: RegExp;
  /** slotOf[i]: header slot of capture i+1 (-1 for unnamed groups). */
  slotOf: number[];
  /** (name, slot) of every header value this prefix provides, in output order. */
  fields: Array<[string, number]>;
  /** Generated builder of message_details from the header slots. */
  buildDetails: (hdr: SyslogHeader, h: ArrayLike<string | undefined>) => Record<string, unknown>;
  /** The same with `values` (a matched event's) as the last key, in one literal. */
  buildMatchedDetails: (hdr: SyslogHeader, h: ArrayLike<string | undefined>, values: Record<string, string | null>) => Record<string, unknown>;
  /** Template for the tag when the regex has no `tag` group. */
  tag: Template | null;
  /** A weak prefix alone does not claim the OS for an unmatched message. */
  weak: boolean;
  /** Ids (in ProfileSet.needles) of substrings of which the message head must contain one. */
  requires: number[] | null;
  /** Whether the RFC 5424 header fields fill their slots first. */
  rfc5424: boolean;
}

/** Everything known about one OS. */
export interface OsProfiles {
  name: string;
  priority: number;
  prefixes: Prefix[];
  /** tag → rules to try, in file then variant order. */
  rules: Map<string, Rule[]>;
  /** (error, file) of each event profile. */
  events: Array<{ error: string; file: string }>;
  /** Header value names by slot (union over the OS's prefixes). */
  slots: string[];
  /** Slot numbers of the values the classifier itself reads (-1: no prefix provides it). */
  slot: Record<'host' | 'tag' | 'message' | 'date' | 'time' | 'timeZone' | RFC5424Name, number>;
}

/** A loaded, compiled profile tree. */
export interface ProfileSet {
  dir: string;
  oses: OsProfiles[];
  /** Candidate prefixes per shape, highest OS priority first. */
  byShape: Record<Shape, Prefix[]>;
  /** Every rule, for coverage checks. */
  rules: Rule[];
  /** The prefixes' `requires` substrings. */
  needles: NeedleSet;
}

/** Header values an RFC 5424 prefix gets before its regex runs. */
export const RFC5424_NAMES = ['version', 'timestamp', 'host', 'appName', 'procId', 'msgId'] as const;
type RFC5424Name = (typeof RFC5424_NAMES)[number];
const CLASSIFIER_SLOTS = [...new Set(['host', 'tag', 'message', 'date', 'time', 'timeZone', ...RFC5424_NAMES])] as Array<keyof OsProfiles['slot']>;
const SPECIAL = new Set(['host', 'ip', 'os', 'tag']);

const PREFIX_KEYS = new Set(['os', 'priority', 'prefixes', 'note']);
const PREFIX_ITEM_KEYS = new Set(['shape', 'regex', 'tag', 'weak', 'requires', 'note']);
const EVENT_KEYS = new Set(['error', 'tag', 'model', 'match', 'yang', 'peer', 'interface', 'state', 'level', 'summary', 'note']);
const VARIANT_KEYS = new Set(['regex', 'tag', 'yang', 'peer', 'interface', 'state', 'level', 'summary', 'note']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How profiles are loaded. */
export interface LoadOptions {
  /**
   * Run every pattern over the adversarial generator and refuse (NP009) one that backtracks
   * super-linearly (about 5 ms per 100 patterns, once per process). The bridge turns it on.
   */
  vet?: boolean;
}

const VET_HINT =
  'make each run of text matchable one way only: no two neighbouring repetitions that accept the same characters ' +
  "(': *(?<message>.*)$' → ':(?<message>.*)$', the message is trimmed anyway; " +
  "'[A-Z][\\w-]*-\\d-[\\w-]+' → '[A-Z](?=[\\w-]*?-\\d-[\\w-])[\\w-]*')";

class Checker {
  readonly diags: Diagnostic[] = [];
  constructor(readonly src: SourceFile, readonly vet = false) {}
  err(code: string, path: Array<string | number>, message: string, hint?: string, opts?: { key?: boolean; offset?: number }): void {
    this.diags.push(this.src.diag(code, path, message, hint, opts));
  }
  keys(obj: Record<string, unknown>, allowed: Set<string>, path: Array<string | number>): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.has(k)) this.err('NP002', [...path, k], `unknown key "${k}"`, `allowed here: ${[...allowed].join(', ')}`, { key: true });
    }
  }
  regex(v: unknown, path: Array<string | number>): IndexedRegex | null {
    if (typeof v !== 'string' || v === '') {
      this.err('NP004', path, 'regex must be a non-empty string', "quote it in single quotes: regex: '^…(?<name>…)'");
      return null;
    }
    let rx: IndexedRegex;
    try {
      rx = compileIndexed(v);
    } catch (e) {
      this.err('NP005', path, `invalid regex: ${(e as Error).message}`, 'JavaScript syntax: named groups are (?<name>…)');
      return null;
    }
    if (this.vet) {
      let verdict;
      try {
        verdict = vetPatternOnce(v);
      } catch (e) {
        this.err('NP009', path, `the backtracking check cannot read this regex: ${(e as Error).message}`, 'use plain groups, classes and quantifiers');
        return null;
      }
      if (!verdict.ok) {
        this.err(
          'NP009', path,
          `regex backtracks super-linearly: a ${VET_LENGTH}-character near-miss line ("${verdict.sample}…") takes ${verdict.worstMs.toFixed(1)} ms ` +
            `(limit ${VET_LIMIT_MS} ms; ${verdict.growth.toFixed(0)}x the time of a line 8 times shorter)`,
          VET_HINT,
        );
        return null;
      }
    }
    return rx;
  }
  template(v: unknown, path: Array<string | number>, resolve: (n: string) => Getter): Template | null {
    if (typeof v !== 'string') {
      this.err('NP004', path, 'expected a template string', "e.g. '{peer}' or 'BGP neighbor {peer} down'");
      return null;
    }
    try {
      return compileTemplate(v, resolve);
    } catch (e) {
      const off = e instanceof TemplateError ? e.offset : 0;
      this.err('NP006', path, (e as Error).message, undefined, { offset: off });
      return null;
    }
  }
}

/** Load and compile every profile under `dir`; throws ProfileError listing all problems. */
export function loadProfiles(dir: string, opts: LoadOptions = {}): ProfileSet {
  const diags: Diagnostic[] = [];
  const oses: OsProfiles[] = [];
  const needles = new NeedleSet();
  const root = join(dir, '..');
  const entries = existsSync(dir) ? readdirSync(dir).sort() : [];
  if (!existsSync(dir)) {
    diags.push({ code: 'NP008', file: dir, line: 1, col: 1, message: 'profiles directory not found', source: '' });
  }
  for (const name of entries) {
    const osDir = join(dir, name);
    if (name.startsWith('.') || name.startsWith('_') || !statSync(osDir).isDirectory()) continue;
    const os = loadOs(name, osDir, root, diags, needles, opts.vet === true);
    if (os) oses.push(os);
  }
  if (diags.length) throw new ProfileError(diags);
  oses.sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  const byShape = Object.fromEntries(SHAPES.map((s) => [s, [] as Prefix[]])) as Record<Shape, Prefix[]>;
  for (const os of oses) for (const p of os.prefixes) for (const s of p.shapes) byShape[s].push(p);
  const rules = oses.flatMap((o) => [...new Set([...o.rules.values()].flat())]);
  return { dir, oses, byShape, rules, needles };
}

function loadOs(name: string, osDir: string, root: string, diags: Diagnostic[], needles: NeedleSet, vet: boolean): OsProfiles | null {
  const prefixPath = join(osDir, '_prefix.yml');
  if (!existsSync(prefixPath)) {
    diags.push({
      code: 'NP008', file: `${name}/_prefix.yml`, line: 1, col: 1, source: '',
      message: `OS "${name}" has no _prefix.yml`, hint: 'every OS directory needs _prefix.yml describing its syslog header',
    });
    return null;
  }
  // slots: the values the classifier reads have fixed numbers; the others follow in order of appearance
  const slots: string[] = [...CLASSIFIER_SLOTS];
  const slotOfName = (n: string): number => {
    let k = slots.indexOf(n);
    if (k < 0) { k = slots.length; slots.push(n); }
    return k;
  };
  const slot = Object.fromEntries(CLASSIFIER_SLOTS.map((n, k) => [n, k])) as OsProfiles['slot'];
  const os: OsProfiles = { name, priority: 0, prefixes: [], rules: new Map(), events: [], slots, slot };
  const src = SourceFile.read(prefixPath, root);
  if (!src.parsed) { diags.push(...src.syntaxDiagnostics()); return null; }
  const ck = new Checker(src, vet);
  const data = src.data;
  const provided = new Set<string>();
  if (!isObj(data)) {
    ck.err('NP004', [], '_prefix.yml must be a mapping with os, prefixes');
  } else {
    ck.keys(data, PREFIX_KEYS, []);
    if (data.os !== name) ck.err('NP007', ['os'], `os must be "${name}" (the directory name)`, `os: ${name}`);
    if (data.priority !== undefined) {
      if (typeof data.priority !== 'number') ck.err('NP004', ['priority'], 'priority must be a number');
      else os.priority = data.priority;
    }
    const list = data.prefixes;
    if (!Array.isArray(list) || list.length === 0) ck.err('NP003', ['prefixes'], 'prefixes must be a non-empty list');
    else list.forEach((item, i) => {
      const p = compilePrefix(ck, os, item, i, src.display, slotOfName, needles);
      if (p) {
        os.prefixes.push(p);
        for (const [n] of p.fields) provided.add(n);
      }
    });
  }
  diags.push(...ck.diags);
  if (ck.diags.length) return null;
  provided.add('tag');

  for (const file of readdirSync(osDir).sort()) {
    if (!file.endsWith('.yml') || file.startsWith('_') || file.startsWith('.')) continue;
    const ev = SourceFile.read(join(osDir, file), root);
    if (!ev.parsed) { diags.push(...ev.syntaxDiagnostics()); continue; }
    const eck = new Checker(ev, vet);
    const rules = compileEvent(eck, os, file, ev.data, provided);
    diags.push(...eck.diags);
    if (eck.diags.length || !rules) continue;
    os.events.push({ error: rules.error, file });
    for (const { rule, tags } of rules.rules) {
      for (const t of tags) {
        const list = os.rules.get(t) ?? [];
        list.push(rule);
        os.rules.set(t, list);
      }
    }
  }
  return os;
}

function compilePrefix(
  ck: Checker,
  os: OsProfiles,
  item: unknown,
  i: number,
  display: string,
  slotOfName: (n: string) => number,
  needles: NeedleSet,
): Prefix | null {
  const at = ['prefixes', i];
  if (!isObj(item)) { ck.err('NP004', at, 'each prefix must be a mapping with shape and regex'); return null; }
  ck.keys(item, PREFIX_ITEM_KEYS, at);
  const shapes = (Array.isArray(item.shape) ? item.shape : [item.shape]) as unknown[];
  const bad = shapes.filter((s) => typeof s !== 'string' || !(SHAPES as readonly string[]).includes(s));
  if (item.shape === undefined || bad.length) {
    ck.err('NP004', [...at, 'shape'], `shape must be one or a list of: ${SHAPES.join(', ')}`);
    return null;
  }
  const rx = ck.regex(item.regex, [...at, 'regex']);
  if (!rx) return null;
  const groups = rx.names.filter((n): n is string => n !== null);
  const rfc5424 = shapes.includes('rfc5424');
  if (rfc5424 && shapes.length > 1) ck.err('NP004', [...at, 'shape'], 'an rfc5424 prefix cannot share its regex with RFC 3164 shapes (it matches MSG, not the header)');
  const names = rfc5424 ? [...new Set([...RFC5424_NAMES, ...groups])] : groups;
  if (!groups.includes('message')) ck.err('NP003', [...at, 'regex'], 'prefix regex needs a (?<message>…) group: the text event profiles match');
  const slotOf = rx.names.map((n) => (n === null ? -1 : slotOfName(n)));
  const fields = [...names, ...(names.includes('tag') ? [] : ['tag'])].map((n) => [n, slotOfName(n)] as [string, number]);
  let tag: Template | null = null;
  if (item.tag !== undefined) {
    tag = ck.template(item.tag, [...at, 'tag'], (n) => {
      if (!names.includes(n)) throw new Error(`"${n}" is not a group of this prefix (${names.join(', ')})`);
      const k = slotOfName(n);
      return getter(`c.h[${k}]`, (c: Ctx) => c.h[k]);
    });
  } else if (!groups.includes('tag')) {
    ck.err('NP003', [...at, 'regex'], 'prefix needs a (?<tag>…) group or a tag: template', "e.g. tag: '{appName}'");
  }
  if (item.weak !== undefined && typeof item.weak !== 'boolean') ck.err('NP004', [...at, 'weak'], 'weak must be true or false');
  const requires = item.requires === undefined ? null : ((Array.isArray(item.requires) ? item.requires : [item.requires]) as unknown[]);
  if (requires && (requires.length === 0 || requires.some((r) => typeof r !== 'string' || r === ''))) {
    ck.err('NP004', [...at, 'requires'], 'requires must be a non-empty string or a list of them (any one must occur)');
  }
  return {
    ref: `${display}#${i}`,
    os,
    shapes: shapes as Shape[],
    re: rx.re,
    slotOf,
    fields,
    buildDetails: detailsBuilder(fields),
    buildMatchedDetails: detailsBuilder(fields, true),
    tag,
    weak: item.weak === true,
    requires: requires ? (requires as string[]).map((r) => needles.intern(r)) : null,
    rfc5424,
  };
}

interface EventDoc {
  error: string;
  rules: Array<{ rule: Rule; tags: string[] }>;
}

function compileEvent(ck: Checker, os: OsProfiles, file: string, data: unknown, headerNames: Set<string>): EventDoc | null {
  if (!isObj(data)) { ck.err('NP004', [], 'an event profile must be a mapping with error, tag, model, match'); return null; }
  ck.keys(data, EVENT_KEYS, []);
  const stem = file.slice(0, -'.yml'.length);
  if (typeof data.error !== 'string') ck.err('NP003', ['error'], 'error (the napalm-logs error tag) is required', `error: ${stem}`);
  else if (data.error !== stem) ck.err('NP007', ['error'], `error "${data.error}" must match the file name ${file}`, `rename the file to ${data.error}.yml`);
  const tagList = (spec: unknown, path: Array<string | number>): string[] | null => {
    const list = (Array.isArray(spec) ? spec : [spec]) as unknown[];
    if (list.length === 0 || list.some((t) => typeof t !== 'string' || t === '')) {
      ck.err('NP003', path, 'tag is required: the tag (or list of tags) the OS prefix extracts for this event');
      return null;
    }
    return list as string[];
  };
  const eventTags = data.tag === undefined ? null : tagList(data.tag, ['tag']);
  if (typeof data.model !== 'string' || data.model === '') ck.err('NP003', ['model'], 'model is required (a YANG model name, or NO_MODEL)');
  const variants = data.match === undefined ? [] : Array.isArray(data.match) ? data.match : [data.match];
  if (variants.length === 0) ck.err('NP003', ['match'], 'match must list at least one variant with a regex');
  if (ck.diags.length) return null;

  const rules: Array<{ rule: Rule; tags: string[] }> = [];
  variants.forEach((v: unknown, i: number) => {
    const at = Array.isArray(data.match) ? ['match', i] : ['match'];
    if (!isObj(v)) { ck.err('NP004', at, 'each match variant must be a mapping with regex'); return; }
    ck.keys(v, VARIANT_KEYS, at);
    const tags = v.tag !== undefined ? tagList(v.tag, [...at, 'tag']) : eventTags;
    if (!tags) {
      if (data.tag === undefined) ck.err('NP003', ['tag'], 'tag is required (on the event or on every variant)');
      return;
    }
    const rx = ck.regex(v.regex, [...at, 'regex']);
    if (!rx) return;
    const groups = rx.names;
    const resolve = (n: string): Getter => {
      const k = groups.indexOf(n);
      if (k >= 0) return getter(`c.v[${k + 1}]`, (c) => c.v[k + 1]);
      if (n === 'host') return getter('c.host', (c) => c.host);
      if (n === 'ip') return getter('c.ip', (c) => c.ip);
      if (n === 'os') return getter('c.os', (c) => c.os);
      if (n === 'tag') return getter('c.tag', (c) => c.tag);
      if (headerNames.has(n)) {
        const slot = os.slots.indexOf(n);
        return getter(`c.h[${slot}]`, (c) => c.h[slot]);
      }
      const own = groups.filter((g) => g !== null).join(', ') || 'none';
      throw new Error(`unknown value "${n}": not a group of the regex (${own}), not a header value of ${os.name} (${[...headerNames].join(', ')}), not one of ${[...SPECIAL].join('/')}`);
    };
    // a key set on the variant overrides the event-level one
    const pick = (k: string): { value: unknown; path: Array<string | number> } | null =>
      v[k] !== undefined ? { value: v[k], path: [...at, k] } : data[k] !== undefined ? { value: data[k], path: [k] } : null;
    const tpl = (k: string): Template | null => {
      const p = pick(k);
      return p ? ck.template(p.value, p.path, resolve) : null;
    };
    const yangSpec = pick('yang');
    const yang: YangNode[] = [];
    if (yangSpec) compileYang(ck, yangSpec.value, yangSpec.path, resolve, yang);
    const levelSpec = pick('level');
    rules.push({ tags, rule: {
      ref: `${os.name}/${file}#${i}`,
      os: os.name,
      error: data.error as string,
      model: data.model as string,
      re: rx.re,
      names: rx.names,
      yang,
      buildYang: yangBuilder(yang),
      buildValues: valuesBuilder(rx.names),
      userGroup: rx.names.indexOf('user') + 1,
      usernameGroup: rx.names.indexOf('username') + 1,
      peer: tpl('peer'),
      iface: tpl('interface'),
      state: tpl('state'),
      level: levelSpec ? compileLevel(ck, levelSpec.value, levelSpec.path, resolve) : null,
      levels: levelSpec ? levelsOf(levelSpec.value) : null,
      summary: tpl('summary'),
    } });
  });
  return { error: data.error as string, rules };
}

/** Add the paths of a `yang:` mapping under `into`, merging literal segments shared with siblings. */
function compileYang(
  ck: Checker,
  node: unknown,
  path: Array<string | number>,
  resolve: (n: string) => Getter,
  into: YangNode[],
): void {
  if (!isObj(node)) { ck.err('NP004', path, 'yang must be a mapping of paths to values'); return; }
  for (const [k, v] of Object.entries(node)) {
    const segs: Array<string | Template> = [];
    for (const seg of k.split('/')) {
      if (seg === '') continue;
      if (!seg.includes('{')) { segs.push(seg); continue; }
      const t = ck.template(seg, [...path, k], resolve);
      if (t) segs.push(t);
    }
    if (segs.length === 0) { ck.err('NP004', [...path, k], 'empty yang path', undefined, { key: true }); continue; }
    // walk/create the inner nodes for all segments but the last
    let level = into;
    for (let j = 0; j < segs.length - 1; j++) level = innerNode(level, segs[j]!);
    const last = segs[segs.length - 1]!;
    if (isObj(v)) {
      compileYang(ck, v, [...path, k], resolve, innerNode(level, last));
      continue;
    }
    if (Array.isArray(v)) { ck.err('NP004', [...path, k], 'yang values cannot be lists'); continue; }
    let value: Template | Value;
    if (typeof v === 'string' && v.includes('{')) {
      const t = ck.template(v, [...path, k], resolve);
      if (!t) continue;
      value = t;
    } else {
      value = v as Value;
    }
    if (typeof last === 'string' && level.some((n) => n.key === last)) {
      ck.err('NP004', [...path, k], `yang path ends at "${last}", which is also set elsewhere`, undefined, { key: true });
      continue;
    }
    level.push({ key: last, value, leaf: true, children: [] });
  }
}

function innerNode(level: YangNode[], key: string | Template): YangNode[] {
  if (typeof key === 'string') {
    const found = level.find((n) => !n.leaf && n.key === key);
    if (found) return found.children;
  }
  const n: YangNode = { key, leaf: false, children: [] };
  level.push(n);
  return n.children;
}

/** Every level a `level:` spec can give (its cases' levels, and info, the fall-through). */
function levelsOf(spec: unknown): Level[] {
  if (typeof spec === 'string') return [spec as Level];
  const out = new Set<Level>(['info']);
  if (Array.isArray(spec)) for (const c of spec) if (isObj(c) && typeof c.level === 'string') out.add(c.level as Level);
  return [...out];
}

function compileLevel(ck: Checker, spec: unknown, path: Array<string | number>, resolve: (n: string) => Getter): ((c: Ctx) => Level) | null {
  const isLevel = (x: unknown): x is Level => typeof x === 'string' && (LEVELS as readonly string[]).includes(x);
  if (isLevel(spec)) return () => spec;
  if (!Array.isArray(spec)) {
    ck.err('NP004', path, `level must be one of ${LEVELS.join(', ')}, or a list of {when, level}`);
    return null;
  }
  const cases: Array<{ tests: Array<[Getter, RegExp]>; level: Level }> = [];
  spec.forEach((c: unknown, i: number) => {
    if (!isObj(c) || !isLevel(c.level)) {
      ck.err('NP004', [...path, i], `each case needs level: ${LEVELS.join('|')}`, "e.g. - { when: { newState: '^Idle$' }, level: critical }");
      return;
    }
    const tests: Array<[Getter, RegExp]> = [];
    if (c.when !== undefined) {
      if (!isObj(c.when)) { ck.err('NP004', [...path, i, 'when'], 'when must map value names to regexes'); return; }
      for (const [n, r] of Object.entries(c.when)) {
        let get: Getter;
        try { get = resolve(n); } catch (e) { ck.err('NP006', [...path, i, 'when', n], (e as Error).message, undefined, { key: true }); continue; }
        const re = ck.regex(r, [...path, i, 'when', n]);
        if (re) tests.push([get, re.re]);
      }
    }
    for (const k of Object.keys(c)) if (k !== 'when' && k !== 'level') ck.err('NP002', [...path, i, k], `unknown key "${k}"`, 'allowed: when, level', { key: true });
    cases.push({ tests, level: c.level });
  });
  const last = cases[cases.length - 1];
  if (!last || last.tests.length) ck.err('NP003', path, 'the last level case must have no "when" (the default)', '- { level: info }');
  return (ctx) => {
    for (const c of cases) {
      let ok = true;
      for (const [get, re] of c.tests) {
        const v = get(ctx);
        if (v === null || v === undefined || !re.test(String(v))) { ok = false; break; }
      }
      if (ok) return c.level;
    }
    return 'info';
  };
}
