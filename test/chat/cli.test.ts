/** `netops chat "<text>"` prints the channel's view: the pack's ack then result, as Jinja2 renders them. */
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { finishedExecution, scheduledExecution } from '../../runtime/chat/execution.js';
import { splitMessage, terminalView } from '../../runtime/chat/slack.js';
import type { AliasFormats } from '../../runtime/chat/render.js';
import { REPO } from '../support/st2-schemas.js';

const CLI = join(REPO, 'dist', 'cli', 'netops.js');

describe('netops chat: what the channel would show', function () {
  this.timeout(60_000);
  let state = '';
  before(() => { state = mkdtempSync(join(tmpdir(), 'netops-chat-')); });
  after(() => rmSync(state, { recursive: true, force: true }));
  const run = (...args: string[]) => execa('node', [CLI, 'chat', ...args], { reject: false, env: { NETOPS_STATE_DIR: state, NETOPS_USER: 'alice' } });

  it('a refused command: ack then result, exactly what Python Jinja2 renders from the pack formats', async () => {
    const text = 'add peer in=xyz ip=10.0.0.1 as=65100';
    const out = await run(text, '--channel', 'noc');
    expect(out.exitCode).to.equal(2);
    const id = /execution ([0-9a-f]{24})/.exec(out.stdout)?.[1];
    expect(id, out.stdout).to.be.a('string');
    const doc = JSON.parse((await run(text, '--json')).stdout);
    const alias = parse(readFileSync(join(REPO, 'pack', 'aliases', 'add_peer.yaml'), 'utf8')) as AliasFormats;
    const req = { user: 'alice', channel: 'noc', alias: 'add_peer', actionRef: 'netops.add_peer', parameters: { in: 'xyz', ip: '10.0.0.1', as: 65100 } };
    const cases = [
      { format: alias.ack!.format, context: { execution: scheduledExecution(id!, req), actionalias: alias }, strict: true },
      { format: alias.result!.format, context: { execution: finishedExecution(id!, req, { ...doc, elapsed_ms: 0 }, 2), alias }, strict: false },
    ];
    const py = JSON.parse((await execa('/usr/bin/python3', [join(REPO, 'test', 'chat', 'jinja_render.py')], { input: JSON.stringify(cases) })).stdout) as { text: string }[];
    const want = [terminalView(splitMessage(py[0]!.text)), terminalView(splitMessage(py[1]!.text))].join('\n\n');
    expect(out.stdout).to.equal(want);
    expect(out.stdout).to.match(/^alice: adding peer 10\.0\.0\.1 AS65100 at xyz · execution [0-9a-f]{24}\n\n:no_entry: alice: adding peer 10\.0\.0\.1 AS65100 at xyz refused: unknown site 'xyz'; known sites: bma, gbg\n(┃ next: `[^`]+`\n)?┃ details: `st2 execution get [0-9a-f]{24}`$/);
  });

  it('--json still prints the result document', async () => {
    const r = await run('show peers in=nowhere', '--json');
    expect(r.exitCode).to.equal(2);
    expect(JSON.parse(r.stdout)).to.include({ task: 'show_peers', status: 'invalid' });
  });
});
