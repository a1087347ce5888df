/**
 * The access policy enforced by the runtime, before anything is touched: the generated entry
 * script with the argv StackStorm builds, a stand-in ansible-playbook that records any call
 * (none may happen), every refusal in the audit log.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { chmodSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../sot/file/store.js';
import { REPO } from '../support/lab.js';

describe('runtime: who may do what', function () {
  this.timeout(60_000);
  let dir = '';
  const called = () => join(dir, 'ansible-called');
  const env = (config: string) => ({ NETOPS_STATE_DIR: join(dir, 'state'), NETOPS_SOT_DIR: join(dir, 'sot'), NETOPS_CONFIG: join(dir, config), NETOPS_ANSIBLE_PLAYBOOK: join(dir, 'ansible-playbook') });
  const entry = async (task: string, args: string[], config = 'netops.yaml') => {
    const r = await execa(join(REPO, 'pack', 'actions', `${task}.mjs`), args, { env: env(config), reject: false });
    return { code: r.exitCode, doc: JSON.parse(r.stdout) as { status: string; error: string; next: string; hosts: unknown[] } };
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'netops-access-'));
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    writeFileSync(join(dir, 'ansible-playbook'), `#!/bin/sh\ntouch ${called()}\nexit 2\n`);
    chmodSync(join(dir, 'ansible-playbook'), 0o755);
    writeFileSync(join(dir, 'netops.yaml'), 'access:\n  channels: [noc]\n  groups: {neteng: [alice]}\n  grants:\n    - {who: ["@neteng"], tasks: [add_peer], channels: [noc]}\n');
    writeFileSync(join(dir, 'broken.yaml'), 'access:\n  grants: [{who: [alice]}]\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a user without a grant is refused, told what they lack, recorded; no router is touched', async () => {
    const r = await entry('add_peer', ['--in=bma', '--ip=10.0.0.1', '--as=65100', '--chat_user=mallory', '--chat_channel=noc']);
    expect(r.code).to.equal(2);
    expect(r.doc.status).to.equal('denied');
    expect(r.doc.error).to.match(/mallory may not run add_peer in #noc: the grants for add_peer name @neteng/);
    expect(r.doc.next).to.match(/access\.grants: \[\{who: \[mallory\], tasks: \[add_peer\], channels: \[noc\]\}\]/);
    expect(r.doc.hosts).to.deep.equal([]);
    expect(existsSync(called()), 'ansible-playbook never ran').to.equal(false);
    const h = await new FileStore(join(dir, 'sot')).history();
    expect(h.at(-1)).to.include({ user: 'mallory', channel: 'noc', via: 'chat', task: 'add_peer', status: 'denied' });
  });

  it('a channel netops does not listen in, a task not granted, a broken policy: refused', async () => {
    expect((await entry('add_peer', ['--in=bma', '--ip=10.0.0.1', '--as=65100', '--chat_user=alice', '--chat_channel=random'])).doc.error).to.match(/netops takes no commands in #random/);
    expect((await entry('remove_peer', ['--in=bma', '--ip=10.0.0.1', '--chat_user=alice', '--chat_channel=noc'])).doc.error).to.match(/alice may not run remove_peer in #noc/);
    const broken = await entry('show_site', ['--in=bma', '--chat_user=alice', '--chat_channel=noc'], 'broken.yaml');
    expect(broken.doc.status).to.equal('denied');
    expect(broken.doc.error).to.match(/access policy cannot be read: .*broken\.yaml: access\.grants\[0\] needs who and tasks/);
    expect(existsSync(called())).to.equal(false);
  });

  it('read tasks are open in the configured channels; the granted change goes on to the router', async () => {
    const read = await entry('show_site', ['--in=bma', '--chat_user=mallory', '--chat_channel=noc']);
    expect(read.code).to.equal(0);
    const ok = await entry('add_peer', ['--in=bma', '--ip=10.0.0.1', '--as=65100', '--chat_user=alice', '--chat_channel=noc']);
    expect(ok.doc.status).to.not.equal('denied');
    expect(existsSync(called()), 'the granted change reached ansible-playbook (the stand-in)').to.equal(true);
  });

  it('a terminal change is checked as the real OS user, whatever NETOPS_USER says', async () => {
    const r = await execa('node', [join(REPO, 'dist', 'cli', 'netops.js'), 'run', 'remove_peer', 'in=bma', 'ip=10.0.0.1', '--json'], { env: { ...env('netops.yaml'), NETOPS_USER: 'alice' }, reject: false });
    const doc = JSON.parse(r.stdout) as { status: string; error: string };
    expect(doc.status).to.equal('denied');
    expect(doc.error).to.match(/may not run remove_peer from a terminal/);
    expect(doc.error).to.not.match(/^alice /);
  });
});
