/**
 * Reading and writing the store's YAML files: parse errors and schema violations become a
 * SotError naming file:line and what is wrong (nothing is ever read as empty); writes go
 * through the parsed Document, so hand-written comments survive, and are atomic.
 * Reads take a fast path (js-yaml, core schema: several times faster than building a
 * Document); the Document is built only for a write, or to locate a problem.
 */
import jsyaml from 'js-yaml';
import type { ErrorObject } from 'ajv';
import { createRequire } from 'node:module';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import { yaml } from '../yaml-lib.js';
import { SotError } from '../types.js';

/**
 * Ajv itself, for a schema without a build-time validator (tests, the compiled tree). Loaded
 * on first use through require, which the pack bundle leaves alone: the bundle registers every
 * schema's validator, so it never carries or loads Ajv's compiler.
 */
let ajv: { compile(schema: object): Validator } | null = null;
const compile = (schema: object): Validator => {
  if (!ajv) {
    const Ajv = createRequire(import.meta.url)('ajv').default as new (o: object) => { compile(schema: object): Validator };
    ajv = new Ajv({ allErrors: true, strict: false });
  }
  return ajv.compile(schema);
};

/** A parsed store file with its Document (for comment-preserving edits and error locations). */
export interface YamlFile<T> { path: string; doc: Document; data: T; lc: LineCounter }
/**
 * What a read does with a file's data after the schema (sot/file/site-file.ts: the checks the
 * schema cannot express, then the interface's view): it throws a located SotError or returns the
 * value to keep. It runs before the cache is written, so a hit is its result and it does not run
 * again. `key` names everything it depends on besides the bytes (the file's expected name, its
 * own code): it is part of the cache key.
 */
export interface DataStep<T, V> { key: string; run: (data: T, full: () => YamlFile<T>) => V }
/** A parsed store file read for its data only (`V`: the data after the read's step). */
export interface YamlData<V, T = V> { path: string; data: V; /** Builds the Document on demand (to locate a problem). */ full: () => YamlFile<T> }

type Validator = { (data: unknown): boolean; errors?: ErrorObject[] | null };
const validators = new Map<object, Validator>();
/** Use validators compiled at build time (the pack bundle registers them: no Ajv compile at start-up). */
export function registerValidators(pairs: [object, Validator][]): void { for (const [schema, v] of pairs) validators.set(schema, v); }
const validatorOf = (schema: object): Validator => {
  let v = validators.get(schema);
  if (!v) { v = compile(schema); validators.set(schema, v); }
  return v;
};

/**
 * Validated data by content: a file read twice in one process (the runtime reads the site, then
 * plans) is parsed once, and with a cache directory a later process reads the JSON a previous
 * one left (`<cacheDir>/<hash of the path>.json`) instead of parsing and validating the YAML
 * again. An entry holds the bytes it was read from, and is served only for the very same bytes
 * (compared, not hashed: no crypto at start-up, docs/sot.md) read with the same schema and step,
 * so a hand edit, a checkout or a write is never served stale. The cache is best effort: a cache
 * that cannot be read or written is ignored.
 *
 * A cache file: one line `netops-sot-cache 3 <length of the tag> <of the bytes> <of the JSON>`
 * (in bytes), then the tag (the schema and the step's key, as text: compared, not hashed either),
 * the file's bytes and the JSON.
 */
interface Entry { tag: string; bytes: Buffer; json: string; /** the cache file that holds it */ file: string | null }
const memo = new Map<string, Entry>();
const MAGIC = 'netops-sot-cache 3';
/** A 64-bit string hash (two 32-bit FNV-1a lanes), hex: the cache file's name (an entry says what it holds). */
function strHash(s: string): string {
  let a = 0x811c9dc5, b = 0x050c5d1f ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
const schemaText = new WeakMap<object, string>();
/** What an entry depends on besides the bytes: the schema and the read's step (its own key). */
function tagOf(schema: object, check: string): string {
  let t = schemaText.get(schema);
  if (t === undefined) { t = JSON.stringify(schema); schemaText.set(schema, t); }
  return `${t}\0${check}`;
}
/** Forget what this process has read (benchmarks and tests: a cold read). */
export function clearReadMemo(): void { memo.clear(); }
function cached(path: string, tag: string, bytes: Buffer, cacheFile: string | null): Entry | null {
  const m = memo.get(path);
  if (m && m.tag === tag && m.bytes.equals(bytes)) return m;
  if (!cacheFile) return null;
  try {
    const c = readFileSync(cacheFile);
    const nl = c.indexOf(10);
    const head = c.toString('latin1', 0, nl).split(' ');
    const t = Buffer.from(tag, 'utf8');
    if (head.length !== 5 || `${head[0]} ${head[1]}` !== MAGIC || Number(head[2]) !== t.length || Number(head[3]) !== bytes.length) return null;
    const at = nl + 1 + t.length, json = at + bytes.length;
    if (c.compare(t, 0, t.length, nl + 1, at) !== 0 || c.compare(bytes, 0, bytes.length, at, json) !== 0 || c.length !== json + Number(head[4])) return null;
    return { tag, bytes, json: c.toString('utf8', json), file: cacheFile };
  } catch { return null; }
}
function remember(path: string, e: Entry, cacheFile: string | null): void {
  memo.delete(path);
  memo.set(path, e);
  if (memo.size > 64) memo.delete(memo.keys().next().value!);
  if (!cacheFile || e.file === cacheFile) return;
  e.file = cacheFile;
  try {
    // a rename, no fsync: a cache lost in a crash is only rebuilt
    mkdirSync(dirname(cacheFile), { recursive: true, mode: 0o750 });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    const json = Buffer.from(e.json, 'utf8');
    const tag = Buffer.from(e.tag, 'utf8');
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${MAGIC} ${tag.length} ${e.bytes.length} ${json.length}\n`, 'latin1'), tag, e.bytes, json]), { mode: 0o640 });
    renameSync(tmp, cacheFile);
  } catch { /* best effort */ }
}

/**
 * Read and validate one YAML file for its data (schema, then `step`); throws the same located
 * SotError as readYamlFile. A cache hit is the step's result: neither runs again.
 */
export function readYamlData<T>(path: string, schema: object, opts?: { cacheDir?: string | null }): YamlData<T>;
export function readYamlData<T, V>(path: string, schema: object, opts: { cacheDir?: string | null; step: DataStep<T, V> }): YamlData<V, T>;
export function readYamlData<T, V>(path: string, schema: object, opts: { cacheDir?: string | null; step?: DataStep<T, V> } = {}): YamlData<V, T> {
  let bytes: Buffer;
  try { bytes = readFileSync(path); } catch (e) {
    throw new SotError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
  return dataOf<T, V>(path, bytes, schema, opts);
}

/**
 * After a write of `text` to `path`, read it as a later readYamlData will, so that read is a
 * cache hit (the first `show site` after `add peer` does not parse 1,000 peers again). Best
 * effort: a problem is left for that read to report.
 */
export function primeYamlData<T, V>(path: string, text: string, schema: object, opts: { cacheDir?: string | null; step: DataStep<T, V> }): void {
  try { dataOf<T, V>(path, Buffer.from(text, 'utf8'), schema, opts); } catch { /* the next read says what is wrong */ }
}

function dataOf<T, V>(path: string, bytes: Buffer, schema: object, opts: { cacheDir?: string | null; step?: DataStep<T, V> }): YamlData<V, T> {
  const step = (data: T, f: () => YamlFile<T>): V => (opts.step ? opts.step.run(data, f) : (data as unknown as V));
  let full: YamlFile<T> | null = null;
  const lazyFull = () => (full ??= parseFull<T>(path, bytes.toString('utf8'), schema));
  const tag = tagOf(schema, opts.step?.key ?? '');
  const cacheFile = opts.cacheDir ? join(opts.cacheDir, `${strHash(path)}.json`) : null;
  const hit = cached(path, tag, bytes, cacheFile);
  if (hit !== null) {
    try { const data = JSON.parse(hit.json) as V; remember(path, hit, cacheFile); return { path, data, full: lazyFull }; } catch { /* a torn cache: parse the YAML */ }
  }
  const text = bytes.toString('utf8');
  let data: unknown;
  try { data = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, filename: path }); } catch { data = undefined; }
  if (data === null || data === undefined || !validatorOf(schema)(data)) {
    // not read by the fast path: the Document says where the problem is (or reads it after all)
    const f = (full = parseFull<T>(path, text, schema));
    return { path, data: step(f.data, () => f), full: () => f };
  }
  const value = step(data as T, lazyFull);
  remember(path, { tag, bytes, json: JSON.stringify(value), file: null }, cacheFile);
  return { path, data: value, full: lazyFull };
}

function where(path: string, lc: LineCounter, offset: number | undefined): string {
  if (offset === undefined) return path;
  const { line, col } = lc.linePos(offset);
  return `${path}:${line}:${col}`;
}

function ajvMessage(e: ErrorObject): string {
  const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  if (e.keyword === 'additionalProperties') return `${at}: unknown key '${String((e.params as { additionalProperty: string }).additionalProperty)}'`;
  if (e.keyword === 'enum') return `${at}: must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`;
  return `${at}: ${e.message ?? 'is invalid'}`;
}

/** Read and validate one YAML file with its Document; throws SotError with file:line:col. */
export function readYamlFile<T>(path: string, schema: object): YamlFile<T> {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new SotError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
  return parseFull<T>(path, text, schema);
}

function parseFull<T>(path: string, text: string, schema: object): YamlFile<T> {
  const { LineCounter, parseDocument, isMap, isNode, isScalar } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    throw new SotError(`not valid YAML: ${err.message.split('\n')[0]}`, where(path, lc, err.pos[0]));
  }
  const data = doc.toJS() as unknown;
  if (data === null || data === undefined) throw new SotError('is empty (or null); a store file is never read as empty, restore it from git', path);
  const validate = validatorOf(schema);
  if (!validate(data)) {
    const e = validate.errors![0]!;
    const segs = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
    let node = doc.getIn(segs, true);
    // An unknown key is pointed at itself, not at the start of its map.
    const extra = e.keyword === 'additionalProperties' ? (e.params as { additionalProperty: string }).additionalProperty : null;
    if (extra !== null && isMap(node)) node = node.items.find((it) => isScalar(it.key) && it.key.value === extra)?.key ?? node;
    const more = validate.errors!.length > 1 ? ` (and ${validate.errors!.length - 1} more problem${validate.errors!.length > 2 ? 's' : ''})` : '';
    throw new SotError(`${ajvMessage(e)}${more}`, where(path, lc, isNode(node) ? node.range?.[0] : undefined));
  }
  return { path, doc, data: data as T, lc };
}

/** Where in a file a value lies (for semantic errors found after the schema check). */
export function locate(file: YamlFile<unknown>, segs: (string | number)[]): string {
  const { isNode } = yaml();
  const node = file.doc.getIn(segs, true);
  return where(file.path, file.lc, isNode(node) ? node.range?.[0] : undefined);
}

/** Replace a file atomically: write a temporary file beside it, fsync, rename, fsync the directory. */
export function writeAtomic(path: string, content: string, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try { writeSync(fd, content); fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, path);
  try { const d = openSync(dirname(path), 'r'); try { fsyncSync(d); } finally { closeSync(d); } } catch { /* directory fsync is best effort */ }
}
