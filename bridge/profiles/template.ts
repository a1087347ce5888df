/**
 * The small template language of profiles, compiled once into closures:
 *   text {name} text         a value (a regex group, a prefix group, or host/ip/os/tag)
 *   {name|upper|map(a=b)}    filters, applied left to right (see filters.ts)
 *   {name?}                  in a yang value: leave the leaf out when the value is empty
 *   {?text {name} text}      optional section: rendered only when every value in it is non-empty
 *   {{  }}                   literal braces
 * A template that is exactly one `{…}` yields the typed value (number after |int, null when the
 * group did not participate); any other template yields a string.
 */
import { makeFilter, type Filter, type Value } from './filters.js';

/** Captured values by position. */
export type Captures = ArrayLike<string | undefined>;

/** What templates read at run time. */
export interface Ctx {
  /** The matched profile regex's captures (index 1… as in a RegExp match). */
  v: Captures;
  /** The header values, by the OS's header slot numbers. */
  h: Captures;
  host: string;
  ip: string;
  os: string;
  tag: string;
}

/** Reads one name from a context; `expr`, when set, is the same read as a JS expression over `c`. */
export type Getter = ((c: Ctx) => Value) & { expr?: string };

/** A getter that also has a JS expression form, so templates using it can be compiled to code. */
export function getter(expr: string, read: (c: Ctx) => Value): Getter {
  return Object.assign(read, { expr });
}

/** A compiled template. */
export interface Template {
  /** The typed value (single placeholder) or the rendered string; undefined means "omit". */
  value(c: Ctx): Value;
  /** Always a string ('' for nothing). */
  text(c: Ctx): string;
  /** Names the template reads. */
  names: string[];
  /** Exactly one placeholder and nothing else. */
  single: boolean;
  /** value() may return undefined ({name?}): the yang leaf is then left out. */
  omits: boolean;
}

/** Template syntax error, with the offset in the template source. */
export class TemplateError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

type Node =
  | { k: 'lit'; s: string }
  | { k: 'ph'; get: Getter; filters: Filter[]; omit: boolean; name: string }
  | { k: 'opt'; nodes: Node[] };

const isEmpty = (v: Value): boolean => v === null || v === undefined || v === '';
const toText = (v: Value): string => (v === null || v === undefined ? '' : String(v));

function evalPh(n: Extract<Node, { k: 'ph' }>, c: Ctx): Value {
  let v = n.get(c);
  for (const f of n.filters) v = f(v);
  return v;
}

function render(nodes: Node[], c: Ctx): string {
  let out = '';
  for (const n of nodes) {
    if (n.k === 'lit') out += n.s;
    else if (n.k === 'ph') out += toText(evalPh(n, c));
    else if (allPresent(n.nodes, c)) out += render(n.nodes, c);
  }
  return out;
}

function allPresent(nodes: Node[], c: Ctx): boolean {
  for (const n of nodes) {
    // a nested optional section never makes its parent absent
    if (n.k === 'ph' && isEmpty(evalPh(n, c))) return false;
  }
  return true;
}

const NAME = /^[A-Za-z_][\w-]*/;

/** Parse `src` from `i` until an unmatched '}' (when nested) or the end. */
function parse(src: string, i: number, nested: boolean, resolve: (name: string) => Getter, names: string[]): [Node[], number] {
  const nodes: Node[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit) nodes.push({ k: 'lit', s: lit });
    lit = '';
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '{' && src[i + 1] === '{') { lit += '{'; i += 2; continue; }
    if (ch === '}' && src[i + 1] === '}' && !nested) { lit += '}'; i += 2; continue; }
    if (ch === '}') {
      if (nested) { flush(); return [nodes, i + 1]; }
      throw new TemplateError('unmatched "}" (write "}}" for a literal brace)', i);
    }
    if (ch !== '{') { lit += ch; i++; continue; }
    flush();
    if (src[i + 1] === '?') {
      const [inner, end] = parse(src, i + 2, true, resolve, names);
      if (!inner.some((n) => n.k === 'ph')) throw new TemplateError('optional section "{?…}" has no {value} in it', i);
      nodes.push({ k: 'opt', nodes: inner });
      i = end;
      continue;
    }
    const close = src.indexOf('}', i);
    if (close < 0) throw new TemplateError('"{" is never closed', i);
    let body = src.slice(i + 1, close);
    let omit = false;
    if (body.endsWith('?')) { omit = true; body = body.slice(0, -1); }
    const m = NAME.exec(body);
    if (!m) throw new TemplateError(`"{${body}}" does not start with a value name`, i);
    const name = m[0];
    const filters: Filter[] = [];
    let rest = body.slice(name.length);
    while (rest.length > 0) {
      const f = /^\|([a-z_]+)/.exec(rest);
      if (!f) throw new TemplateError(`cannot read filter in "{${body}}": expected |name or |name(args)`, i);
      let args: string | null = null;
      let used = f[0].length;
      if (rest[used] === '(') {
        // arguments run to the matching ')', so they may contain balanced parentheses
        let depth = 0;
        let k = used;
        for (; k < rest.length; k++) {
          if (rest[k] === '(') depth++;
          else if (rest[k] === ')' && --depth === 0) break;
        }
        if (k >= rest.length) throw new TemplateError(`unclosed "(" in filter ${f[1]} of "{${body}}"`, i);
        args = rest.slice(used + 1, k);
        used = k + 1;
      }
      try {
        filters.push(makeFilter(f[1]!, args));
      } catch (e) {
        throw new TemplateError((e as Error).message, i);
      }
      rest = rest.slice(used);
    }
    let get: Getter;
    try {
      get = resolve(name);
    } catch (e) {
      throw new TemplateError((e as Error).message, i);
    }
    names.push(name);
    nodes.push({ k: 'ph', get, filters, omit, name });
    i = close + 1;
  }
  if (nested) throw new TemplateError('optional section "{?" is never closed', src.length);
  flush();
  return [nodes, i];
}

/** Compile a template; `resolve` maps a name to its getter (throw to reject unknown names). */
export function compileTemplate(src: string, resolve: (name: string) => Getter): Template {
  const names: string[] = [];
  const [nodes] = parse(src, 0, false, resolve, names);
  const only = nodes.length === 1 && nodes[0]!.k === 'ph' ? nodes[0] : null;
  if (nodes.every((n) => n.k === 'lit')) {
    const s = nodes.map((n) => (n as { s: string }).s).join('');
    return { names, single: false, omits: false, value: () => s, text: () => s };
  }
  const code = generate(nodes, only);
  if (code) return { names, single: only !== null, omits: only?.omit ?? false, ...code };
  if (only) {
    const ph = only;
    return {
      names,
      single: true,
      omits: ph.omit,
      value: ph.omit
        ? (c) => {
            const v = evalPh(ph, c);
            return isEmpty(v) ? undefined : v;
          }
        : (c) => {
            const v = evalPh(ph, c);
            return v === undefined ? null : v;
          },
      text: (c) => toText(evalPh(ph, c)),
    };
  }
  return { names, single: false, omits: false, value: (c) => render(nodes, c), text: (c) => render(nodes, c) };
}

/**
 * The template as straight-line code (string concatenation, filters called directly) when every
 * value it reads has an expression form; null otherwise. Only JSON-quoted literals and the
 * getters' own expressions end up in the code.
 */
function generate(nodes: Node[], only: Node | null): Pick<Template, 'value' | 'text'> | null {
  const F: Filter[] = [];
  let ok = true;
  const ph = (n: Extract<Node, { k: 'ph' }>): string => {
    if (n.get.expr === undefined) ok = false;
    let e = n.get.expr ?? 'undefined';
    for (const f of n.filters) e = `F[${F.push(f) - 1}](${e})`;
    return e;
  };
  const text = (list: Node[]): string =>
    list
      .map((n) => {
        if (n.k === 'lit') return JSON.stringify(n.s);
        if (n.k === 'ph') return `S(${ph(n)})`;
        const conds = n.nodes.filter((m): m is Extract<Node, { k: 'ph' }> => m.k === 'ph').map((m) => `!E(${ph(m)})`);
        return `(${conds.join(' && ')} ? ${text(n.nodes) || '""'} : "")`;
      })
      .join(' + ');
  const textBody = `"" + ${text(nodes)}`;
  let valueBody = textBody;
  if (only && only.k === 'ph') {
    valueBody = only.omit ? `(t = ${ph(only)}, E(t) ? undefined : t)` : `(t = ${ph(only)}, t === undefined ? null : t)`;
  }
  if (!ok) return null;
  const make = new Function('F', 'S', 'E', `return [function text(c) { return ${textBody}; }, function value(c) { let t; return ${valueBody}; }];`);
  const [t, v] = make(F, toText, isEmpty) as [(c: Ctx) => string, (c: Ctx) => Value];
  return { text: t, value: v };
}
