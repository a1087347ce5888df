/**
 * The adversarial generator: near-miss inputs for a profile regex, built from the pattern alone.
 *
 * Super-linear backtracking needs a quantifier that can be fed a long run of text in more than
 * one way, and an input that then fails. So for every unbounded quantifier Q of the pattern the
 * generator builds: a witness of everything the regex needs before Q (so the engine gets there),
 * a pump repeated to the wanted length (one character Q accepts, or a witness of what follows Q
 * up to the next quantifier, which is what overlaps in `[\w-]*-\d-[\w-]+`), and a killer that
 * makes the match fail at the end (nothing, a line terminator that `.` refuses, a stray byte).
 * Unanchored patterns are also pumped from the first character (the engine retries each start).
 * Deterministic: the same pattern always gives the same inputs, in the same order.
 */

/** A parsed regex node (the subset of JavaScript syntax profiles use). */
type Node =
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'group'; body: Node; look: boolean }
  | { t: 'set'; has: (c: string) => boolean; sample: string }
  | { t: 'assert' }
  | { t: 'rep'; body: Node; min: number; max: number };

/** Characters tried as pumps and samples, most telling first. */
const ALPHABET = ['a', '0', ' ', '-', '_', 'A', '.', ':', '/', '[', ']', '(', ')', '%', '=', '"', ',', '\t', '\n', '\u2028', '!', '\u00e9'];
/** What is appended after the pump so the match fails. */
const KILLERS = ['', '\n', '\u2028', '!'];

const word = (c: string) => /\w/.test(c);
const digit = (c: string) => c >= '0' && c <= '9';
const space = (c: string) => /\s/.test(c);
const lineEnd = (c: string) => c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';

/** A character class node from a membership test. */
function set(has: (c: string) => boolean): Node {
  const sample = ALPHABET.find(has) ?? '\u0001';
  return { t: 'set', has, sample };
}

const ESCAPES: Record<string, (c: string) => boolean> = {
  d: digit,
  D: (c) => !digit(c),
  w: word,
  W: (c) => !word(c),
  s: space,
  S: (c) => !space(c),
};

/** Parse a pattern (no flags) into nodes; throws on syntax the generator does not know. */
export function parsePattern(src: string): Node {
  let i = 0;
  const escapeChar = (c: string): string => ({ n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', '0': '\0' })[c] ?? c;
  const parseClass = (): Node => {
    i++; // [
    let negate = false;
    if (src[i] === '^') {
      negate = true;
      i++;
    }
    const tests: Array<(c: string) => boolean> = [];
    let first = true;
    while (i < src.length && (src[i] !== ']' || first)) {
      first = false;
      let lo: string;
      if (src[i] === '\\') {
        const e = src[i + 1]!;
        i += 2;
        if (ESCAPES[e]) {
          tests.push(ESCAPES[e]!);
          continue;
        }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i, i + 4))) {
          lo = String.fromCharCode(parseInt(src.slice(i, i + 4), 16));
          i += 4;
        } else lo = escapeChar(e);
      } else lo = src[i++]!;
      if (src[i] === '-' && src[i + 1] !== ']' && i + 1 < src.length) {
        i++;
        let hi = src[i++]!;
        if (hi === '\\') hi = escapeChar(src[i++]!);
        const a = lo;
        tests.push((c) => c >= a && c <= hi);
      } else {
        const a = lo;
        tests.push((c) => c === a);
      }
    }
    i++; // ]
    const any = (c: string) => tests.some((t) => t(c));
    return set(negate ? (c) => !any(c) : any);
  };
  const parseAtom = (): Node => {
    const c = src[i]!;
    if (c === '(') {
      i++;
      let look = false;
      if (src[i] === '?') {
        if (src[i + 1] === ':') i += 2;
        else if (src[i + 1] === '=' || src[i + 1] === '!') {
          look = true;
          i += 2;
        } else if (src[i + 1] === '<' && (src[i + 2] === '=' || src[i + 2] === '!')) {
          look = true;
          i += 3;
        } else if (src[i + 1] === '<') i = src.indexOf('>', i) + 1;
        else throw new SyntaxError(`unknown group syntax at ${i} in /${src}/`);
      }
      const body = parseAlt();
      if (src[i] !== ')') throw new SyntaxError(`unbalanced ( in /${src}/`);
      i++;
      return { t: 'group', body, look };
    }
    if (c === '[') return parseClass();
    if (c === '.') {
      i++;
      return set((x) => !lineEnd(x));
    }
    if (c === '^' || c === '$') {
      i++;
      return { t: 'assert' };
    }
    if (c === '\\') {
      const e = src[i + 1]!;
      i += 2;
      if (ESCAPES[e]) return set(ESCAPES[e]!);
      if (e === 'b' || e === 'B' || /[1-9]/.test(e)) return { t: 'assert' };
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i, i + 4))) {
        const ch = String.fromCharCode(parseInt(src.slice(i, i + 4), 16));
        i += 4;
        return set((x) => x === ch);
      }
      const ch = escapeChar(e);
      return set((x) => x === ch);
    }
    i++;
    return set((x) => x === c);
  };
  const parseQuant = (atom: Node): Node => {
    let min: number;
    let max: number;
    const c = src[i];
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      i += m[0].length - 1;
    } else return atom;
    i++;
    if (src[i] === '?') i++; // lazy: same set of paths
    return { t: 'rep', body: atom, min, max };
  };
  const parseSeq = (): Node => {
    const items: Node[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') items.push(parseQuant(parseAtom()));
    return { t: 'seq', items };
  };
  function parseAlt(): Node {
    const options = [parseSeq()];
    while (src[i] === '|') {
      i++;
      options.push(parseSeq());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }
  const root = parseAlt();
  if (i !== src.length) throw new SyntaxError(`unbalanced ) in /${src}/`);
  return root;
}

/** A short string the node matches (first alternative, fewest repeats). */
function witness(n: Node): string {
  switch (n.t) {
    case 'seq':
      return n.items.map(witness).join('');
    case 'alt':
      return witness(n.options[0]!);
    case 'group':
      return n.look ? '' : witness(n.body);
    case 'set':
      return n.sample;
    case 'assert':
      return '';
    case 'rep':
      return witness(n.body).repeat(Math.min(n.min, 64));
  }
}

/** Characters (from ALPHABET) a node can start with. */
function firstChars(n: Node): string[] {
  switch (n.t) {
    case 'set':
      return ALPHABET.filter(n.has);
    case 'group':
      return n.look ? [] : firstChars(n.body);
    case 'rep':
      return firstChars(n.body);
    case 'alt':
      return [...new Set(n.options.flatMap(firstChars))];
    case 'seq':
      for (const it of n.items) {
        const f = firstChars(it);
        if (f.length > 0 || witness(it) !== '') return f;
      }
      return [];
    case 'assert':
      return [];
  }
}

/** One unbounded quantifier with what leads to it and what follows it in the same sequence. */
interface Site {
  rep: Extract<Node, { t: 'rep' }>;
  /** Witness of everything the regex needs before the quantifier. */
  before: string;
  /** Witness of the rest of the enclosing sequence up to (and into) the next unbounded quantifier. */
  next: string;
}

/** Every unbounded quantifier of the tree, with its context. */
function sites(root: Node): Site[] {
  const out: Site[] = [];
  const walk = (n: Node, before: string, after: Node[]): void => {
    if (n.t === 'seq') {
      n.items.forEach((it, k) => {
        const pre = before + n.items.slice(0, k).map(witness).join('');
        walk(it, pre, [...n.items.slice(k + 1), ...after]);
      });
    } else if (n.t === 'alt') {
      for (const o of n.options) walk(o, before, after);
    } else if (n.t === 'group') {
      walk(n.body, before, n.look ? [] : after);
    } else if (n.t === 'rep') {
      if (n.max === Infinity) {
        let next = '';
        for (const a of after) {
          if (a.t === 'rep' && a.max === Infinity) {
            next += witness(a.body);
            break;
          }
          next += witness(a);
        }
        out.push({ rep: n, before, next });
      }
      walk(n.body, before, after);
    }
  };
  walk(root, '', []);
  return out;
}

/** One near-miss input, before it is stretched to a length. */
export interface Attack {
  /** What leads the engine to the quantifier. */
  before: string;
  /** What is repeated. */
  pump: string;
  /** What ends the text so the match fails. */
  killer: string;
}

/** The attack as a text of `length` characters: before, the pump repeated, the killer. */
export function render(a: Attack, length: number): string {
  const room = Math.max(0, length - a.before.length - a.killer.length);
  const reps = Math.ceil(room / Math.max(1, a.pump.length));
  return (a.before + a.pump.repeat(reps)).slice(0, a.before.length + room) + a.killer;
}

/**
 * The near-miss attacks on a pattern, deduplicated, in a fixed order.
 * Throws SyntaxError for syntax outside the subset (the caller then reports the pattern).
 */
export function adversarialAttacks(pattern: string): Attack[] {
  const root = parsePattern(pattern);
  const anchored = pattern.startsWith('^');
  const out = new Map<string, Attack>();
  const add = (a: Attack) => out.set(JSON.stringify(a), a);
  for (const s of sites(root)) {
    const chars = firstChars(s.rep.body);
    const pumps = new Set<string>([...chars.slice(0, 6), ...(s.next ? [s.next, witness(s.rep.body) + s.next] : [])]);
    for (const pump of pumps) {
      if (pump === '') continue;
      for (const killer of KILLERS) {
        add({ before: s.before, pump, killer });
        if (!anchored) add({ before: '', pump, killer });
      }
    }
  }
  if (out.size === 0) for (const killer of KILLERS) add({ before: witness(root), pump: 'a', killer });
  return [...out.values()];
}

/** The attacks rendered at `length` characters (default 16 KiB): near-miss lines for tests and benchmarks. */
export function adversarialInputs(pattern: string, length = 16 * 1024): string[] {
  return adversarialAttacks(pattern).map((a) => render(a, length));
}
