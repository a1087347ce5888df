/**
 * netops.decide, the generated pack entry spawned as StackStorm spawns it, against a small
 * real HTTP server standing in for StackStorm's API (StackStorm cannot run here): it records
 * every request. Checked: the exact URLs, the X-Auth-Token header, the Inquiry answer body;
 * nothing is sent to /inquiries when the approver is refused; every decision in the audit log.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../support/lab.js';

const ENTRY = join(REPO, 'pack', 'actions', 'decide.mjs');
const WF = '5f1e2d3c4b5a69788796a5b4';
const ASK = '5f1e2d3c4b5a69788796a5b5';
const TOKEN = 'tok-4b1d';
const CONFIG = `access:
  channels: [noc]
  groups: {neteng: [alice, bob, mallory], leads: [erin]}
  grants: [{who: ["@neteng"], tasks: [change]}]
  approvals: {tasks: [add_peer], approvers: ["@leads", bob], ttl_minutes: 15}
`;
interface Seen { method: string; url: string; token: string | undefined; body: unknown }

describe('netops.decide against a stand-in for the StackStorm API', function () {
  this.timeout(60_000);
  let dir = '';
  let server: Server;
  let seen: Seen[] = [];
  let base = '';
  const body = (req: IncomingMessage) => new Promise<string>((res) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => res(b)); });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netops-decide-'));
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    writeFileSync(join(dir, 'netops.yaml'), CONFIG);
    server = createServer(async (req, res) => {
      const text = await body(req);
      seen.push({ method: req.method!, url: req.url!, token: req.headers['x-auth-token'] as string | undefined, body: text ? JSON.parse(text) : null });
      const json = (code: number, d: unknown) => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(d)); };
      if (req.method === 'GET' && req.url === `/v1/executions/${WF}`) return json(200, { id: WF, status: 'paused', action: { ref: 'netops.add_peer_approved' }, parameters: { in: 'bma', ip: '10.0.0.9', as: 65109 }, context: { api_user: 'alice', source_channel: 'noc' } });
      if (req.method === 'GET' && req.url === `/v1/executions?parent=${WF}&action=core.ask&status=pending`) return json(200, [{ id: ASK, status: 'pending', action: { ref: 'core.ask' }, parent: WF }]);
      if (req.method === 'PUT' && req.url === `/v1/inquiries/${ASK}`) return json(200, { id: ASK, response: (JSON.parse(text) as { response: unknown }).response });
      return json(404, { faultstring: `no ${req.url}` });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  after(() => { server?.close(); if (dir) rmSync(dir, { recursive: true, force: true }); });
  beforeEach(() => { seen = []; });

  const decide = async (user: string, decision: string, reason = '') => {
    const argv = [`--request=${WF}`, `--decision=${decision}`, ...(reason ? [`--reason=${reason}`] : []), `--chat_user=${user}`, '--chat_channel=noc'];
    const r = await execa(ENTRY, argv, { env: { ST2_ACTION_API_URL: base, ST2_ACTION_AUTH_TOKEN: TOKEN, NETOPS_CONFIG: join(dir, 'netops.yaml'), NETOPS_STATE_DIR: dir, NETOPS_SOT_DIR: join(dir, 'sot') }, reject: false });
    return { code: r.exitCode, doc: JSON.parse(String(r.stdout)) as { status: string; summary: string; next: string | null } };
  };
  const history = () => existsSync(join(dir, 'sot', 'history.jsonl')) ? readFileSync(join(dir, 'sot', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>) : [];

  it('an approver: reads the request from the workflow execution, finds its pending core.ask, answers it, records the approval', async () => {
    const { code, doc } = await decide('bob', 'approve', 'INC-7');
    expect(code).to.equal(0);
    expect(doc.summary).to.equal(`bob approved alice's add peer in bma (request ${WF}: INC-7); applying it now`);
    expect(seen).to.deep.equal([
      { method: 'GET', url: `/v1/executions/${WF}`, token: TOKEN, body: null },
      { method: 'GET', url: `/v1/executions?parent=${WF}&action=core.ask&status=pending`, token: TOKEN, body: null },
      { method: 'PUT', url: `/v1/inquiries/${ASK}`, token: TOKEN, body: { id: ASK, response: { approved: true, approver: 'bob', reason: 'INC-7' } } },
    ]);
    const last = history().at(-1)!;
    expect(last).to.include({ user: 'bob', via: 'chat', channel: 'noc', task: 'add_peer', site: 'bma', status: 'approved' });
    expect(last.params).to.deep.equal({ request: WF, requester: 'alice', reason: 'INC-7' });
  });

  it('deny with a reason: the Inquiry gets approved=false and the reason', async () => {
    const { code, doc } = await decide('erin', 'deny', 'not in the change window');
    expect(code).to.equal(0);
    expect(doc.summary).to.contain('erin denied alice\'s add peer in bma').and.contain('nothing will be changed');
    expect(seen.at(-1)).to.deep.equal({ method: 'PUT', url: `/v1/inquiries/${ASK}`, token: TOKEN, body: { id: ASK, response: { approved: false, approver: 'erin', reason: 'not in the change window' } } });
    expect(history().at(-1)).to.include({ user: 'erin', status: 'denied' });
  });

  it('the requester cannot approve their own change: told why, nothing sent to /inquiries, refusal recorded', async () => {
    const { code, doc } = await decide('alice', 'approve');
    expect(code).to.equal(2);
    expect(doc.summary).to.equal(`alice cannot approve ${WF}: alice asked for this add_peer and cannot approve it too; the request stays open`);
    expect(doc.next).to.equal('ask one of @leads, bob to approve it');
    expect(seen.map((s) => `${s.method} ${s.url}`)).to.deep.equal([`GET /v1/executions/${WF}`]);
    expect(history().at(-1)).to.include({ user: 'alice', status: 'approve-refused' });
  });

  it('an approver outside the list is refused, the Inquiry stays open', async () => {
    const { code, doc } = await decide('mallory', 'approve');
    expect(code).to.equal(2);
    expect(doc.summary).to.contain('mallory is not an approver for add_peer');
    expect(seen.some((s) => s.method === 'PUT')).to.equal(false);
    expect(history().at(-1)).to.include({ user: 'mallory', status: 'approve-refused' });
  });

  it('the workflow\'s own expire: recorded with the requester, no Inquiry answered', async () => {
    const { code, doc } = await decide('alice', 'expire');
    expect(code).to.equal(0);
    expect(doc.summary).to.equal(`request ${WF} (alice's add peer in bma) expired after 15 min without a decision; nothing was changed`);
    expect(seen.some((s) => s.method === 'PUT')).to.equal(false);
    expect(history().at(-1)).to.include({ status: 'expired', task: 'add_peer' });
  });

  it('no API URL (not run by StackStorm): refused with what is missing, exit 3', async () => {
    const r = await execa(ENTRY, [`--request=${WF}`, '--decision=approve', '--chat_user=bob', '--chat_channel=noc'], { env: { ST2_ACTION_API_URL: '', NETOPS_CONFIG: join(dir, 'netops.yaml'), NETOPS_STATE_DIR: dir, NETOPS_SOT_DIR: join(dir, 'sot') }, reject: false });
    expect(r.exitCode).to.equal(3);
    expect(String(r.stdout)).to.contain('ST2_ACTION_API_URL is not set');
  });
});
