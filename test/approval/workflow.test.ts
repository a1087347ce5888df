/**
 * The approval workflows' logic, run by orquesta's own WorkflowConductor (test/approval/
 * orquesta_drive.py in .venv-orquesta): approve → apply; deny → nothing applied; timeout →
 * expired, recorded and said in the channel; a task no longer listed → applied without asking.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../support/lab.js';
import { skipOrFail } from '../support/lab.js';

const PY = join(REPO, '.venv-orquesta', 'bin', 'python');
const ID = '5f1e2d3c4b5a69788796a5b4';
interface Ran { task: string; action: string; input: Record<string, unknown> }
interface Drive { ran: Ran[]; paused_on: { task: string; workflow: string }[]; status: string; errors: unknown[] }

async function drive(task: string, outcomes: Record<string, unknown>, inputs: Record<string, unknown>): Promise<Drive> {
  const spec = readFileSync(join(REPO, 'pack', 'actions', 'workflows', `${task}_approved.yaml`), 'utf8');
  const r = await execa(PY, ['-W', 'ignore', join(REPO, 'test', 'approval', 'orquesta_drive.py')], {
    input: JSON.stringify({ spec, inputs: { ...inputs, chat_user: 'alice', chat_channel: 'noc' }, st2: { action_execution_id: ID, api_user: 'alice', source_channel: 'noc' }, outcomes }),
    env: { PYTHONDONTWRITEBYTECODE: '1' }, reject: false,
  });
  expect(r.exitCode, String(r.stderr) + String(r.stdout)).to.equal(0);
  return JSON.parse(String(r.stdout)) as Drive;
}

const planned = { result: { stdout: { summary: 'alice: add peer in bma (dry run, nothing changed)\n  would record 10.0.0.1 in IPAM', approval: { required: true, approvers: ['@leads', 'bob'], ttl_minutes: 15 } } } };
const PEER = { in: 'bma', ip: '10.0.0.1', as: 65100 };

describe('approval workflows, driven by orquesta', function () {
  this.timeout(60_000);
  before(function () { if (!existsSync(PY)) skipOrFail(this, 'no .venv-orquesta: run bash scripts/venv-orquesta.sh'); });

  it('approve: plan (dry run), the plan posted with the request id and approvers, core.ask pauses the workflow, then the change applied with the approver', async () => {
    const d = await drive('add_peer', { plan: planned, ask: { pending: true, result: { response: { approved: true, approver: 'bob', reason: 'INC-1' } } }, apply: { result: { stdout: { summary: 'alice: add peer in bma\n  bma-edge1: Established' } } } }, { ...PEER, description: 'transit-a' });
    expect(d.errors).to.deep.equal([]);
    expect(d.ran.map((r) => r.task)).to.deep.equal(['plan', 'announce', 'ask', 'apply', 'applied']);
    expect(d.ran[0]).to.deep.equal({ task: 'plan', action: 'netops.add_peer', input: { ...PEER, description: 'transit-a', dry_run: true } });
    const msg = String(d.ran[1]!.input.message);
    expect(d.ran[1]!.input.channel).to.equal('noc');
    expect(msg).to.contain(`alice asks to add peer — request ${ID} waits for one of @leads, bob (15 min)`).and.contain('would record 10.0.0.1 in IPAM').and.contain(`approve ${ID}`).and.contain(`deny ${ID}`);
    expect(d.ran[2]!.action).to.equal('core.ask');
    expect(d.ran[2]!.input.ttl).to.equal(15);
    expect(d.ran[2]!.input).to.not.have.property('users');
    expect(Object.keys((d.ran[2]!.input.schema as { properties: object }).properties)).to.deep.equal(['approved', 'approver', 'reason']);
    expect(d.paused_on).to.deep.equal([{ task: 'ask', workflow: 'paused' }]);
    expect(d.ran[3]).to.deep.equal({ task: 'apply', action: 'netops.add_peer', input: { ...PEER, description: 'transit-a', approved_by: 'bob', approval_request: ID } });
    expect(String(d.ran[4]!.input.message)).to.contain('approved by bob').and.contain('bma-edge1: Established');
    expect(d.status).to.equal('succeeded');
  });

  it('deny: no apply, the channel is told who denied and why, nothing changed', async () => {
    const d = await drive('add_peer', { plan: planned, ask: { pending: true, result: { response: { approved: false, approver: 'bob', reason: 'not in the window' } } } }, PEER);
    expect(d.ran.map((r) => r.task)).to.deep.equal(['plan', 'announce', 'ask', 'denied']);
    expect(d.ran.filter((r) => r.action === 'netops.add_peer').map((r) => r.input.dry_run)).to.deep.equal([true]);
    expect(d.ran[3]!.input.message).to.equal(`:no_entry: request ${ID} (add peer by alice) denied by bob: not in the window — nothing was changed`);
    expect(d.status).to.equal('succeeded');
  });

  it('timeout: no apply, the expiry recorded (netops.decide decision=expire) and said in the channel', async () => {
    const d = await drive('remove_peer', { plan: planned, ask: { pending: true, status: 'timeout' } }, { in: 'bma', ip: '10.0.0.1' });
    expect(d.ran.map((r) => r.task)).to.deep.equal(['plan', 'announce', 'ask', 'expired', 'expired_post']);
    expect(d.ran[3]).to.deep.equal({ task: 'expired', action: 'netops.decide', input: { request: ID, decision: 'expire' } });
    expect(d.ran[4]!.input.message).to.equal(`:hourglass: request ${ID} (remove peer by alice) expired after 15 min without a decision — nothing was changed`);
    expect(d.ran.some((r) => r.task === 'apply')).to.equal(false);
  });

  it('a refused plan (e.g. access denied, IPAM conflict) is posted and the workflow fails; a task not listed in approvals applies without asking', async () => {
    const refused = await drive('add_peer', { plan: { status: 'failed', result: { stdout: { summary: 'alice: add peer refused: 10.0.0.1 is taken' } } } }, PEER);
    expect(refused.ran.map((r) => r.task)).to.deep.equal(['plan', 'plan_failed']);
    expect(refused.ran[1]!.input.message).to.equal('alice: add peer refused: 10.0.0.1 is taken');
    expect(refused.status).to.equal('failed');
    const open = await drive('set_interface', { plan: { result: { stdout: { summary: 'x', approval: { required: false, approvers: [], ttl_minutes: 60 } } } } }, { in: 'bma', name: 'eth1', state: 'down' });
    expect(open.ran.map((r) => r.task)).to.deep.equal(['plan', 'apply', 'applied']);
    expect(open.ran[1]!.input).to.deep.equal({ in: 'bma', name: 'eth1', state: 'down', approved_by: '', approval_request: ID });
  });
});
