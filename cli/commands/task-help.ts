/**
 * `netops <task> --help`: the task's parameters, their types, limits and examples, read from
 * its generated action metadata (pack/actions/<task>.yaml, itself generated from the task's
 * TypeScript type), and the chat forms of its alias.
 */
import type { AliasDoc } from '../../runtime/alias-match.js';
import type { ActionMeta } from '../../runtime/run.js';
import { FORMAT_TITLES } from '../../runtime/formats.js';
import { exampleOf, formatOf, typeableParams, whatOf, type St2Param } from '../../runtime/params.js';
import { flagOf, flagParams } from './task.js';


/** `<ipv4-unicast>`, `<integer>`, `<up|down>`, `<string>...` */
function typeOf(p: St2Param): string {
  if (p.enum) return p.enum.join('|');
  if (p.type === 'array') return `${p.items?.enum ? p.items.enum.join('|') : (formatOf(p.items) ?? p.items?.type ?? 'string')},...`;
  if (p.secret) return 'secret';
  return formatOf(p) ?? p.type ?? 'string';
}

/** Limits of a parameter in words: range, length, pattern, format. */
function limits(p: St2Param): string[] {
  const out: string[] = [];
  const fmt = formatOf(p) ?? formatOf(p.items);
  if (fmt) out.push(FORMAT_TITLES[fmt] ?? fmt);
  else if (typeof p.pattern === 'string') out.push(`matches ${p.pattern}`);
  if (p.minimum !== undefined || p.maximum !== undefined) out.push(`${p.minimum ?? '…'}–${p.maximum ?? '…'}`);
  if (typeof p.maxLength === 'number') out.push(`at most ${p.maxLength} characters`);
  if (p.default !== undefined) out.push(`default ${JSON.stringify(p.default)}`);
  if (p.secret) out.push('never shown');
  return out;
}

/** One example value per parameter: its @example, else a placeholder. */
function sample(name: string, p: St2Param): string {
  const ex = exampleOf(p);
  return ex === '' ? `<${name}>` : /\s/.test(ex) ? JSON.stringify(ex) : ex;
}

/** Chat forms of the task's alias, filled with the examples. */
function chatExamples(meta: ActionMeta, aliases: AliasDoc[]): string[] {
  const alias = aliases.find((a) => a.action_ref === `netops.${meta.name}`);
  if (!alias) return [];
  const fill = (text: string) =>
    text.replace(/\{\{\s*(\w+)(?:\s*=\s*[^}]*)?\s*\}\}|<(\w+)>/g, (_m, a: string | undefined, b: string | undefined) => {
      const n = (a ?? b)!;
      return meta.parameters[n] ? sample(n, meta.parameters[n]!) : `<${n}>`;
    });
  return alias.formats.map((f) => fill(typeof f === 'string' ? f : f.display ?? ([f.representation ?? ''].flat()[0] ?? '')));
}

/** The help text of one task. */
export function taskHelp(verb: string, meta: ActionMeta, aliases: AliasDoc[]): string {
  const params = flagParams(meta, typeableParams(meta.parameters));
  const risk = meta.tags?.find((t) => t.name === 'risk')?.value ?? 'read';
  const change = risk === 'change';
  const usage = params.map(([n, p]) => {
    const one = `${flagOf(n)} <${n}>`;
    return p.required && p.default === undefined ? one : `[${one}]`;
  });
  const required = params.filter(([, p]) => p.required && p.default === undefined);
  const example = required.map(([n, p]) => `${flagOf(n)} ${sample(n, p)}`).join(' ');
  const width = Math.max(...params.map(([n, p]) => `${flagOf(n)} <${typeOf(p)}>`.length), 14) + 2;
  const lines = [
    `netops ${verb}: ${meta.description}`,
    `(StackStorm action netops.${meta.name}; ${change ? 'changes the network' : 'reads only'})`,
    '',
    `usage: netops ${verb} ${[...usage, ...(change ? ['[--dry-run]', '[--break-glass REASON]'] : []), '[--json]', '[--user NAME]'].join(' ')}`,
    `       netops run ${verb} ${params.map(([n]) => `${n}=…`).join(' ')}`,
    '',
    'parameters:',
    ...params.flatMap(([n, p]) => {
      const head = `  ${`${flagOf(n)} <${typeOf(p)}>`.padEnd(width)}${p.required && p.default === undefined ? 'required. ' : ''}${whatOf(p)}`;
      const facts = [...limits(p), ...(exampleOf(p) ? [`e.g. ${sample(n, p)}`] : [])];
      return facts.length ? [head, `  ${''.padEnd(width)}${facts.join('; ')}`] : [head];
    }),
    '',
    'options:',
    ...(change ? [`  ${'--dry-run'.padEnd(width)}show the config lines that would be applied and change nothing`,
      `  ${'--break-glass'.padEnd(width)}run without the approval access.approvals asks for (break_glass users only; recorded and announced)`] : []),
    `  ${'--json'.padEnd(width)}print the result document (JSON) instead of the summary`,
    `  ${'--user NAME'.padEnd(width)}who is asking, for the audit trail (default: $NETOPS_USER, else $USER)`,
    `  ${'-h, --help'.padEnd(width)}this help`,
    '',
    'examples:',
    `  netops ${verb}${example ? ` ${example}` : ''}${change ? ' --dry-run' : ''}`,
    `  netops run ${verb}${required.length ? ` ${required.map(([n, p]) => `${n}=${sample(n, p)}`).join(' ')}` : ''}`,
    ...chatExamples(meta, aliases).map((c, i) => `  ${i === 0 ? 'in chat: ' : '         '}${c}`),
  ];
  return lines.join('\n');
}
