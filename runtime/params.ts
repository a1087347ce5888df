/**
 * Task parameters at run time: decode what StackStorm's local-shell-script runner passes
 * (`--name=value`, bare `--name` for true, Python repr for arrays), and validate with Ajv
 * against the schema generated from the task's TypeScript type (pack/actions/<task>.yaml).
 */
import type { ErrorObject } from 'ajv';
import { parsePyLiteral, PyLiteralError } from './pyliteral.js';
import { FORMAT_PATTERNS, formatProblem } from './formats.js';
import { closest } from './closest.js';

/** An Ajv validate function (compiled at build time into the pack, see generator/emit/runtime.ts). */
export interface Validate { (data: unknown): boolean; errors?: ErrorObject[] | null }

/** Parameters netops adds to every action (who/where in chat, dry run); not part of a task's own schema. */
/** Set only by the netops.<task>_approved workflow after an approval (alias-immutable: chat cannot set them). */
export const APPROVAL_PARAMS = ['approved_by', 'approval_request'];
export const CONTEXT_PARAMS = ['chat_user', 'chat_channel', 'dry_run', ...APPROVAL_PARAMS];

/** An st2 parameter definition (pack/actions/<task>.yaml `parameters.<name>`). */
export interface St2Param {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  description?: string;
  required?: boolean;
  secret?: boolean;
  immutable?: boolean;
  default?: unknown;
  enum?: unknown[];
  items?: { type?: string; enum?: unknown[]; pattern?: string };
  pattern?: string;
  minimum?: number;
  maximum?: number;
  [k: string]: unknown;
}

/** Parameters were invalid; `problems` holds one line per parameter, saying what to type instead. */
export class InvalidParams extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'InvalidParams';
  }
}

/** The task parameters proper: st2 runner-parameter overrides (no type, e.g. timeout) left out. */
export function taskParams(params: Record<string, St2Param>): Record<string, St2Param> {
  return Object.fromEntries(Object.entries(params).filter(([, p]) => p.type !== undefined));
}

/** Names of the parameters a user can type (immutable ones, chat_user and chat_channel, are StackStorm's). */
export function typeableParams(params: Record<string, St2Param>): string[] {
  return Object.entries(taskParams(params)).filter(([k, p]) => !p.immutable && !APPROVAL_PARAMS.includes(k)).map(([k]) => k);
}

/** Longest part of a value a message shows. */
const SHOWN_MAX = 40;

/** A value as a message shows it: JSON, cut to 40 characters with the full length when longer. */
export function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  if (s.length <= SHOWN_MAX) return typeof v === 'string' ? JSON.stringify(s) : s;
  let head = s.slice(0, SHOWN_MAX);
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${typeof v === 'string' ? JSON.stringify(head).slice(0, -1) : head}…${typeof v === 'string' ? '"' : ''} (${s.length} characters)`;
}

export { closest } from './closest.js';

/** "x: not a parameter of this task (did you mean ip?); it takes in, ip, as". */
export function unknownParam(name: string, params: Record<string, St2Param>): string {
  const known = typeableParams(params);
  const near = closest(name, known);
  return `${name.length > SHOWN_MAX ? shown(name) : name}: not a parameter of this task${near ? ` (did you mean ${near}?)` : ''}; it takes ${known.join(', ')}`;
}

function castItem(v: unknown, type: string | undefined, name: string): unknown {
  if ((type === 'integer' || type === 'number') && typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (type === 'string' && typeof v === 'number') return String(v);
  void name;
  return v;
}

/** Decode one textual value by the parameter's type (st2 argv, CLI flags and key=value all come as text). */
export function decodeValue(name: string, raw: string, p: St2Param): unknown {
  switch (p.type) {
    case 'integer': {
      if (!/^[-+]?\d+$/.test(raw.trim())) throw new InvalidParams([`${name}: ${shown(raw)} is not a whole number${hintOf(name, p)}`]);
      return Number(raw.trim());
    }
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) throw new InvalidParams([`${name}: ${shown(raw)} is not a number${hintOf(name, p)}`]);
      return n;
    }
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      throw new InvalidParams([`${name}: ${shown(raw)} is not true or false`]);
    case 'array': {
      const t = raw.trim();
      let list: unknown;
      if (t.startsWith('[') || t.startsWith('(')) {
        try { list = JSON.parse(t); } catch {
          try { list = parsePyLiteral(t); } catch (e) {
            if (e instanceof PyLiteralError) throw new InvalidParams([`${name}: ${shown(raw)} is not a list (${e.message})`]);
            throw e;
          }
        }
      } else {
        list = t === '' ? [] : t.split(',').map((s) => s.trim());
      }
      if (!Array.isArray(list)) throw new InvalidParams([`${name}: ${shown(raw)} is not a list`]);
      return list.map((v) => castItem(v, p.items?.type, name));
    }
    case 'object':
      try { return JSON.parse(raw); } catch { return parsePyLiteral(raw); }
    default:
      return raw;
  }
}

/**
 * Decode the argv StackStorm's local-shell-script runner builds: `--name=value` (shell
 * already unquoted), `--name` for true; false, null and "" are never passed.
 */
export function decodeSt2Argv(argv: string[], params: Record<string, St2Param>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const arg of argv) {
    const m = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    if (!m) { problems.push(`unexpected argument ${shown(arg)}: parameters come as --name=value`); continue; }
    const name = m[1]!;
    const p = params[name];
    if (!p || p.type === undefined) { problems.push(unknownParam(name, params)); continue; }
    if (m[2] === undefined) {
      if (p.type !== 'boolean') { problems.push(`${name}: a value is needed (--${name}=…)`); continue; }
      out[name] = true;
      continue;
    }
    try { out[name] = decodeValue(name, m[2], p); } catch (e) {
      if (e instanceof InvalidParams) problems.push(...e.problems); else throw e;
    }
  }
  if (problems.length) throw new InvalidParams(problems);
  return out;
}

const PATTERN_NAMES = new Map(Object.entries(FORMAT_PATTERNS).map(([k, v]) => [v, k]));

/** JSON schema (Ajv, draft-07) of a task's own parameters, from its st2 definitions. */
export function toJsonSchema(params: Record<string, St2Param>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, p] of Object.entries(taskParams(params))) {
    if (CONTEXT_PARAMS.includes(name)) continue;
    const { required: req, secret: _s, immutable: _i, position: _p, description: _d, ...rest } = p;
    properties[name] = rest;
    if (req && p.default === undefined) required.push(name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}


/** The example of a parameter (from its description's "Example: …"), or ''. */
export function exampleOf(p: St2Param | undefined): string {
  const m = /Example: (.+?)\.?$/.exec(p?.description ?? '');
  return m ? m[1]! : '';
}

/** What a parameter is, without its example: its description's first part. */
export function whatOf(p: St2Param | undefined): string {
  return (p?.description ?? '').replace(/ ?Example: .*$/, '').replace(/\.$/, '');
}

function hintOf(name: string, p: St2Param | undefined): string {
  const ex = exampleOf(p);
  return ex ? `, e.g. ${name}=${ex}` : '';
}

/** The @format a parameter's pattern came from (st2 metadata carries only the pattern). */
export function formatOf(p: { pattern?: unknown } | undefined): string | null {
  return typeof p?.pattern === 'string' ? (PATTERN_NAMES.get(p.pattern) ?? null) : null;
}

/** A pattern short enough to show a person. */
const SHOWN_PATTERN_MAX = 60;

function describe(e: ErrorObject, params: Record<string, St2Param>, values: Record<string, unknown>): { name: string; text: string } {
  const ep = e.params as { missingProperty?: string; additionalProperty?: string; pattern?: string; type?: string; allowedValues?: unknown[]; limit?: number };
  const name = e.instancePath.split('/')[1] ?? ep.missingProperty ?? ep.additionalProperty ?? '';
  const p = params[name];
  const hint = hintOf(name, p);
  // the offending value itself (an array item for /tags/1); Ajv is compiled without `verbose`
  const value = e.instancePath ? e.instancePath.split('/').slice(1).reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], values) : undefined;
  const show = p?.secret ? '(secret)' : shown(value);
  const what = whatOf(p);
  const text = (() => {
    switch (e.keyword) {
      case 'required': return `${name}: missing${what ? ` (${what})` : ''}${hint}`;
      case 'additionalProperties': return unknownParam(name, params);
      case 'pattern': {
        const fmt = PATTERN_NAMES.get(String(ep.pattern));
        if (fmt) return `${name}: ${show} ${formatProblem(fmt, String(value))}${hint}`;
        const rule = String(ep.pattern).length <= SHOWN_PATTERN_MAX ? `; it must match ${String(ep.pattern)}` : '';
        return `${name}: ${show} is not allowed${what ? ` (${what})` : ''}${rule}${hint}`;
      }
      case 'minimum': case 'maximum':
        return `${name}: ${show} is out of range ${p?.minimum ?? '…'}–${p?.maximum ?? '…'}${hint}`;
      case 'maxLength': return `${name}: ${show} is longer than ${ep.limit} characters${hint}`;
      case 'minLength': return `${name}: ${show} is shorter than ${ep.limit} character${ep.limit === 1 ? '' : 's'}${hint}`;
      case 'enum': return `${name}: ${show} must be one of ${(p?.enum ?? p?.items?.enum ?? ep.allowedValues ?? []).join(', ')}`;
      case 'type': return `${name}: ${show} is not ${ep.type === 'integer' ? 'a whole number' : `of type ${ep.type}`}${hint}`;
      default: return `${name || 'parameters'}: ${e.message ?? 'invalid'}`;
    }
  })();
  return { name, text };
}

/** Validate (and fill defaults into) a task's own decoded parameters; throws InvalidParams with one line per problem. */
export function validateParams(values: Record<string, unknown>, params: Record<string, St2Param>, validate: Validate): Record<string, unknown> {
  const copy = { ...values };
  if (!validate(copy)) {
    // one line per parameter: the first problem Ajv found with it
    const byName = new Map<string, string>();
    for (const e of validate.errors ?? []) {
      const d = describe(e, params, values);
      if (!byName.has(d.name)) byName.set(d.name, d.text);
    }
    throw new InvalidParams([...byName.values()]);
  }
  return copy;
}

/** A copy of parameters with secrets replaced, safe for logs, results and chat. */
export function maskSecrets(values: Record<string, unknown>, params: Record<string, St2Param>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, params[k]?.secret ? '********' : v]));
}
