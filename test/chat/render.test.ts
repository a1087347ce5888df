/**
 * The pack's own ack and result formats rendered by `netops chat` (nunjucks with Jinja2
 * semantics) and by real Python Jinja2 set up as StackStorm sets it up: same text, for every
 * alias and every outcome; then what the channel reads for the outcomes people care about.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderJinja } from '../../runtime/chat/jinja.js';
import { finishedExecution, scheduledExecution, type ChatRequest } from '../../runtime/chat/execution.js';
import { renderAck, renderResult, type AliasFormats } from '../../runtime/chat/render.js';
import { CUT } from '../../generator/emit/chat-formats.js';
import { REPO } from '../support/st2-schemas.js';
import { CASES, type Case } from './fixtures.js';
import { helpAnswer, type HelpCommand } from '../../runtime/chat/help.js';

const ALL: AliasFormats[] = readdirSync(join(REPO, 'pack', 'aliases')).filter((f) => f.endsWith('.yaml')).sort()
  .map((f) => parse(readFileSync(join(REPO, 'pack', 'aliases', f), 'utf8')) as AliasFormats);
/** The task aliases (help and the approval aliases have their own formats, checked below). */
const APPROVAL = ALL.filter((a) => a.action_ref === 'netops.decide' || a.name.endsWith('_approved'));
const ALIASES = ALL.filter((a) => a.name !== 'help' && !APPROVAL.includes(a));
const HELP = ALL.find((a) => a.name === 'help')!;
const COMMANDS = JSON.parse(readFileSync(join(REPO, 'pack', 'actions', 'help.json'), 'utf8')) as HelpCommand[];
const alias = (name: string) => ALIASES.find((a) => a.name === name)!;
const ID = '6a3f1c2e9b7d4e0012ab34cd';

interface Render { format: string; context: Record<string, unknown>; strict: boolean }
type Out = { text: string } | { error: string };

/** Render with Python Jinja2 (Debian's python3-jinja2), st2's environment settings. */
async function python(cases: Render[]): Promise<Out[]> {
  const r = await execa('/usr/bin/python3', [join(REPO, 'test', 'chat', 'jinja_render.py')], { input: JSON.stringify(cases) });
  return JSON.parse(r.stdout) as Out[];
}
function js(c: Render): Out {
  try { return { text: renderJinja(c.format, c.context, c.strict) }; } catch (e) { return { error: (e as Error).message }; }
}
const req = (a: AliasFormats, c: Case): ChatRequest => ({ user: 'alice', channel: 'noc', alias: a.name, actionRef: a.action_ref, parameters: c.params });
const resultExec = (a: AliasFormats, c: Case) =>
  typeof c.doc === 'string' ? finishedExecution(ID, req(a, c), '' as never, c.exit, c.doc) : finishedExecution(ID, req(a, c), { ...c.doc, task: a.name }, c.exit);

describe('chat formats: netops chat renders what StackStorm renders', function () {
  this.timeout(60_000);
  const renders: { label: string; r: Render }[] = [];
  for (const a of ALIASES) {
    for (const c of CASES) {
      renders.push({ label: `${a.name} ack, ${c.name}`, r: { format: a.ack!.format!, context: { execution: scheduledExecution(ID, req(a, c)), actionalias: a }, strict: true } });
      renders.push({ label: `${a.name} result, ${c.name}`, r: { format: a.result!.format!, context: { execution: resultExec(a, c), alias: a }, strict: false } });
      renders.push({ label: `${a.name} result colour, ${c.name}`, r: { format: a.result!.extra!.color!, context: { execution: resultExec(a, c), alias: a }, strict: true } });
    }
  }
  let py: Out[] = [];
  before(async () => { py = await python(renders.map((x) => x.r)); });

  it(`every alias × every outcome (${ALIASES.length} aliases × ${CASES.length} outcomes, ack and result) renders the same text as Jinja2`, () => {
    expect(ALIASES.length).to.be.greaterThan(6);
    const diffs = renders.map((x, i) => ({ label: x.label, js: js(x.r), py: py[i]! })).filter((d) => JSON.stringify(d.js) !== JSON.stringify(d.py));
    expect(diffs, JSON.stringify(diffs.slice(0, 2), null, 1)).to.deep.equal([]);
    expect(py.every((o) => 'text' in o), 'no format fails to render in Jinja2').to.equal(true);
  });

  it('the help answers render the same as Jinja2', async () => {
    const cases = ['', 'add peer', 'add peer bma', 'nothing like it'].map((topic) => {
      const a = helpAnswer(COMMANDS, topic);
      const doc = { task: 'help', status: 'ok', exit_code: 0, topic, ...a, summary: `${a.title}\n${a.body}` } as never;
      return { format: HELP.result!.format!, context: { execution: finishedExecution(ID, { user: 'alice', channel: 'noc', alias: 'help', actionRef: 'netops.help', parameters: { topic } }, doc, 0), alias: HELP }, strict: false };
    });
    const p = await python(cases);
    expect(cases.map(js)).to.deep.equal(p);
    expect(renderResult(HELP, cases[2]!.context.execution)!.text).to.equal('`add peer bma` is not a form of add peer; type one of:');
  });

  it('the approval aliases (request …, approve, deny) render the same as Jinja2', async () => {
    const WF = '5f1e2d3c4b5a69788796a5b4';
    const decideReq = (name: string): ChatRequest => ({ user: 'bob', channel: 'noc', alias: name, actionRef: 'netops.decide', parameters: { request: WF } });
    const docs = [
      { task: 'decide', decision: 'approve', status: 'ok', exit_code: 0, user: 'bob', request: WF, requester: 'alice', summary: `bob approved alice's add peer in bma (request ${WF}); applying it now`, error: null, next: null },
      { task: 'decide', decision: 'approve', status: 'denied', exit_code: 2, user: 'alice', request: WF, requester: 'alice', summary: 'alice cannot approve it', error: 'alice cannot approve it', next: 'ask one of @leads, bob to approve it' },
    ];
    const cases: Render[] = [];
    for (const a of APPROVAL) {
      if (a.action_ref === 'netops.decide') for (const [i, d] of docs.entries()) cases.push({ format: a.result!.format!, context: { execution: finishedExecution(ID, decideReq(a.name), d as never, d.exit_code), alias: a }, strict: false }), void i;
      else cases.push({ format: a.ack!.format!, context: { execution: scheduledExecution(ID, { user: 'alice', channel: 'noc', alias: a.name, actionRef: a.action_ref, parameters: {} }), actionalias: a }, strict: true });
    }
    expect(APPROVAL.length).to.be.greaterThan(3);
    const p = await python(cases);
    expect(cases.map(js)).to.deep.equal(p);
    expect(p.every((o) => 'text' in o)).to.equal(true);
    const deny = APPROVAL.find((a) => a.name === 'deny')!;
    expect(renderResult(deny, finishedExecution(ID, decideReq('deny'), docs[1] as never, 2))!.text).to.equal(':no_entry: alice cannot approve it');
  });

  it('an undefined name in an ack fails in both, as StrictUndefined does in st2api', async () => {
    const c = { format: '{{ execution.parameters.nothere }}', context: { execution: { parameters: {} } }, strict: true };
    const [p] = await python([c]);
    expect(p).to.have.property('error').that.matches(/UndefinedError/);
    expect(js(c)).to.have.property('error');
    // and st2api posts its own message instead of the ack
    const m = renderAck({ name: 'x', action_ref: 'netops.x', ack: { enabled: true, format: c.format } }, { parameters: {} });
    expect(m!.text).to.match(/^Cannot render "format" in field "ack" for alias\. /);
  });

  it('truncate keeps Jinja2 semantics (leeway 5, end counted in the length)', async () => {
    const fmts = ["{{ s | truncate(10) }}", "{{ s | truncate(10, true) }}", "{{ s | truncate(10, true, '', 0) }}", "{{ t | truncate(10) }}", "{{ u | length }}"];
    const cases = fmts.map((format) => ({ format, context: { s: 'abcde fghij klmno', t: 'abcdefghijkl', u: 'añ€𝄞' }, strict: false }));
    const p = await python(cases);
    expect(cases.map(js)).to.deep.equal(p);
  });
});

describe('chat formats: what the channel reads', () => {
  const show = (name: string, c: Case) => ({ ack: renderAck(alias(name), scheduledExecution(ID, req(alias(name), c)))!, result: renderResult(alias(name), resultExec(alias(name), c))! });
  const get = (n: string) => CASES.find((c) => c.name === n)!;

  it('success: one line saying what happened where, details in the attachment', () => {
    const { ack, result } = show('add_peer', get('success'));
    expect(ack.text).to.equal(`alice: adding peer 10.0.0.1 AS65100 at bma · execution ${ID}`);
    expect(result.text).to.equal('alice added peer 10.0.0.1 AS65100 at bma: bma-edge1 Established, bma-edge2 Established');
    expect(result.thread).to.equal(false);
    expect(result.attachment).to.contain('bma-edge2: peer 10.0.0.1 AS65100 added, session Established');
    expect(result.attachment).to.contain('*bma-edge1* config diff:\n```\n--- running');
    expect(result.attachment).to.contain('source of truth (file c0ffee1, committed):\n• bgp peer 10.0.0.1 AS65100 on bma-edge1');
    expect(result.attachment).to.not.contain('st2 execution get');
    expect(result.color).to.equal('good');
    expect(show('add_peer', get('partial failure')).result.color).to.equal('warning');
    for (const n of ['failure', 'refusal', 'crash (no document)']) expect(show('add_peer', get(n)).result.color, n).to.equal('danger');
  });

  it('dry run: says nothing was changed, in the ack and the result', () => {
    const { ack, result } = show('add_peer', get('dry run'));
    expect(ack.text).to.contain('(dry run: nothing will change)');
    expect(result.text).to.equal(':mag: alice, dry run: adding peer 10.0.0.1 AS65100 at bma — nothing was changed: bma-edge1 would change');
    expect(result.attachment).to.contain('would apply:');
  });

  it('partial failure: names the failed router, what to type next and where the whole output is', () => {
    const { result } = show('add_peer', get('partial failure'));
    expect(result.text).to.equal(':warning: alice: adding peer 10.0.0.1 AS65100 at bma partly failed: bma-edge1 Established, bma-edge2 UNREACHABLE');
    expect(result.attachment).to.contain('bma-edge2: UNREACHABLE: ssh: connect to host');
    expect(result.attachment).to.contain('next: `add peer in=bma ip=10.0.0.1 as=65100`');
    expect(result.attachment).to.match(new RegExp(`details: \`st2 execution get ${ID}\`$`));
  });

  it('stopped half way: the pending source-of-truth change, the warning and the recovery command', () => {
    const r = show('add_peer', get('stopped, left pending')).result;
    expect(r.text).to.equal(':x: alice: adding peer 10.0.0.1 AS65100 at bma was stopped: bma-edge1 FAILED');
    expect(r.attachment).to.contain(':warning: bma-edge1 may hold half the change until netops recover runs');
    expect(r.attachment).to.contain('source of truth (file t-42, pending):\n• bgp peer 10.0.0.1 AS65100 on bma-edge1');
    expect(r.attachment).to.contain('next: `netops recover in=bma`');
    expect(show('add_peer', get('unchanged')).result.attachment).to.contain(':warning: bma-edge1: the session is not Established yet');
  });

  it('failure and timeout', () => {
    expect(show('add_peer', get('failure')).result.text).to.equal(':x: alice: adding peer 10.0.0.1 AS65100 at bma failed: bma-edge1 FAILED');
    expect(show('add_peer', get('failure')).result.attachment).to.contain('rolled back');
    expect(show('add_peer', get('timeout')).result.text).to.equal(':x: alice: adding peer 10.0.0.1 AS65100 at bma timed out');
  });

  it('refusals say why and what to type; the access refusal says what the user lacks', () => {
    const r = show('add_peer', get('refusal')).result;
    expect(r.text).to.equal(":no_entry: alice: adding peer 10.0.0.1 AS65100 at xyz refused: unknown site 'xyz'; known sites: bma, gbg");
    expect(r.attachment).to.contain('next: `add peer in=bma ip=10.0.0.1 as=65100`');
    const d = show('add_peer', get('access denied')).result;
    expect(d.text).to.contain('refused: alice may not run add_peer in #noc (change tasks need a grant)');
    expect(d.attachment).to.contain('next: `ask a netops admin');
    expect(show('add_peer', get('busy')).result.text).to.contain('refused: bma-edge1 is being changed by carol');
    const e = show('add_peer', get('early refusal (entry script)')).result;
    expect(e.text).to.equal(':no_entry: alice: adding peer 10.0.0.1 AS65100 at bma refused: as: "x" is not an integer');
  });

  it('long output is cut with a pointer to the whole execution', () => {
    const r = show('add_peer', get('long diff')).result;
    expect(r.attachment!.length).to.be.lessThan(CUT.lines + CUT.diff + 600);
    expect(r.attachment).to.contain(`… cut; the whole result: \`st2 execution get ${ID}\``);
    expect(r.attachment).to.contain(`… cut; the whole diff: st2 execution get ${ID}`);
    expect(r.attachment).to.match(/\n```$/);
  });

  it('a run that printed no result document still says what happened and where to look', () => {
    const r = show('add_peer', get('crash (no document)')).result;
    expect(r.text).to.equal(':x: alice: adding peer 10.0.0.1 AS65100 at bma ended failed without a result document');
    expect(r.attachment).to.contain('Error: Cannot find module');
    expect(r.attachment).to.contain(`st2 execution get ${ID}`);
  });

  it('a task that answers from the source of truth keeps its whole answer (no head line to drop)', () => {
    const r = show('show_site', get('answer from the source of truth')).result;
    expect(r.text).to.equal('alice read the source of truth of bma');
    expect(r.attachment).to.equal('site bma (lab site bma): 1 router(s), 2 peering prefix(es), 0 peer(s)\n  router bma-edge1 frr AS65000 mgmt 192.0.2.2');
    expect(show('add_peer', get('success')).result.attachment!.split('\n')[0], 'the head line of a router task is dropped').to.equal('bma-edge1: peer 10.0.0.1 AS65100 added, session Established');
  });

  it('read tasks answer in a thread; change tasks in the channel, where everyone sees them', () => {
    for (const a of ALIASES) {
      const thread = a.result?.extra?.slack?.thread_response === true;
      expect(thread, a.name).to.equal(a.name.startsWith('show_'));
    }
    expect(show('show_peers', get('unchanged')).result.text).to.equal('alice read the BGP peers at bma: bma-edge1 unchanged');
  });
});
