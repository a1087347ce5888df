/**
 * `help`: generated from the pack's aliases; `help`, `help <command>`, and a text that starts
 * like a command but is none of its forms all answer, through StackStorm's matching and the
 * generated entry script.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { matchAll, matchCommand, type AliasDoc } from '../../runtime/alias-match.js';
import { commandFor, helpAnswer, type HelpCommand } from '../../runtime/chat/help.js';
import { REPO } from '../support/st2-schemas.js';

const PACK = join(REPO, 'pack');
const ALIASES = readdirSync(join(PACK, 'aliases')).filter((f) => f.endsWith('.yaml')).sort()
  .map((f) => parse(readFileSync(join(PACK, 'aliases', f), 'utf8')) as AliasDoc & { formats: unknown[] });
const COMMANDS = JSON.parse(readFileSync(join(PACK, 'actions', 'help.json'), 'utf8')) as HelpCommand[];
const CLI = join(REPO, 'dist', 'cli', 'netops.js');

describe('help, generated from the aliases', function () {
  this.timeout(60_000);

  it('lists every command under its area with an example that runs that command', () => {
    const tasks = ALIASES.filter((a) => a.name !== 'help');
    expect(COMMANDS.map((c) => c.name).sort()).to.deep.equal(tasks.map((a) => a.name).sort());
    const { body } = helpAnswer(COMMANDS, '');
    for (const c of COMMANDS) {
      expect(matchCommand(c.example, ALIASES).alias.name, c.example).to.equal(c.name);
      const area = body.indexOf(`*${c.area}*`);
      expect(area, c.area).to.be.greaterThan(-1);
      expect(body.indexOf(`• ${c.prefix}: `), c.prefix).to.be.greaterThan(area);
      expect(body).to.contain(`e.g. \`${c.example}\``);
    }
    expect(new Set(COMMANDS.map((c) => c.area)).size, 'grouped, not one flat list').to.be.greaterThan(2);
  });

  it('a text that starts like a command but is none of its forms matches help, with the text as topic', () => {
    for (const [text, command] of [['add peer bma', 'add_peer'], ['add peer 10.0.0.1 in bma', 'add_peer'], ['show peers in', 'show_peers'], ['remove peer bma', 'remove_peer'], ['set interface eth0', 'set_interface'], ['backup config now', 'backup_config']] as const) {
      const m = matchCommand(text, ALIASES);
      expect(m.alias.name, text).to.equal('help');
      expect(m.params.topic, text).to.equal(text);
      expect(commandFor(COMMANDS, m.params.topic!)?.name, text).to.equal(command);
      const a = helpAnswer(COMMANDS, m.params.topic!);
      expect(a.title).to.equal(`\`${text}\` is not a form of ${COMMANDS.find((c) => c.name === command)!.prefix}; type one of:`);
      expect(a.body).to.contain('example: `');
    }
  });

  it('no text a command matches also matches help (StackStorm would refuse it as ambiguous)', () => {
    const texts = [...COMMANDS.map((c) => c.example), 'add peer 10.0.0.1 as 65100 in bma', 'show peers in bma', 'show config diff of bma',
      'add peer in=bma ip=10.0.0.1', 'set interface to-peer1 up in=bma', 'backup config of bma'];
    for (const t of texts) {
      const ms = matchAll(t, ALIASES);
      expect(ms.map((m) => m.alias.name), t).to.have.length(1);
      expect(ms[0]!.alias.name, t).to.not.equal('help');
    }
    expect(matchAll('hello there', ALIASES), 'other chatter stays unanswered').to.deep.equal([]);
    expect(matchCommand('help', ALIASES).alias.name).to.equal('help');
    expect(matchCommand('help add peer', ALIASES).params.topic).to.equal('add peer');
  });

  it("hubot-stackstorm's own pre-filter never sends a real command to help", () => {
    // hubot-stackstorm (src/lib/command_factory.js getRegexForFormatString), in our words: each
    // representation becomes ^\s* + format (placeholders → ([\s\S]+?), optional trailing
    // key=value pairs) + \s*$, case-insensitive; the first matching one wins, so help must not
    // match what a command matches, trailing pairs included.
    const hubot = (format: string) => new RegExp(String.raw`^\s*` + format.replace(/\s*{{.+?}}\s*/g, String.raw`\s*([\s\S]+?)\s*`) +
      String.raw`(\s+(\S+)\s*=("([\s\S]*?)"|'([\s\S]*?)'|({[\s\S]*?})|(\S+))\s*)*\s*$`, 'i');
    const help = ALIASES.find((a) => a.name === 'help')!;
    const nearMiss = (help.formats[2] as { representation: string[] }).representation[0]!;
    for (const t of [...COMMANDS.map((c) => c.example), 'add peer in=bma ip=10.0.0.1 as=65100 description="transit a"', "add peer 10.0.0.1 as 65100 in bma password='x y'", 'show peers in=bma dry_run=true']) {
      expect(hubot(nearMiss).test(t), t).to.equal(false);
    }
    for (const t of ['add peer bma', 'show peers in']) expect(hubot(nearMiss).test(t), t).to.equal(true);
  });

  it('the generated entry script answers with the argv StackStorm builds', async () => {
    const entry = join(PACK, 'actions', 'help.mjs');
    const meta = parse(readFileSync(join(PACK, 'actions', 'help.yaml'), 'utf8')) as { parameters: unknown };
    const { stdout: command } = await execa('python3', [join(REPO, 'test', 'support', 'st2_command.py')], { input: JSON.stringify({ entry, parameters: meta.parameters, values: { topic: "add peer bma it's" } }) });
    const r = await execa('/bin/sh', ['-c', `chmod +x ${entry}; ${command}`]);
    const doc = JSON.parse(r.stdout);
    expect(doc).to.include({ task: 'help', status: 'ok', topic: "add peer bma it's" });
    expect(doc.title).to.equal("`add peer bma it's` is not a form of add peer; type one of:");
    const all = await execa('/bin/sh', ['-c', `${entry}`]);
    expect(JSON.parse(all.stdout).body).to.contain('*BGP peers*');
  });

  it('netops chat help and netops chat "<near miss>" print the channel view; other text says to type help', async () => {
    const h = await execa('node', [CLI, 'chat', 'help']);
    expect(h.stdout.split('\n')[0]).to.equal('netops commands, by area (`help <command>` shows its forms):');
    expect(h.stdout).to.contain('┃ *BGP peers*');
    const n = await execa('node', [CLI, 'chat', 'add peer bma']);
    expect(n.stdout).to.match(/^`add peer bma` is not a form of add peer; type one of:\n┃ • `add peer in=<in> ip=<ip> as=<as>`/);
    const u = await execa('node', [CLI, 'chat', 'hello there'], { reject: false });
    expect(u.exitCode).to.equal(2);
    expect(u.stderr).to.equal("Command 'hello there' matched no patterns; type: netops chat help");
  });
});
