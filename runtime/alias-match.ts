/**
 * StackStorm's action-alias matching, re-expressed in TypeScript so that chat text is
 * matched here exactly as st2 matches it (st2common/models/utils/action_alias_utils.py,
 * st2common/util/actionalias_matching.py, st2api aliasexecution CAST_OVERRIDES):
 * trailing key=value pairs are cut off first, the rest is matched against each format
 * turned into a regex, and more than one matching format is an ambiguity.
 */

const KEY = String.raw`\s*(\S+?)\s*`;
const VALUE = String.raw`""|''|"(.+?)"|'(.+?)'|({.+?})|(\S+)`;
const EXT_VALUE = String.raw`""|''|"(.+?)"|'(.+?)'|({.+?})|(.+?)`;
const PAIRS = String.raw`(?:^|\s+)${KEY}=(${VALUE})`;
const ENDING = String.raw`^.*?((${PAIRS}\s*)*)$`;
const DEFAULT = String.raw`\s*=\s*(?:${EXT_VALUE})\s*`;
const OPTIONAL = `{{${KEY}${DEFAULT}}}`;
const REQUIRED = `{{${KEY}}}`;
const PARAM_MATCH = String.raw`["']?(?<$2>(?:(?<=').+?(?=')|(?<=").+?(?=")|{.+?}|.+?))["']?`;

/** A format a text did not match. */
export class AliasParseError extends Error {}

/** Where a format's parameters come from after matching a text. */
export interface Extracted {
  params: Record<string, string>;
}

interface CompiledFormat {
  regex: RegExp;
  optional: { name: string; defaultValue: string }[];
}

const cache = new Map<string, CompiledFormat>();

/** Compile a format the way st2's ActionAliasFormatParser does (cached). */
export function compileFormat(format: string): CompiledFormat {
  const hit = cache.get(format);
  if (hit) return hit;
  const optional = [...format.matchAll(new RegExp(OPTIONAL, 'gs'))].map((m) => ({
    name: m[1]!,
    defaultValue: [m[2], m[3], m[4], m[5]].map((g) => g ?? '').join(''),
  }));
  let reg = format.replace(new RegExp(String.raw`(\s*)` + OPTIONAL, 'g'), `(?:$1${PARAM_MATCH})?`);
  reg = reg.replace(new RegExp(String.raw`(\s*)` + REQUIRED, 'g'), `$1${PARAM_MATCH}`);
  reg = reg.replace(/\\A/g, '^').replace(/\\Z/g, '$');
  const anchors = findAnchors(reg);
  if (!anchors.begin) reg = String.raw`^\s*` + reg;
  if (!anchors.end) reg = reg + String.raw`\s*$`;
  const compiled = { regex: new RegExp(reg, 's'), optional };
  cache.set(format, compiled);
  return compiled;
}

/** Whether a regex source has a ^ or $ anchor outside character classes (st2's search_regex_tokens). */
function findAnchors(src: string): { begin: boolean; end: boolean } {
  let begin = false;
  let end = false;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') { inClass = true; if (src[i + 1] === '^') i++; continue; }
    if (c === '^') begin = true;
    if (c === '$') end = true;
  }
  return { begin, end };
}

/** Cut trailing key=value pairs off a command (st2's match_kv_pairs_at_end). */
export function splitTrailingPairs(command: string): { stream: string; pairs: [string, string][] } {
  const ending = new RegExp(ENDING, 's').exec(command);
  const tail = ending?.[1] ?? '';
  if (!tail) return { stream: ` ${command} `, pairs: [] };
  const pairs: [string, string][] = [...tail.matchAll(new RegExp(PAIRS, 'gs'))].map((m) => [
    m[1]!,
    [m[3], m[4], m[5], m[6]].map((g) => g ?? '').join(''),
  ]);
  return { stream: ` ${command.split(tail).join('')} `, pairs };
}

/** Match one format against an already split command; null when st2 would raise ParseException. */
function extractFromSplit(format: string, split: { stream: string; pairs: [string, string][] }): Record<string, string> | null {
  const { regex, optional } = compileFormat(format);
  const { stream, pairs } = split;
  const m = regex.exec(stream);
  if (!m) return null;
  const result: Record<string, string | undefined> = { ...(m.groups ?? {}) };
  for (const o of optional) {
    const v = result[o.name] || o.defaultValue;
    if (v !== undefined) result[o.name] = v;
  }
  for (const [k, v] of pairs) result[k] = v;
  if (format && !(stream.trim() || Object.values(result).some((v) => v))) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(result)) if (v !== undefined) out[k] = v;
  return out;
}

/** Extract parameters from a command with one format; throws AliasParseError when it doesn't match. */
export function extractParameters(format: string, command: string): Record<string, string> {
  const out = extractFromSplit(format, splitTrailingPairs(command));
  if (!out) throw new AliasParseError(`Command "${command}" doesn't match format string "${format}"`);
  return out;
}

/** The alias fields matching needs (as in pack/aliases/*.yaml). */
export interface AliasDoc {
  name: string;
  action_ref: string;
  enabled?: boolean;
  formats: (string | { display?: string; representation?: string | string[]; match_multiple?: boolean })[];
  immutable_parameters?: Record<string, unknown>;
}

/** The representations of an alias's formats (st2's normalise_alias_format_string). */
export function representations(alias: AliasDoc): string[] {
  const out: string[] = [];
  for (const f of alias.formats) {
    if (typeof f === 'string') out.push(f);
    else if (f.representation === undefined || f.representation.length === 0) { if (f.display) out.push(''); }
    else out.push(...(typeof f.representation === 'string' ? [f.representation] : f.representation));
  }
  return out;
}

/** One format that matched a command. */
export interface AliasMatch {
  alias: AliasDoc;
  representation: string;
  params: Record<string, string>;
}

/** Every (alias, representation) that matches a command. */
export function matchAll(command: string, aliases: AliasDoc[]): AliasMatch[] {
  const out: AliasMatch[] = [];
  const split = splitTrailingPairs(command);
  for (const alias of aliases) {
    if (alias.enabled === false) continue;
    for (const representation of representations(alias)) {
      const params = extractFromSplit(representation, split);
      if (params) out.push({ alias, representation, params });
    }
  }
  return out;
}

/** The single match of a command, as st2's get_matching_alias; throws with st2's wording otherwise. */
export function matchCommand(command: string, aliases: AliasDoc[]): AliasMatch {
  const matches = matchAll(command, aliases);
  if (matches.length > 1) throw new AliasParseError(`Command '${command}' matched more than 1 pattern: ${matches.map((m) => `${m.alias.action_ref} "${m.representation}"`).join(', ')}`);
  if (matches.length === 0) throw new AliasParseError(`Command '${command}' matched no patterns`);
  return matches[0]!;
}
