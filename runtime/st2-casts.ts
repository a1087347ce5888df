/**
 * How StackStorm casts the strings an alias extracted into typed action parameters
 * (st2common/util/casts.py, with aliasexecution's override: arrays split on commas).
 */
import { parsePyLiteral } from './pyliteral.js';
import { shown } from './params.js';

/** The parameter-schema fields casting looks at. */
export interface ParamSchema { type?: string; [k: string]: unknown }

/** A value could not be cast; the message says to what. */
export class CastError extends Error {}

/** Cast one extracted string as st2 does for an alias execution. */
export function castAliasValue(value: string, type: string | undefined): unknown {
  switch (type) {
    case 'array':
      return value.split(',').map((v) => v.trim());
    case 'object':
      try { return JSON.parse(value); } catch { return parsePyLiteral(value); }
    case 'boolean': {
      const c = value.charAt(0).toUpperCase() + value.slice(1).toLowerCase();
      if (c === 'True') return true;
      if (c === 'False') return false;
      throw new CastError(`${shown(value)} is not a boolean (write true or false)`);
    }
    case 'integer': {
      const t = value.trim();
      if (!/^[-+]?\d(?:_?\d)*$/.test(t)) throw new CastError(`${shown(value)} is not a whole number`);
      return Number(t.replace(/_/g, ''));
    }
    case 'number': {
      const t = value.trim();
      const n = Number(t.replace(/_/g, ''));
      if (t === '' || Number.isNaN(n) && !/^[-+]?nan$/i.test(t)) throw new CastError(`${shown(value)} is not a number`);
      return n;
    }
    default:
      return value;
  }
}

/** Cast every extracted parameter that the action declares; unknown ones pass unchanged (as in st2). */
export function castAliasParams(params: Record<string, string>, schema: Record<string, ParamSchema>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    try { out[k] = schema[k] ? castAliasValue(v, schema[k]!.type) : v; } catch (e) {
      // name the parameter, as every other input message does
      if (e instanceof CastError) throw new CastError(`${k}: ${e.message}`);
      throw e;
    }
  }
  return out;
}
