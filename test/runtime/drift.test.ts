/** show drift on the lab: neighbors added or removed by hand with vtysh show up against the source of truth. */
import { expect } from 'chai';
import { execa } from 'execa';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, useLab, vtysh } from '../support/lab.js';

const CLI = join(REPO, 'dist', 'cli', 'netops.js');

describe('show drift (lab)', function () {
  this.timeout(300_000);
  let dir = '';
  const env = () => ({ NETOPS_STATE_DIR: join(dir, 'state'), NETOPS_SOT_DIR: join(dir, 'sot'), NETOPS_USER: 'tester', NETOPS_LOCK_WAIT: '5' });
  const netops = async (args: string[]) => {
    const r = await execa('node', [CLI, ...args, '--json'], { env: env(), reject: false });
    return { code: r.exitCode, doc: JSON.parse(r.stdout) as { summary: string; data: { drift: { router: string; peer: string; kind: string }[] } }, err: r.stderr };
  };
  before(async function () {
    await useLab(this);
    dir = mkdtempSync(join(tmpdir(), 'netops-drift-'));
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    for (const ip of ['10.0.0.1', '10.0.0.5']) await netops(['run', 'remove_peer', 'in=bma', `ip=${ip}`]);
  });
  after(async () => {
    await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', 'no neighbor 10.0.0.5', 'no neighbor 10.0.0.1']).catch(() => '');
    rmSync(dir, { recursive: true, force: true });
  });

  it('no drift on a consistent site; a hand-added and a hand-removed neighbor are named with what to type', async () => {
    expect((await netops(['run', 'add_peer', 'in=bma', 'ip=10.0.0.1', 'as=65100'])).code).to.equal(0);
    const clean = await netops(['chat', 'show drift in=bma']);
    expect(clean.code, clean.err).to.equal(0);
    expect(clean.doc.data.drift).to.deep.equal([]);
    expect(clean.doc.summary).to.contain('no drift at bma');
    await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', 'no neighbor 10.0.0.1', 'neighbor 10.0.0.5 remote-as 65200']);
    const r = await netops(['chat', 'show drift in=bma']);
    expect(r.code, r.err).to.equal(0);
    expect(r.doc.data.drift.map((d) => [d.router, d.peer, d.kind])).to.deep.equal([['bma-edge1', '10.0.0.1', 'missing'], ['bma-edge1', '10.0.0.5', 'unexpected']]);
    expect(r.doc.summary).to.contain('bma-edge1: peer 10.0.0.1 AS65100 is recorded but not configured: add peer in=bma ip=10.0.0.1 as=65100');
    expect(r.doc.summary).to.contain('bma-edge1: peer 10.0.0.5 AS65200 is configured but not recorded (added by hand?)');
  });
});
