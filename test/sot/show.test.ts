/** show site and show history: answered from the source of truth alone (no router is asked). */
import { expect } from 'chai';
import { execa } from 'execa';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../sot/file/store.js';
import { REPO } from '../support/lab.js';

const CLI = join(REPO, 'dist', 'cli', 'netops.js');

describe('sot: show site and show history', function () {
  this.timeout(60_000);
  let dir = '';
  const env = () => ({ NETOPS_STATE_DIR: join(dir, 'state'), NETOPS_SOT_DIR: join(dir, 'sot'), NETOPS_USER: 'tester', NETOPS_ANSIBLE_PLAYBOOK: '/nonexistent/no-router-is-asked' });
  const netops = async (args: string[]) => {
    const r = await execa('node', [CLI, ...args], { env: env(), reject: false });
    return { code: r.exitCode, out: r.stdout, err: r.stderr, doc: args.includes('--json') ? JSON.parse(r.stdout) : null };
  };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netops-show-'));
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    const store = new FileStore(join(dir, 'sot'));
    const plan = await store.plan({ kind: 'add_peer', site: 'bma', ip: '10.0.0.1', as: 65100, description: 'transit-a', routers: ['bma-edge1'] }, { user: 'alice', channel: 'noc', via: 'chat', command: 'add peer in=bma ip=10.0.0.1 as=65100' });
    await store.prepare(plan);
    await store.commit(plan);
    for (const [i, site] of ['bma', 'gbg', 'bma'].entries()) {
      await store.record({ id: `t${i}`, at: `2026-12-01T10:0${i}:00Z`, user: i ? 'bob' : 'alice', channel: 'noc', via: 'chat', task: 'add_peer', site, params: { in: site, ip: '10.0.0.1', as: 65100, password: '********' }, plan: [], status: 'changed', summary: '', txn: `t${i}` });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('show site lists routers, prefixes with used/free counts, and peers with who added them', async () => {
    const r0 = await netops(['chat', 'show site in=bma', '--json']);
    expect(r0.code, r0.err).to.equal(0);
    const r = { out: r0.doc.summary as string };
    expect(r.out).to.contain('site bma (lab site bma (bash lab/up.sh)): 1 router(s), 2 peering prefix(es), 1 peer(s)');
    expect(r.out).to.contain('router bma-edge1 frr AS65000 mgmt 192.0.2.2');
    expect(r.out).to.contain('prefix 10.0.0.0/30 1 used, 1 free (bma-edge1 to-peer1)');
    expect(r.out).to.match(/peer 10\.0\.0\.1 AS65100 "transit-a" on bma-edge1, added by alice \(chat\) 2026-/);
    const j = await netops(['show-site', '--in', 'bma', '--json']);
    expect(j.doc.data.prefixes[0]).to.include({ prefix: '10.0.0.0/30', used: 1, free: 1 });
    expect(j.doc.hosts).to.deep.equal([]);
  });

  it('show site of an unknown site says which exist', async () => {
    const r = await netops(['chat', 'show site nosuch']);
    expect(r.code).to.equal(2);
    expect(r.out).to.contain("unknown site 'nosuch'; known sites: bma, gbg");
  });

  it('show history: every site, one site, the last N; secrets stay masked', async () => {
    const all = await netops(['chat', 'show history', '--json']);
    expect(all.code, all.err).to.equal(0);
    expect(all.doc.data.entries.map((e: { id: string }) => e.id)).to.deep.equal(['t0', 't1', 't2']);
    const bma = await netops(['chat', 'show history of bma', '--json']);
    expect(bma.doc.summary.split('\n')).to.deep.equal([
      'history of bma: 2 entries',
      '2026-12-01T10:00:00Z alice in #noc (chat) add peer at bma ip=10.0.0.1 as=65100 password=********: changed',
      '2026-12-01T10:02:00Z bob in #noc (chat) add peer at bma ip=10.0.0.1 as=65100 password=********: changed',
    ]);
    const last = await netops(['chat', 'show history in=bma last=1', '--json']);
    expect(last.doc.data.entries.map((e: { id: string }) => e.id)).to.deep.equal(['t2']);
  });
});
