/**
 * A nunjucks environment that renders StackStorm's chat formats as StackStorm's Jinja2 does
 * (st2common/util/jinja.py get_jinja_environment: trim_blocks, lstrip_blocks, no autoescape),
 * with the Jinja2 behaviours nunjucks lacks or does differently where netops' formats use them.
 * The test suite renders the same formats with Python Jinja2 and compares (test/chat/).
 */
import nunjucks from 'nunjucks';

/** Jinja2's `truncate(s, length=255, killwords=False, end='...', leeway=None)`; leeway defaults to 5. */
export function jinjaTruncate(s: unknown, length = 255, killwords = false, end = '...', leeway: number | null = null): string {
  const str = s === undefined || s === null ? '' : String(s);
  const lee = leeway ?? 5;
  const chars = [...str];
  if (chars.length <= length + lee) return str;
  if (killwords) return chars.slice(0, length - [...end].length).join('') + end;
  const cut = chars.slice(0, length - [...end].length).join('');
  const sp = cut.lastIndexOf(' ');
  return (sp === -1 ? cut : cut.slice(0, sp)) + end;
}

/** Jinja2's `length`: characters of a string (not UTF-16 units), items of a list or mapping. */
function jinjaLength(v: unknown): number {
  if (typeof v === 'string') return [...v].length;
  if (v && typeof (v as { toString: unknown }).toString === 'function' && v instanceof String) return [...String(v)].length;
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return 0;
}

const cache = new Map<string, nunjucks.Environment>();

/**
 * The environment: `strict` throws on an undefined value as StrictUndefined does (st2api renders
 * ack formats so); otherwise undefined prints as '' (the chatops pack renders result formats so).
 */
export function st2Environment(strict: boolean): nunjucks.Environment {
  const key = strict ? 'strict' : 'lenient';
  let env = cache.get(key);
  if (env) return env;
  env = new nunjucks.Environment(null, { autoescape: false, trimBlocks: true, lstripBlocks: true, throwOnUndefined: strict });
  env.addFilter('truncate', jinjaTruncate);
  env.addFilter('length', jinjaLength);
  // Jinja2 tests nunjucks lacks: `none`, and st2's own `in` (env.tests["in"]).
  (env as unknown as { addTest(n: string, f: (...a: any[]) => boolean): void }).addTest('none', (v: unknown) => v === null);
  (env as unknown as { addTest(n: string, f: (...a: any[]) => boolean): void }).addTest('in', (item: unknown, list: unknown) => (Array.isArray(list) ? list.includes(item) : typeof list === 'string' ? list.includes(String(item)) : !!list && typeof list === 'object' && String(item) in list));
  cache.set(key, env);
  return env;
}

/** Render one StackStorm Jinja format with a context. */
export function renderJinja(format: string, context: Record<string, unknown>, strict: boolean): string {
  return st2Environment(strict).renderString(format, context);
}
