/**
 * The approval gate in the generated pack entry (pack/actions/add_peer.mjs), spawned with the
 * argv StackStorm builds: a chat run of a listed task is refused with what to type; the
 * workflow's apply with an approver who may not approve is refused; both before anything is
 * touched (no ansible-playbook is reachable here: NETOPS_ANSIBLE_PLAYBOOK=/bin/false).
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../support/lab.js';

const ENTRY = join(REPO, 'pack', 'actions', 'add_peer.mjs');

describe('approval gate in the pack entry (StackStorm argv)', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'netops-gate-'));
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    writeFileSync(join(dir, 'netops.yaml'), `access:
  channels: [noc]
  groups: {neteng: [alice, bob, mallory]}
  grants: [{who: ["@neteng"], tasks: [change], via: [chat]}]
  approvals: {tasks: [add_peer], approvers: [bob], ttl_minutes: 15}
`);
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });
  const run = async (extra: string[]) => {
    const r = await execa(ENTRY, ['--in=bma', '--ip=10.0.0.1', '--as=65100', '--chat_user=alice', '--chat_channel=noc', ...extra], {
      env: { NETOPS_CONFIG: join(dir, 'netops.yaml'), NETOPS_STATE_DIR: dir, NETOPS_SOT_DIR: join(dir, 'sot'), NETOPS_ANSIBLE_PLAYBOOK: '/bin/false' }, reject: false,
    });
    return { code: r.exitCode, doc: JSON.parse(String(r.stdout)) as Record<string, any> };
  };
  const site = () => readFileSync(join(dir, 'sot', 'sites', 'bma.yml'), 'utf8');

  it('a chat run of a listed task: refused before anything is touched, with the request command to type', async () => {
    const before = site();
    const { code, doc } = await run([]);
    expect(code).to.equal(2);
    expect(doc.status).to.equal('denied');
    expect(doc.error).to.contain("add peer needs a second person's approval").and.contain('one of bob approves it');
    expect(doc.next).to.equal('request add peer in=bma ip=10.0.0.1 as=65100');
    expect(doc.approval).to.deep.equal({ required: true, approvers: ['bob'], ttl_minutes: 15 });
    expect(doc.hosts).to.deep.equal([]);
    expect(site()).to.equal(before);
  });

  it('the workflow\'s apply with the requester or a non-approver as approved_by is refused too', async () => {
    for (const who of ['alice', 'mallory']) {
      const { code, doc } = await run([`--approved_by=${who}`, '--approval_request=5f1e2d3c4b5a69788796a5b4']);
      expect(code, who).to.equal(2);
      expect(doc.error, who).to.contain('the approval of 5f1e2d3c4b5a69788796a5b4 does not hold');
      expect(doc.hosts).to.deep.equal([]);
    }
  });

  it('a dry run (the workflow\'s plan step) passes the gate and says who may approve', async () => {
    const { doc } = await run(['--dry_run']);
    expect(doc.dry_run).to.equal(true);
    expect(doc.approval).to.deep.equal({ required: true, approvers: ['bob'], ttl_minutes: 15 });
    expect(doc.error ?? '').to.not.contain('approval');
  });
});
