/**
 * `netops chat` on the lab: real runs (real ansible-playbook against FRR) give the result
 * documents; their chat rendering by netops equals Python Jinja2's, and reads as it should.
 * Success, dry run, partial failure, failure, refusal. Runs under the lab lock like every lab test.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { finishedExecution, scheduledExecution, type ChatRequest } from '../../runtime/chat/execution.js';
import { renderJinja } from '../../runtime/chat/jinja.js';
import { renderResult, type AliasFormats } from '../../runtime/chat/render.js';
import type { ChatResultDoc } from '../../runtime/chat/result-doc.js';
import { REPO, useLab, vtysh } from '../support/lab.js';

const CLI = join(REPO, 'dist', 'cli', 'netops.js');
const ID = '6a3f1c2e9b7d4e0012ab34cd';
const alias = parse(readFileSync(join(REPO, 'pack', 'aliases', 'add_peer.yaml'), 'utf8')) as AliasFormats;

describe('netops chat on the lab: real result documents, rendered as StackStorm renders them', function () {
  this.timeout(600_000);
  let state = '';
  const sot = () => join(state, 'sot');
  const env = (extra: Record<string, string> = {}) => ({ NETOPS_STATE_DIR: state, NETOPS_SOT_DIR: sot(), NETOPS_LOCK_WAIT: '1', NETOPS_USER: 'tester', ...extra });
  const chat = (args: string[], extra: Record<string, string> = {}) => execa('node', [CLI, 'chat', ...args], { env: env(extra), reject: false });
  const variant = (name: string, edit: (site: Record<string, any>) => void): string => {
    const dir = join(state, name);
    cpSync(sot(), dir, { recursive: true });
    const f = join(dir, 'sites', 'bma.yml');
    const d = parse(readFileSync(f, 'utf8')) as Record<string, any>;
    edit(d);
    writeFileSync(f, stringify(d));
    return dir;
  };
  const docs: { name: string; doc: ChatResultDoc; params: Record<string, unknown> }[] = [];

  before(async function () {
    await useLab(this);
    state = mkdtempSync(join(tmpdir(), 'netops-chat-lab-'));
    cpSync(join(REPO, 'lab', 'sot'), sot(), { recursive: true });
    await execa('node', [CLI, 'run', 'remove_peer', 'in=bma', 'ip=10.0.0.5', '--json'], { env: env(), reject: false });
  });
  after(async () => {
    if (state) await execa('node', [CLI, 'run', 'remove_peer', 'in=bma', 'ip=10.0.0.5', '--json'], { env: env(), reject: false });
    if (state) rmSync(state, { recursive: true, force: true });
  });

  it('dry run: the channel view says nothing was changed and shows the config lines; the router is untouched', async () => {
    const before = await vtysh('bma-edge1', 'show running-config');
    const r = await chat(['add peer in=bma ip=10.0.0.5 as=65200', '--dry-run', '--channel', 'noc']);
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    const [ack, result] = r.stdout.split('\n\n');
    expect(ack).to.match(/^tester: adding peer 10\.0\.0\.5 AS65200 at bma \(dry run: nothing will change\) · execution [0-9a-f]{24}$/);
    expect(result!.split('\n')[0]).to.equal(':mag: tester, dry run: adding peer 10.0.0.5 AS65200 at bma — nothing was changed: bma-edge1 would change');
    expect(r.stdout).to.contain('┃     neighbor 10.0.0.5 remote-as 65200');
    expect(r.stdout).to.match(/┃ source of truth \(file[^)]*dry-run\):/);
    expect(await vtysh('bma-edge1', 'show running-config')).to.equal(before);
    const j = await chat(['add peer in=bma ip=10.0.0.5 as=65200', '--dry-run', '--json']);
    docs.push({ name: 'dry run', doc: JSON.parse(j.stdout), params: { in: 'bma', ip: '10.0.0.5', as: 65200, dry_run: true } });
  });

  it('partial failure, success, refusal and failure from real runs', async () => {
    const two = variant('sot-two-routers', (d) => {
      d.routers.push({ name: 'gbg-edge1', platform: 'frr', address: '192.0.2.6', local_as: 65001, mgmt_interface: 'mgmt0', own_addresses: ['192.0.2.6'], vars: { ansible_port: 2222 } });
    });
    const partial = await chat(['add peer in=bma ip=10.0.0.5 as=65200', '--json'], { NETOPS_SOT_DIR: two });
    expect(partial.exitCode, partial.stdout).to.equal(4);
    docs.push({ name: 'partial failure', doc: JSON.parse(partial.stdout), params: { in: 'bma', ip: '10.0.0.5', as: 65200 } });
    const ok = await chat(['add peer in=bma ip=10.0.0.5 as=65200', '--json']);
    expect(ok.exitCode, ok.stderr).to.equal(0);
    docs.push({ name: 'success', doc: JSON.parse(ok.stdout), params: { in: 'bma', ip: '10.0.0.5', as: 65200 } });
    expect(await vtysh('bma-edge1', 'show running-config')).to.contain('neighbor 10.0.0.5 remote-as 65200');
    const refused = await chat(['add peer in=xyz ip=10.0.0.5 as=65200', '--json']);
    docs.push({ name: 'refusal', doc: JSON.parse(refused.stdout), params: { in: 'xyz', ip: '10.0.0.5', as: 65200 } });
    const unreachable = variant('sot-unreachable', (d) => { d.routers[0].vars = { ansible_port: 2222 }; });
    const failed = await chat(['remove peer in=bma ip=10.0.0.5', '--json'], { NETOPS_SOT_DIR: unreachable });
    expect(failed.exitCode).to.equal(3);
    docs.push({ name: 'failure', doc: JSON.parse(failed.stdout), params: { in: 'bma', ip: '10.0.0.5' } });
  });

  it('each real document renders the same in netops and in Python Jinja2, and reads right', async () => {
    expect(docs.map((d) => d.name)).to.deep.equal(['dry run', 'partial failure', 'success', 'refusal', 'failure']);
    const aliases = Object.fromEntries(readdirSync(join(REPO, 'pack', 'aliases')).map((f) => [f.replace('.yaml', ''), parse(readFileSync(join(REPO, 'pack', 'aliases', f), 'utf8')) as AliasFormats]));
    const cases = docs.flatMap((d) => {
      const a = aliases[d.doc.task]!;
      const req: ChatRequest = { user: 'tester', channel: 'noc', alias: a.name, actionRef: a.action_ref, parameters: d.params };
      return [
        { format: a.ack!.format!, context: { execution: scheduledExecution(ID, req), actionalias: a }, strict: true },
        { format: a.result!.format!, context: { execution: finishedExecution(ID, req, d.doc, d.doc.exit_code), alias: a }, strict: false },
      ];
    });
    const py = JSON.parse((await execa('/usr/bin/python3', [join(REPO, 'test', 'chat', 'jinja_render.py')], { input: JSON.stringify(cases) })).stdout) as { text?: string; error?: string }[];
    expect(cases.map((c) => ({ text: renderJinja(c.format, c.context, c.strict) }))).to.deep.equal(py);
    const head = (i: number) => renderResult(aliases[docs[i]!.doc.task]!, cases[i * 2 + 1]!.context.execution)!;
    expect(head(1).text).to.match(/^:warning: tester: adding peer 10\.0\.0\.5 AS65200 at bma partly failed: bma-edge1 \S+.*, gbg-edge1 UNREACHABLE$/);
    expect(head(1).attachment).to.match(/source of truth \(file[^)]*aborted\)/);
    expect(head(2).text).to.match(/^tester added peer 10\.0\.0\.5 AS65200 at bma: bma-edge1 \S+$/);
    expect(head(3).text).to.equal(":no_entry: tester: adding peer 10.0.0.5 AS65200 at xyz refused: " + docs[3]!.doc.error);
    expect(head(4).text).to.equal(':x: tester: removing peer 10.0.0.5 at bma failed: bma-edge1 UNREACHABLE');
    expect(head(4).attachment).to.contain(`details: \`st2 execution get ${ID}\``);
    void alias;
  });
});
