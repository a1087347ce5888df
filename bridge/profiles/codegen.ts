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

/**
 * `(hdr, h) => ({pri, facility, severity, name: h[slot] ?? null, …})` for a prefix's fields;
 * with `withValues`, `(hdr, h, values) => ({…, values})` (one literal: adding the key afterwards
 * is a map transition per prefix at every matched message).
 */
export function detailsBuilder(fields: Array<[string, number]>): (hdr: SyslogHeader, h: ArrayLike<string | undefined>) => Record<string, unknown>;
export function detailsBuilder(
  fields: Array<[string, number]>,
  withValues: true,
): (hdr: SyslogHeader, h: ArrayLike<string | undefined>, values: Record<string, string | null>) => Record<string, unknown>;
export function detailsBuilder(fields: Array<[string, number]>, withValues = false): (hdr: SyslogHeader, h: ArrayLike<string | undefined>, values?: Record<string, string | null>) => Record<string, unknown> {
  const parts = ['pri: hdr.pri', 'facility: hdr.facility', 'severity: hdr.severity'];
  for (const [n, slot] of fields) parts.push(`${JSON.stringify(n)}: h[${slot}] ?? null`);
  // a field named "values" is overwritten by the matched values, as when they were assigned after
  if (withValues) parts.push('values: values');
  return new Function(`return function details(hdr, h, values) { return { ${parts.join(', ')} }; };`)() as (
    hdr: SyslogHeader,
    h: ArrayLike<string | undefined>,
    values?: Record<string, string | null>,
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
    // a level with a templated key has that one key: it is set by assignment, ≈ 2× cheaper in V8
    // than a computed key in a literal (whose definition goes through the runtime once the key
    // varies, e.g. a neighbor address); "__proto__" keeps the literal (assigning it would set the prototype)
    const computed = level.length === 1 && typeof level[0]!.key !== 'string' && fixed.length === 1 && optional.length === 0 ? fixed[0]! : null;
    if (computed !== null) {
      const k = `k${stmts.length}`;
      const v = `v${stmts.length}`;
      const name = `o${stmts.length}`;
      const colon = computed.indexOf(']: ');
      stmts.push(
        `const ${k} = ${computed.slice(1, colon)}; const ${v} = ${computed.slice(colon + 3)}; let ${name}; ` +
          `if (${k} === "__proto__") ${name} = { [${k}]: ${v} }; else { ${name} = {}; ${name}[${k}] = ${v}; }`,
      );
      return name;
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
