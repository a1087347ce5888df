/**
 * Task parameters at run time: decode what StackStorm's local-shell-script runner passes
 * (`--name=value`, bare `--name` for true, Python repr for arrays), and validate with Ajv
 * against the schema generated from the task's TypeScript type (pack/actions/<task>.yaml).
 */
import type { ErrorObject } from 'ajv';
import { parsePyLiteral, PyLiteralError } from './pyliteral.js';
import { FORMAT_PATTERNS } from './formats.js';

/** An Ajv validate function (compiled at build time into the pack, see generator/emit/runtime.ts). */
export interface Validate { (data: unknown): boolean; errors?: ErrorObject[] | null }

/** Parameters netops adds to every action (who/where in chat, dry run); not part of a task's own schema. */
export const CONTEXT_PARAMS = ['chat_user', 'chat_channel', 'dry_run'];

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
      if (!/^[-+]?\d+$/.test(raw.trim())) throw new InvalidParams([`${name}: '${raw}' is not a whole number`]);
      return Number(raw.trim());
    }
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) throw new InvalidParams([`${name}: '${raw}' is not a number`]);
      return n;
    }
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      throw new InvalidParams([`${name}: '${raw}' is not true or false`]);
    case 'array': {
      const t = raw.trim();
      let list: unknown;
      if (t.startsWith('[') || t.startsWith('(')) {
        try { list = JSON.parse(t); } catch {
          try { list = parsePyLiteral(t); } catch (e) {
            if (e instanceof PyLiteralError) throw new InvalidParams([`${name}: '${raw}' is not a list (${e.message})`]);
            throw e;
          }
        }
      } else {
        list = t === '' ? [] : t.split(',').map((s) => s.trim());
      }
      if (!Array.isArray(list)) throw new InvalidParams([`${name}: '${raw}' is not a list`]);
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
    if (!m) { problems.push(`unexpected argument '${arg}'`); continue; }
    const name = m[1]!;
    const p = params[name];
    if (!p || p.type === undefined) { problems.push(`unknown parameter '${name}'`); continue; }
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


function example(p: St2Param | undefined): string {
  const m = /Example: (.+?)\.?$/.exec(p?.description ?? '');
  return m ? m[1]! : '';
}

function describe(e: ErrorObject, params: Record<string, St2Param>, values: Record<string, unknown>): string {
  const name = e.instancePath.split('/')[1] ?? (e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (e.params as { additionalProperty?: string }).additionalProperty ?? '';
  const p = params[name];
  const ex = example(p);
  const hint = ex ? `, e.g. ${name}=${ex}` : '';
  const shown = p?.secret ? '(secret)' : JSON.stringify(values[name]);
  switch (e.keyword) {
    case 'required': return `missing ${name}: ${p?.description?.replace(/ Example: .*$/, '') ?? ''}${hint}`.trim();
    case 'additionalProperties': return `unknown parameter '${name}'; this task takes ${Object.keys(taskParams(params)).join(', ')}`;
    case 'pattern': {
      const fmt = PATTERN_NAMES.get(String((e.params as { pattern: string }).pattern));
      const what = (p?.description ?? '').replace(/ ?Example: .*$/, '').replace(/\.$/, '');
      return fmt ? `${name}: ${shown} is not a valid ${fmt} address${hint}`
        : `${name}: ${shown} is not allowed${what ? ` (${what})` : ''}; it must match ${String((e.params as { pattern: string }).pattern)}${hint}`;
    }
    case 'minimum': case 'maximum':
      return `${name}: ${shown} is out of range ${p?.minimum ?? '…'}–${p?.maximum ?? '…'}${hint}`;
    case 'enum': return `${name}: ${shown} must be one of ${(p?.enum ?? (e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}`;
    case 'type': return `${name}: ${shown} is not ${e.params && (e.params as { type: string }).type === 'integer' ? 'a whole number' : `of type ${(e.params as { type: string }).type}`}${hint}`;
    default: return `${name || 'parameters'}: ${e.message ?? 'invalid'}`;
  }
}

/** Validate (and fill defaults into) a task's own decoded parameters; throws InvalidParams with one line per problem. */
export function validateParams(values: Record<string, unknown>, params: Record<string, St2Param>, validate: Validate): Record<string, unknown> {
  const copy = { ...values };
  if (!validate(copy)) {
    const lines = [...new Set((validate.errors ?? []).map((e) => describe(e, params, values)))];
    throw new InvalidParams(lines);
  }
  return copy;
}

/** A copy of parameters with secrets replaced, safe for logs, results and chat. */
export function maskSecrets(values: Record<string, unknown>, params: Record<string, St2Param>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, params[k]?.secret ? '********' : v]));
}
