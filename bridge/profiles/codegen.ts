/**
 * Per-profile object builders, generated once at load time. An object literal with fixed keys is
 * several times cheaper in V8 than filling an empty object key by key, and the classifier builds
 * three objects per message (message_details, its values, the yang document). Keys are embedded
 * with JSON.stringify; values are read through the compiled templates, so no profile text is
 * ever evaluated as code.
 */
import type { Ctx, Template } from './template.js';
import type { Value } from './filters.js';
import type { SyslogHeader } from '../syslog/header.js';

/** A yang node as compile.ts builds it (kept structural to avoid an import cycle). */
interface YNode {
  key: string | Template;
  value?: Template | Value;
  leaf: boolean;
  children: YNode[];
}

const isTemplate = (v: unknown): v is Template => typeof v === 'object' && v !== null && 'value' in v && 'text' in v;

/** `m => ({name: m[1] ?? null, …})` for a regex's capture names. */
export function valuesBuilder(names: Array<string | null>): (m: ArrayLike<string | undefined>) => Record<string, string | null> {
  const parts: string[] = [];
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (n === null || seen.has(n)) return;
    seen.add(n);
    parts.push(`${JSON.stringify(n)}: m[${i + 1}] ?? null`);
  });
  return new Function(`return function values(m) { return { ${parts.join(', ')} }; };`)() as (m: ArrayLike<string | undefined>) => Record<string, string | null>;
}

/** `(hdr, h) => ({pri, facility, severity, name: h[slot] ?? null, …})` for a prefix's fields. */
export function detailsBuilder(fields: Array<[string, number]>): (hdr: SyslogHeader, h: ArrayLike<string | undefined>) => Record<string, unknown> {
  const parts = ['pri: hdr.pri', 'facility: hdr.facility', 'severity: hdr.severity'];
  for (const [n, slot] of fields) parts.push(`${JSON.stringify(n)}: h[${slot}] ?? null`);
  return new Function(`return function details(hdr, h) { return { ${parts.join(', ')} }; };`)() as (
    hdr: SyslogHeader,
    h: ArrayLike<string | undefined>,
  ) => Record<string, unknown>;
}

/**
 * A builder returning the yang document as nested object literals, or null when the tree needs
 * the general builder: a templated key next to other keys (two keys could then be equal and must
 * merge), or an inner node whose leaves may all be left out (it would have to disappear).
 * Leaves that may be left out ({x?}) are added after the literal, only when they have a value.
 */
export function yangBuilder(nodes: YNode[]): ((c: Ctx) => Record<string, unknown>) | null {
  const K: Template[] = [];
  const V: Template[] = [];
  let ok = true;
  const keyOf = (n: YNode): string => {
    if (typeof n.key === 'string') return JSON.stringify(n.key);
    K.push(n.key);
    return `[K[${K.length - 1}].text(c)]`;
  };
  const always = (n: YNode): boolean => (n.leaf ? !(isTemplate(n.value) && n.value.omits) : n.children.some(always));
  // objects with optional leaves are built first, as statements; the rest is one nested literal
  const stmts: string[] = [];
  const emit = (level: YNode[]): string => {
    if (level.length > 1 && level.some((n) => typeof n.key !== 'string')) ok = false;
    const fixed: string[] = [];
    const optional: string[] = [];
    for (const n of level) {
      if (!n.leaf) {
        if (!always(n)) ok = false;
        fixed.push(`${keyOf(n)}: ${emit(n.children)}`);
      } else if (isTemplate(n.value)) {
        V.push(n.value);
        const get = `V[${V.length - 1}].value(c)`;
        if (n.value.omits) optional.push(`[${typeof n.key === 'string' ? JSON.stringify(n.key) : `K[${K.push(n.key) - 1}].text(c)`}] = t;`, get);
        else fixed.push(`${keyOf(n)}: ${get}`);
      } else {
        fixed.push(`${keyOf(n)}: ${JSON.stringify(n.value ?? null)}`);
      }
    }
    const literal = `{ ${fixed.join(', ')} }`;
    if (optional.length === 0) return literal;
    const name = `o${stmts.length}`;
    const adds: string[] = [];
    for (let i = 0; i < optional.length; i += 2) adds.push(`if ((t = ${optional[i + 1]}) !== undefined) ${name}${optional[i]}`);
    stmts.push(`const ${name} = ${literal}; ${adds.join(' ')}`);
    return name;
  };
  const body = emit(nodes);
  if (!ok) return null;
  return new Function('K', 'V', `return function yang(c) { let t; ${stmts.join(' ')} return ${body}; };`)(K, V) as (c: Ctx) => Record<string, unknown>;
}

/**
 * Text builders: the same documents as the builders above, written straight as JSON text, so
 * serialising an event (bridge/event-json.ts) does not walk objects with computed keys. Keys are
 * embedded with JSON.stringify at generation time; values are escaped at run time by `str`/`json`.
 * Each builder gives byte for byte what JSON.stringify gives for its object builder's result
 * (test/syslog/event-json.test.ts); where that cannot be sure at generation time (a literal key
 * that is integer-like, so V8 would put it first, or "__proto__", or two equal keys) no text
 * builder is made and the event goes through JSON.stringify.
 */

/** Strings JSON.stringify writes as-is between quotes: no quote, backslash, control char or surrogate. */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** JSON text of a string, as JSON.stringify writes it. */
export function str(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** JSON text of a yang/details value (undefined: the caller leaves the member out). */
export function json(v: unknown): string {
  return typeof v === 'string' ? str(v) : v === null ? 'null' : (JSON.stringify(v) as string);
}

/** V8 orders integer-like keys (array indices) first: "0", "12", not "01" or "-1". */
export const isIndexKey = (k: string): boolean => /^(0|[1-9][0-9]*)$/.test(k) && Number(k) < 4294967295;

/** Keys a generated literal can hold in source order: no index key, no "__proto__", no repeats. */
function plainKeys(keys: string[]): boolean {
  return new Set(keys).size === keys.length && keys.every((k) => k !== '__proto__' && !isIndexKey(k));
}

/** `v => '{"name":' + json(v.name) + …}` for the object valuesBuilder(names) returns; null: use JSON.stringify. */
export function valuesTextBuilder(names: Array<string | null>): ((v: Record<string, unknown>) => string) | null {
  const keys = [...new Set(names.filter((n): n is string => n !== null))];
  if (!plainKeys(keys)) return null;
  if (keys.length === 0) return () => '{}';
  const parts = keys.map((k, i) => `${JSON.stringify(`${i ? ',' : '{'}${JSON.stringify(k)}:`)} + json(v[${JSON.stringify(k)}])`);
  return new Function('json', `return function valuesText(v) { return ${parts.join(' + ')} + '}'; };`)(json) as (v: Record<string, unknown>) => string;
}

/**
 * The keys of detailsBuilder(fields)'s object, in order, and its text builder given the values'
 * text: `(md, sd, values) => '{"pri":…,"structuredData":…,"values":…}'`; null: use JSON.stringify.
 */
export function detailsTextBuilder(fields: Array<[string, number]>): { keys: string[]; text: (md: Record<string, unknown>, values: string) => string } | null {
  const keys = ['pri', 'facility', 'severity', ...fields.map(([n]) => n)];
  if (!plainKeys([...keys, 'structuredData', 'values'])) return null;
  const parts = keys.map((k, i) => `${JSON.stringify(`${i ? ',' : '{'}${JSON.stringify(k)}:`)} + json(md[${JSON.stringify(k)}])`);
  const text = new Function(
    'json',
    `return function detailsText(md, values) { const sd = md.structuredData; return ${parts.join(' + ')} + (sd === undefined ? '' : ',"structuredData":' + JSON.stringify(sd)) + ',"values":' + values + '}'; };`,
  )(json) as (md: Record<string, unknown>, values: string) => string;
  return { keys, text };
}

/**
 * The text twin of yangBuilder(nodes): the same members in the same order (a level's fixed
 * members in profile order, then its optional leaves), a member left out when its value is
 * undefined, as JSON.stringify does. Returns null when yangBuilder does, or when a level's
 * literal keys are not plainKeys. At run time the builder returns null (use JSON.stringify) for a
 * computed key "__proto__" on an optional leaf, which the object builder assigns (a prototype).
 */
export function yangTextBuilder(nodes: YNode[]): ((c: Ctx) => string | null) | null {
  if (yangBuilder(nodes) === null) return null;
  const K: Template[] = [];
  const V: Template[] = [];
  const C: string[] = [];
  let ok = true;
  let n = 0;
  const stmts: string[] = [];
  const always = (x: YNode): boolean => (x.leaf ? !(isTemplate(x.value) && x.value.omits) : x.children.some(always));
  // each level becomes a string variable holding ',"k":v' members; its text is '{' + rest + '}'
  const emit = (level: YNode[]): string => {
    const literal = level.filter((x) => typeof x.key === 'string').map((x) => x.key as string);
    if (level.length > 1 && !plainKeys(literal)) ok = false;
    if (literal.includes('__proto__')) ok = false;
    const name = `b${n++}`;
    const fixed: string[] = [];
    const optional: string[] = [];
    const keyText = (x: YNode, guard: boolean): string => {
      if (typeof x.key === 'string') return JSON.stringify(`,${JSON.stringify(x.key)}:`);
      const i = K.push(x.key) - 1;
      if (guard) return `((k = K[${i}].text(c)) === '__proto__' ? bad() : ',' + str(k) + ':')`;
      return `',' + str(K[${i}].text(c)) + ':'`;
    };
    for (const x of level) {
      if (!x.leaf) {
        if (!always(x)) ok = false;
        const inner = emit(x.children);
        fixed.push(`${name} += ${keyText(x, false)} + ${inner};`);
      } else if (isTemplate(x.value)) {
        const i = V.push(x.value) - 1;
        const stmt = `if ((t = V[${i}].value(c)) !== undefined && typeof t !== 'function' && typeof t !== 'symbol') ${name} += ${keyText(x, x.value.omits)} + json(t);`;
        (x.value.omits ? optional : fixed).push(stmt);
      } else {
        const i = C.push(JSON.stringify(x.value ?? null)) - 1;
        fixed.push(`${name} += ${keyText(x, false)} + C[${i}];`);
      }
    }
    stmts.push(`let ${name} = ''; ${[...fixed, ...optional].join(' ')} ${name} = ${name} === '' ? '{}' : '{' + ${name}.slice(1) + '}';`);
    return name;
  };
  // children are emitted before their parent's statement, so they are ready when it runs
  const top = emit(nodes);
  if (!ok) return null;
  const src = `return function yangText(c) { let t, k; try { ${stmts.join(' ')} return ${top}; } catch (e) { if (e === BAD) return null; throw e; } };`;
  const BAD = {};
  const bad = (): never => { throw BAD; };
  return new Function('K', 'V', 'C', 'str', 'json', 'bad', 'BAD', src)(K, V, C, str, json, bad, BAD) as (c: Ctx) => string | null;
}
