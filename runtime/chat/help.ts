/**
 * `help`: the commands grouped by area with one example each, and the forms of one command,
 * also for a text that starts like a command but matches none of its forms ("add peer bma").
 * The data is generated from the pack's aliases (pack/actions/help.json, generator/emit/help.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One command as help shows it. */
export interface HelpCommand {
  /** Alias name, e.g. add_peer. */
  name: string;
  area: string;
  description: string;
  risk: 'read' | 'change';
  /** Leading words every form starts with, e.g. "add peer". */
  prefix: string;
  /** The forms as a person types them: "add peer in=<in> ip=<ip> as=<as>". */
  forms: string[];
  example: string;
}

/** What the help action answers: a first line, and the details (the Slack attachment). */
export interface HelpAnswer { title: string; body: string }

const words = (s: string) => s.trim().toLowerCase().replace(/[-_]/g, ' ').split(/\s+/).filter(Boolean);

/** The command a text starts like: the one with the longest prefix that begins the text. */
export function commandFor(commands: HelpCommand[], text: string): HelpCommand | null {
  const t = words(text);
  let best: HelpCommand | null = null;
  for (const c of commands) {
    const p = words(c.prefix);
    if (p.length <= t.length && p.every((w, i) => w === t[i]) && (!best || p.length > words(best.prefix).length)) best = c;
  }
  if (best || t.length === 0) return best;
  // "show config": the only command whose prefix starts with the text.
  const starting = commands.filter((c) => t.every((w, i) => words(c.prefix)[i] === w));
  return starting.length === 1 ? starting[0]! : null;
}

function overview(commands: HelpCommand[]): string {
  const areas = [...new Set(commands.map((c) => c.area))].sort((a, b) => (a === 'Other' ? 1 : b === 'Other' ? -1 : a.localeCompare(b)));
  return areas.map((a) => [`*${a}*`, ...commands.filter((c) => c.area === a).map((c) =>
    `• ${c.prefix}: ${c.description}${c.risk === 'change' ? ' (changes the network; dry_run=true previews)' : ''}. e.g. \`${c.example}\``)].join('\n')).join('\n');
}

function forms(c: HelpCommand): string {
  return [...c.forms.map((f) => `• \`${f}\``), `example: \`${c.example}\``, ...(c.risk === 'change' ? [`preview first: \`${c.example} dry_run=true\``] : [])].join('\n');
}

/** The answer to `help [topic]`; a topic longer than a command's prefix is a text that matched none of its forms. */
export function helpAnswer(commands: HelpCommand[], topic: string): HelpAnswer {
  const t = topic.trim();
  if (!t) return { title: 'netops commands, by area (`help <command>` shows its forms):', body: overview(commands) };
  const c = commandFor(commands, t);
  if (!c) return { title: `no command starts with \`${t}\`; the commands are:`, body: overview(commands) };
  const exact = words(t).length === words(c.prefix).length;
  return {
    title: exact ? `${c.prefix}: ${c.description}. Forms:` : `\`${t}\` is not a form of ${c.prefix}; type one of:`,
    body: forms(c),
  };
}

/** The help action's entry (pack/actions/help.mjs): `--topic=<text>` → JSON answer on stdout. */
export async function helpEntry(entryUrl: string, argv: string[]): Promise<number> {
  const dir = dirname(fileURLToPath(entryUrl));
  const commands = JSON.parse(readFileSync(join(dir, 'help.json'), 'utf8')) as HelpCommand[];
  const topic = argv.find((a) => a.startsWith('--topic='))?.slice('--topic='.length) ?? '';
  const a = helpAnswer(commands, topic);
  process.stdout.write(JSON.stringify({ task: 'help', status: 'ok', exit_code: 0, topic, ...a, summary: `${a.title}\n${a.body}` }) + '\n');
  return 0;
}
