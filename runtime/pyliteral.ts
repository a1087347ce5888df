/**
 * A parser for the Python literals StackStorm produces: `str(list)` / `str(dict)` of
 * parameter values (the local-shell-script runner passes arrays and objects that way)
 * and what `ast.literal_eval` accepts for them: str, int, float, True/False/None,
 * lists, tuples and dicts.
 */

/** A value a Python literal can denote. */
export type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** The literal was not valid; `at` is the character offset. */
export class PyLiteralError extends Error {
  constructor(message: string, readonly at: number) {
    super(`${message} at offset ${at}`);
  }
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '' };

/** Parse one Python literal (the whole text must be consumed). */
export function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const fail = (msg: string): never => { throw new PyLiteralError(msg, i); };

  const str = (): string => {
    const q = text[i]!;
    i++;
    let out = '';
    while (i < text.length && text[i] !== q) {
      const c = text[i]!;
      if (c === '\\') {
        const n = text[i + 1];
        if (n === undefined) fail('unterminated escape');
        if (n === 'x' || n === 'u' || n === 'U') {
          const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
          const hex = text.slice(i + 2, i + 2 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail('bad \\' + n + ' escape');
          out += String.fromCodePoint(parseInt(hex, 16));
          i += 2 + len;
          continue;
        }
        if (n! in ESCAPES) { out += ESCAPES[n!]; i += 2; continue; }
        out += c + n; i += 2; continue;
      }
      out += c;
      i++;
    }
    if (text[i] !== q) fail('unterminated string');
    i++;
    return out;
  };

  const seq = (close: string): PyValue[] => {
    i++;
    const items: PyValue[] = [];
    ws();
    while (text[i] !== close) {
      items.push(value());
      ws();
      if (text[i] === ',') { i++; ws(); continue; }
      if (text[i] !== close) fail(`expected , or ${close}`);
    }
    i++;
    return items;
  };

  const dict = (): { [k: string]: PyValue } => {
    i++;
    const out: { [k: string]: PyValue } = {};
    ws();
    while (text[i] !== '}') {
      const k = value();
      ws();
      if (text[i] !== ':') fail('expected :');
      i++;
      out[typeof k === 'string' ? k : JSON.stringify(k)] = value();
      ws();
      if (text[i] === ',') { i++; ws(); continue; }
      if (text[i] !== '}') fail('expected , or }');
    }
    i++;
    return out;
  };

  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === undefined) return fail('unexpected end');
    if (c === "'" || c === '"') {
      let s = str();
      for (;;) { // adjacent literals concatenate
        const save = i; ws();
        if (text[i] === "'" || text[i] === '"') s += str(); else { i = save; break; }
      }
      return s;
    }
    if (c === '[') return seq(']');
    if (c === '(') return seq(')');
    if (c === '{') return dict();
    const word = /^(True|False|None)\b/.exec(text.slice(i));
    if (word) { i += word[1]!.length; return word[1] === 'True' ? true : word[1] === 'False' ? false : null; }
    const num = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?|^[-+]?(?:inf|nan)\b/.exec(text.slice(i));
    if (num) {
      i += num[0].length;
      const n = Number(num[0].replace(/_/g, ''));
      if (Number.isNaN(n) && !/nan/.test(num[0])) fail('bad number');
      return n;
    }
    return fail(`unexpected character ${JSON.stringify(c)}`);
  };

  const v = value();
  ws();
  if (i !== text.length) fail('trailing text');
  return v;
}
