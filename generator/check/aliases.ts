/**
 * Alias checks against their tasks and against each other, using the same matcher
 * the chat runtime uses (runtime/alias-match.ts, StackStorm's algorithm).
 */
import { Codes, type Diagnostic, type Location } from '../diagnostics.js';
import type { AliasModel, FormatModel, ParamModel, TaskModel } from '../model.js';
import { AliasParseError, extractParameters, matchAll, type AliasDoc } from '../../runtime/alias-match.js';
import { aliasFormats } from '../emit/alias.js';
import { helpAliasDoc } from '../emit/help.js';

const PLACEHOLDER = /{{\s*(\S+?)\s*(?:=\s*(?:""|''|"(.+?)"|'(.+?)'|({.+?})|(.+?)))?\s*}}/gs;

/** The placeholders of a format with their offsets in its text. */
export function placeholders(text: string): { name: string; index: number; length: number; optional: boolean }[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1]!, index: m.index!, length: m[0].length, optional: m[0].includes('=') }));
}

/** A value a person would type for a parameter (its @example, else one that satisfies its type). */
export function sampleValue(p: ParamModel): string {
  if (p.example !== undefined) return p.example;
  if (p.enum) return p.enum[0]!;
  switch (p.type) {
    case 'integer': return String(p.minimum ?? 1);
    case 'number': return String(p.minimum ?? 1.5);
    case 'boolean': return 'true';
    case 'array': return p.items?.enum?.[0] ?? (p.items?.type === 'string' ? 'a,b' : '1,2');
    default: return p.format === 'ipv4' ? '192.0.2.1' : 'x1';
  }
}

const quote = (v: string) => (/\s/.test(v) ? `"${v}"` : v);

/** The chat text a person would type for one format, with the values it should yield. */
export function sampleCommand(f: FormatModel, task: TaskModel): { text: string; expect: Record<string, string> } {
  const byName = new Map(task.params.map((p) => [p.name, p]));
  const expect: Record<string, string> = {};
  let text = f.text.replace(PLACEHOLDER, (_m, name: string) => {
    const p = byName.get(name);
    const v = p ? sampleValue(p) : 'x1';
    expect[name] = v;
    return quote(v);
  });
  for (const k of f.keys) {
    const p = byName.get(k);
    const v = p ? sampleValue(p) : 'x1';
    expect[k] = v;
    text += ` ${k}=${quote(v)}`;
  }
  return { text, expect };
}

function at(f: FormatModel, index: number, length: number): Location {
  return { ...f.at, col: f.at.col + 1 + index, length };
}

/** Check every alias; returns diagnostics (empty when the grammar is sound). */
export function checkAliases(aliases: AliasModel[], tasks: TaskModel[], aliasDocs: AliasDoc[]): Diagnostic[] {
  const diags: Diagnostic[] = [];
  // The generated help alias takes part: no command text may also match it.
  const emitted = aliases.length ? [...aliasDocs, helpAliasDoc(aliases)] : aliasDocs;
  const tasksByVerb = new Map(tasks.map((t) => [t.verb, t]));
  for (const alias of aliases) {
    const task = tasksByVerb.get(alias.verb);
    if (!task) {
      diags.push({ code: Codes.AliasWithoutTask, message: `alias '${alias.verb}' has no task actions/${alias.verb}.ts`, hint: `name the alias file after its task, or add actions/${alias.verb}.ts`, at: alias.at });
      continue;
    }
    const params = new Map(task.params.map((p) => [p.name, p]));
    diags.push(...checkPhrases(alias, task));
    for (const f of alias.formats) {
      let ok = true;
      const phs = placeholders(f.text);
      for (const ph of phs) {
        if (!params.has(ph.name)) {
          ok = false;
          diags.push({ code: Codes.UnknownPlaceholder, message: `placeholder '{{ ${ph.name} }}' is not a parameter of ${task.verb}`,
            hint: `use one of: ${[...params.keys()].join(', ')}`, at: at(f, ph.index, ph.length) });
        }
      }
      for (const k of f.keys) {
        if (!params.has(k)) {
          ok = false;
          diags.push({ code: Codes.UnknownKey, message: `key '${k}' is not a parameter of ${task.verb}`, hint: `use one of: ${[...params.keys()].join(', ')}`, at: f.at });
        }
      }
      const reach = new Set([...phs.map((p) => p.name), ...f.keys]);
      for (const p of task.params) {
        if (p.required && !reach.has(p.name)) {
          ok = false;
          diags.push({ code: Codes.UnreachableRequired, message: `required parameter '${p.name}' cannot be given with format '${f.text}'`,
            hint: `add '{{ ${p.name} }}' to the text, or list it in keys so it is typed as ${p.name}=${sampleValue(p)}`, at: f.at });
        }
      }
      if (!ok) continue;
      const { text, expect } = sampleCommand(f, task);
      let got: Record<string, string> | null = null;
      try { got = extractParameters(f.text, text); } catch (e) { if (!(e instanceof AliasParseError)) throw e; }
      const wrong = got ? Object.entries(expect).filter(([k, v]) => got![k] !== v) : [];
      if (!got || wrong.length) {
        const trailing = /\S+=\s*{{[^}]*}}\s*$/.test(f.text);
        diags.push({
          code: Codes.NeverMatches,
          message: got
            ? `format '${f.text}' misreads '${text}': ${wrong.map(([k, v]) => `${k}='${got![k] ?? ''}' instead of '${v}'`).join(', ')}`
            : `format '${f.text}' can never match: StackStorm does not match '${text}' against it`,
          hint: trailing
            ? `StackStorm cuts trailing key=value pairs off the text before matching; write { text: '${f.text.replace(/\s*\S+=\s*{{.*$/s, '')}', keys: [...] } instead`
            : 'put literal words between placeholders so each value has an end, or move parameters to keys',
          at: f.at,
        });
        continue;
      }
      const matches = matchAll(text, emitted);
      if (matches.length > 1) {
        diags.push({ code: Codes.Ambiguous, message: `'${text}' matches more than one format: ${matches.map((m) => `${m.alias.name} "${m.representation}"`).join(' and ')}; StackStorm refuses ambiguous commands`,
          hint: 'reword one of the formats so that no text matches both', at: f.at });
      }
    }
  }
  return diags;
}

/**
 * The ack and result phrases: placeholders must be parameters, and printable the same way in
 * Python and JavaScript (a boolean prints True in StackStorm, true in `netops chat`).
 */
export function checkPhrases(alias: AliasModel, task: TaskModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  const params = new Map(task.params.map((p) => [p.name, p]));
  for (const [field, phrase] of [['ack', alias.ack], ['result', alias.result]] as const) {
    if (phrase === undefined) continue;
    if (/{%|{#|{~}/.test(phrase) || /{{(?!\s*\w+\s*}})/.test(phrase)) {
      out.push({ code: Codes.UnknownPlaceholder, message: `${field} phrase '${phrase}' may only hold text and {{ name }} placeholders`,
        hint: `write e.g. ${field}: '${field === 'ack' ? 'adding' : 'added'} peer {{ ip }} at {{ in }}'; the generator builds the Jinja around it`, at: alias.at });
      continue;
    }
    for (const ph of placeholders(phrase)) {
      const p = params.get(ph.name);
      if (!p) out.push({ code: Codes.UnknownPlaceholder, message: `${field} phrase: '{{ ${ph.name} }}' is not a parameter of ${task.verb}`, hint: `use one of: ${[...params.keys()].join(', ')}`, at: alias.at });
      else if (p.type === 'boolean' || p.type === 'array' || p.type === 'number') out.push({ code: Codes.UnknownPlaceholder, message: `${field} phrase: '{{ ${ph.name} }}' is a ${p.type}, which StackStorm prints differently from netops chat`, hint: 'name string or integer parameters only; say the rest in words', at: alias.at });
    }
  }
  return out;
}

export { aliasFormats };
