/**
 * The terminal side of a second pair of eyes (StackStorm down), with real OS users: each
 * command is spawned with the uid/gid of a test user (useradd), so the identity netops checks
 * is what os.userInfo() returns in that process; nothing reads NETOPS_USER or --user for it.
 * Creating users and switching uid needs root (CI runs as root); elsewhere the suite skips
 * (skipOrFail: never silently under CI). The last case applies an approved change on the lab.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, skipOrFail, useLab, vtysh } from './lab.js';

const CLI = join(REPO, 'dist', 'cli', 'netops.js');
const GROUP = 'netops-t';
const USERS = { alice: 'netops-t-alice', bob: 'netops-t-bob', mal: 'netops-t-mal' } as const;
type Who = keyof typeof USERS | 'root';
const ids: Record<string, { uid: number; gid: number }> = {};

async function ensureUsers(): Promise<void> {
  await execa('groupadd', ['-f', GROUP]);
  for (const u of Object.values(USERS)) {
    if ((await execa('id', ['-u', u], { reject: false })).exitCode !== 0) await execa('useradd', ['-M', '-g', GROUP, '-s', '/usr/sbin/nologin', u]);
    ids[u] = { uid: Number((await execa('id', ['-u', u])).stdout), gid: Number((await execa('id', ['-g', u])).stdout) };
  }
}

/** The suite; test/approval/terminal.test.ts runs it off the lab, test/lab/approval.test.ts on it (under the lab lock). */
export function approvalSuite(opts: { lab: boolean }) {
describe(`terminal approvals${opts.lab ? ' on the lab' : ''}: pending requests decided by another OS user`, function () {
  this.timeout(opts.lab ? 600_000 : 120_000);
  let dir = '';
  // Off the lab nothing may reach a router, even through a bug in the gate: no ansible-playbook.
  const guard: Record<string, string> = opts.lab ? {} : { NETOPS_ANSIBLE_PLAYBOOK: '/bin/false' };
  const config = (approvers: string) => `access:
  channels: [noc]
  grants: [{who: ["*"], tasks: ["*"], via: [terminal]}]
  approvals: {tasks: [add_peer], approvers: [${approvers}], break_glass: [${USERS.mal}], ttl_minutes: 5}
`;
  const env = () => ({ NETOPS_CONFIG: join(dir, 'netops.yaml'), NETOPS_STATE_DIR: dir, NETOPS_SOT_DIR: join(dir, 'sot'), HOME: dir, NETOPS_LOCK_WAIT: '1', NETOPS_USER: 'someone-else', ...guard });
  const as = (who: Who, args: string[]) => execa('node', [CLI, ...args], { env: env(), reject: false, ...(who === 'root' ? {} : ids[USERS[who]]), cwd: dir });
  const history = () => readFileSync(join(dir, 'sot', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  const pending = () => (existsSync(join(dir, 'approvals')) ? readdirSync(join(dir, 'approvals')) : []).map((f) => f.replace(/\.json$/, ''));
  const site = () => readFileSync(join(dir, 'sot', 'sites', 'bma.yml'), 'utf8');
  const request = async (who: Who = 'alice', ip = '10.0.0.1', asn = 65109) => {
    const r = await as(who, ['add-peer', '--in', 'bma', '--ip', ip, '--as', String(asn)]);
    expect(r.exitCode, r.stderr).to.equal(2);
    const id = /netops approve (r-[0-9a-f]{8})/.exec(r.stderr)?.[1];
    expect(id, r.stderr).to.be.a('string');
    return { id: id!, r };
  };

  before(async function () {
    if (process.getuid?.() !== 0) skipOrFail(this, 'running commands as other OS users needs root (useradd, setuid)');
    await ensureUsers();
    if (opts.lab) await useLab(this);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netops-approvals-'));
    chmodSync(dir, 0o777);
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    writeFileSync(join(dir, 'sot', 'history.jsonl'), '', { mode: 0o666 });
    chmodSync(join(dir, 'sot', 'history.jsonl'), 0o666);
    writeFileSync(join(dir, 'netops.yaml'), config(`${USERS.bob}, root`), { mode: 0o644 });
  });
  afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  if (!opts.lab) {
  it('a listed change files a request owned by the requester and says exactly what the approver types; nothing changed', async () => {
    const before = site();
    const { id, r } = await request();
    expect(r.stderr).to.contain(`${USERS.alice}: add peer in bma needs a second person's approval; nothing was changed.`);
    expect(r.stderr).to.contain('would record BGP peer 10.0.0.1 AS65109 on bma-edge1').and.contain('neighbor 10.0.0.1 remote-as 65109');
    expect(r.stderr).to.contain(`an approver (${USERS.bob}, root; not ${USERS.alice}) types:  netops approve ${id}`).and.contain(`netops deny ${id} [reason]`);
    expect(pending()).to.deep.equal([id]);
    expect(JSON.parse(readFileSync(join(dir, 'approvals', `${id}.json`), 'utf8'))).to.include({ requester: USERS.alice, uid: ids[USERS.alice]!.uid, task: 'add_peer' });
    expect(site()).to.equal(before);
    expect(history().at(-1)).to.include({ user: USERS.alice, status: 'approval-requested', via: 'terminal' });
  });

  it('the requester cannot approve their own change; an approver outside the list is refused; the request stays open', async () => {
    const { id } = await request();
    const own = await as('alice', ['approve', id]);
    expect(own.exitCode).to.equal(2);
    expect(own.stderr).to.contain(`asked for this add_peer and cannot approve it too; the request stays open`);
    const out = await as('mal', ['approve', id]);
    expect(out.exitCode).to.equal(2);
    expect(out.stderr).to.contain(`${USERS.mal} is not an approver for add_peer`);
    expect(pending()).to.deep.equal([id]);
    expect(history().slice(-2).map((h) => [h.user, h.status])).to.deep.equal([[USERS.alice, 'approve-refused'], [USERS.mal, 'approve-refused']]);
  });

  it('deny: recorded with who and why, the request is gone, the source of truth untouched', async () => {
    const before = site();
    const { id } = await request();
    const d = await as('bob', ['deny', id, 'not in the change window']);
    expect(d.exitCode, d.stderr).to.equal(0);
    expect(d.stdout).to.equal(`${USERS.bob} denied ${USERS.alice}'s add peer in bma (request ${id}: not in the change window); nothing was changed`);
    expect(pending()).to.deep.equal([]);
    expect(site()).to.equal(before);
    expect(history().at(-1)).to.deep.include({ user: USERS.bob, status: 'denied', params: { request: id, requester: USERS.alice, reason: 'not in the change window' } });
    expect((await as('bob', ['approve', id])).stderr).to.contain(`no pending request ${id}`);
  });

  it('timeout: an expired request is aborted, recorded, and cannot be approved', async () => {
    const { id } = await request();
    const f = join(dir, 'approvals', `${id}.json`);
    // time passing: the request's expiry moved into the past (root keeps the requester as owner)
    writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), expires: new Date(Date.now() - 1000).toISOString() }));
    const a = await as('bob', ['approve', id]);
    expect(a.exitCode).to.equal(2);
    expect(a.stderr).to.contain(`request ${id} (${USERS.alice}'s add peer in bma) expired at`).and.contain('nothing was changed');
    expect(pending()).to.deep.equal([]);
    expect(history().at(-1)).to.include({ user: USERS.bob, status: 'expired' });
  });

  it('a request filed in another user\'s name is refused; a site changed since the plan is refused', async () => {
    const { id } = await request();
    const f = join(dir, 'approvals', `${id}.json`);
    const forged = { ...JSON.parse(readFileSync(f, 'utf8')), id: 'r-00000000', requester: USERS.bob };
    await execa('sh', ['-c', `cat > ${join(dir, 'approvals', 'r-00000000.json')}`], { input: JSON.stringify(forged), ...ids[USERS.mal] });
    expect((await as('root', ['approve', 'r-00000000'])).stderr).to.contain('it was not filed by its requester');
    writeFileSync(join(dir, 'sot', 'sites', 'bma.yml'), site().replace('description: lab site bma (bash lab/up.sh)', 'description: changed since the plan'), 'utf8');
    const a = await as('root', ['approve', id]);
    expect(a.exitCode, a.stderr + a.stdout).to.equal(2);
    expect(a.stderr).to.contain('changed in the source of truth since request').and.contain('ask again: ');
  });

  it('break-glass: refused for a user not named in break_glass (recorded); no reason is refused too', async () => {
    const r = await as('bob', ['add-peer', '--in', 'bma', '--ip', '10.0.0.1', '--as', '65109', '--break-glass', 'INC-9']);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain(`${USERS.bob} may not break glass for add_peer`);
    expect(history().at(-1)).to.include({ user: USERS.bob, status: 'break-glass-refused' });
    const nr = await as('mal', ['add-peer', '--in', 'bma', '--ip', '10.0.0.1', '--as', '65109', '--break-glass', ' ']);
    expect(nr.stderr).to.contain('--break-glass needs a reason');
    // a request would hold a secret in clear: not filed
    const sec = await as('alice', ['add-peer', '--in', 'bma', '--ip', '10.0.0.1', '--as', '65109', '--password', 'S3cret-md5']);
    expect(sec.exitCode).to.equal(2);
    expect(sec.stderr).to.contain('with a secret parameter cannot wait for approval in a terminal').and.not.contain('S3cret-md5');
    expect(pending()).to.deep.equal([]);
  });
  }
  if (opts.lab) {
    it('approve applies the recorded request: the router shows the neighbour, the store has the peer; break-glass announced', async () => {
      const { id } = await request('alice', '10.0.0.1', 65100);
      const a = await as('root', ['approve', id, 'INC-1']);
      expect(a.exitCode, a.stderr + a.stdout).to.equal(0);
      expect(a.stdout).to.contain(`approved by root (request ${id})`);
      expect(await vtysh('bma-edge1', 'show running-config')).to.contain('neighbor 10.0.0.1 remote-as 65100');
      expect(site()).to.match(/ip: 10\.0\.0\.1[\s\S]*as: 65100|as: 65100[\s\S]*ip: 10\.0\.0\.1/);
      expect(history().slice(-2).map((h) => h.status)).to.deep.equal(['approved', 'changed']);
      expect(history().at(-1)!.summary).to.contain(`approved by root (request ${id})`);
      // undo (remove_peer is not listed) and break glass on the way back in: announced on stderr and in the audit log
      expect((await as('root', ['remove-peer', '--in', 'bma', '--ip', '10.0.0.1'])).exitCode).to.equal(0);
      writeFileSync(join(dir, 'netops.yaml'), config(`${USERS.bob}`).replace(`break_glass: [${USERS.mal}]`, 'break_glass: [root]'));
      const bg = await as('root', ['add-peer', '--in', 'bma', '--ip', '10.0.0.1', '--as', '65100', '--break-glass', 'INC-2 no approver reachable']);
      expect(bg.exitCode, bg.stderr).to.equal(0);
      expect(bg.stderr).to.contain('BREAK GLASS by root: INC-2 no approver reachable').and.contain('recorded in the audit log');
      expect(history().slice(-2).map((h) => h.status)).to.deep.equal(['break-glass', 'changed']);
      expect((await as('root', ['remove-peer', '--in', 'bma', '--ip', '10.0.0.1'])).exitCode).to.equal(0);
    });

  }
});
}
