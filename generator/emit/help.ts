/**
 * The `help` command, generated from the pack's aliases: pack/actions/help.{yaml,mjs,json}
 * and pack/aliases/help.yaml. Besides `help` and `help <command>`, the alias has one form that
 * matches a text starting like a command but none of its forms ("add peer bma"), so the chat
 * answers with that command's forms instead of silence. That form is a regex (StackStorm
 * matches formats as regexes): a negative lookahead excludes every real form, so no text that
 * a command matches also matches help (checked like every other form, generator/check/aliases.ts).
 */
import type { AliasModel, TaskModel } from '../model.js';
import type { AliasDoc } from '../../runtime/alias-match.js';
import type { HelpCommand } from '../../runtime/chat/help.js';
import type { EmittedFile } from './types.js';
import { toYaml } from '../yaml.js';
import { sampleCommand } from '../check/aliases.js';
import { approvalHelp } from './approval.js';

const PLACEHOLDER = /(\s*){{\s*\w+\s*(=[^}]*)?}}/g;

/** Leading literal words of a format, at most two ("add peer", "show config"). */
export function formPrefix(text: string): string {
  return text.split('{{')[0]!.trim().split(/\s+/).slice(0, 2).join(' ');
}

/** A form as a regex without named groups (placeholders → `.+?`), for the lookahead. */
function loose(text: string): string {
  return text.replace(PLACEHOLDER, (_m, sp: string, opt: string | undefined) => (opt ? `(?:${sp}.+?)?` : `${sp}.+?`));
}

/** The help data: one entry per alias, in area order. */
export function helpCommands(aliases: AliasModel[], tasks: TaskModel[]): HelpCommand[] {
  const byVerb = new Map(tasks.map((t) => [t.verb, t]));
  return aliases.flatMap((a) => {
    const t = byVerb.get(a.verb);
    if (!t || a.formats.length === 0) return [];
    return [{
      name: a.name, area: a.area, description: a.description, risk: t.risk,
      prefix: a.formats[0]!.text.split('{{')[0]!.trim(),
      forms: a.formats.map((f) => (f.keys.length ? `${f.text} ${f.keys.map((k) => `${k}=<${k}>`).join(' ')}` : f.text.replace(/{{\s*(\w+)\s*}}/g, '<$1>'))),
      example: sampleCommand(a.formats[0]!, t).text,
    }];
  }).concat(approvalHelp(aliases, tasks)).sort((x, y) => x.area.localeCompare(y.area) || x.name.localeCompare(y.name));
}

/** The regex form that matches "starts like a command, is none of its forms". */
export function nearMissFormat(aliases: AliasModel[]): string {
  const forms = aliases.flatMap((a) => a.formats.map((f) => loose(f.text)));
  const prefixes = [...new Set(aliases.flatMap((a) => a.formats.map((f) => formPrefix(f.text))))].sort();
  // Trailing key=value pairs: st2 cuts them off before matching, but hubot-stackstorm's own
  // pre-filter (command_factory.js) matches the whole text, so the exclusion allows them too;
  // otherwise hubot could route "add peer in=bma …" to help when help's form comes first.
  const pairs = String.raw`(?:\s+\S+?\s*=\s*(?:"[^"]*"|'[^']*'|{[^}]*}|\S+))*`;
  // An explicit trailing \s*$ at the top level: st2 (search_regex_tokens) and runtime/alias-match.ts
  // then agree that the format is anchored, whatever the lookaheads hold.
  return String.raw`(?!\s*(?:${forms.join('|')})${pairs}\s*$)(?=\s*(?:${prefixes.join('|')})(?:\s|$)){{ topic }}\s*$`;
}

/** The help alias document. */
export function helpAliasDoc(aliases: AliasModel[]): Record<string, unknown> & AliasDoc {
  return {
    name: 'help',
    pack: 'netops',
    description: 'List the netops commands by area, or the forms of one command',
    action_ref: 'netops.help',
    enabled: true,
    formats: [
      'help',
      'help {{ topic }}',
      { display: '<text that starts like a command but is none of its forms>', representation: [nearMissFormat(aliases)] },
    ],
    ack: { enabled: false },
    result: {
      enabled: true,
      format: "{% set r = execution.result.stdout if execution.result is defined and execution.result is mapping else none %}" +
        "{% if r is mapping and r.title is defined %}{{ r.title }}{~}{{ r.body }}{% else %}help failed: `st2 execution get {{ execution.id }}`{% endif %}",
    },
  };
}

/** Every help file of the pack. */
export function emitHelp(aliases: AliasModel[], tasks: TaskModel[]): EmittedFile[] {
  const meta = {
    name: 'help',
    pack: 'netops',
    description: 'List the netops chat commands by area with an example each, or the forms of one command',
    runner_type: 'local-shell-script',
    entry_point: 'help.mjs',
    enabled: true,
    parameters: {
      topic: { type: 'string', description: 'A command, or a text that starts like one. Example: add peer.' },
      timeout: { default: 20 },
    },
    tags: [{ name: 'risk', value: 'read' }, { name: 'source', value: 'generator/emit/help.ts' }],
  };
  const entry = [
    '#!/usr/bin/env node',
    '// netops.help: generated from aliases/*.ts by `netops build`; do not edit.',
    "import { helpEntry } from './runtime/netops.mjs';",
    'process.exitCode = await helpEntry(import.meta.url, process.argv.slice(2));',
    '',
  ].join('\n');
  return [
    { path: 'actions/help.yaml', content: '---\n' + toYaml(meta) },
    { path: 'actions/help.mjs', content: entry, mode: 0o755 },
    { path: 'actions/help.json', content: JSON.stringify(helpCommands(aliases, tasks), null, 2) + '\n' },
    { path: 'aliases/help.yaml', content: '---\n' + toYaml(helpAliasDoc(aliases)) },
  ];
}
