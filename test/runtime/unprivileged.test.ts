/**
 * StackStorm runs actions as an unprivileged user (stanley). The generated entry script,
 * spawned as such a user (nobody, when these tests run as root), answers from the source of
 * truth, and a state directory it cannot create is a result document with what to do, never
 * a stack trace.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../support/lab.js';

const NOBODY = 65534;
const asUser = (argv: string[]) => (process.getuid?.() === 0 ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...argv] : argv);

describe('runtime: the entry script as an unprivileged user', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'netops-unpriv-'));
    chmodSync(dir, 0o755);
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const entry = (task: string, args: string[], env: Record<string, string>) =>
    execa(asUser([join(REPO, 'pack', 'actions', `${task}.mjs`), ...args])[0]!, asUser([join(REPO, 'pack', 'actions', `${task}.mjs`), ...args]).slice(1), { env: { NETOPS_CONFIG: join(REPO, 'lab', 'netops.yaml'), HOME: '/tmp', ...env }, reject: false });

  it('a state directory it cannot create gives a result document saying what to do', async () => {
    const r = await entry('show_site', ['--in=bma', '--chat_user=alice', '--chat_channel=noc'], { NETOPS_STATE_DIR: join(dir, 'root-only', 'state'), NETOPS_SOT_DIR: join(dir, 'sot') });
    if (process.getuid?.() === 0) chmodSync(dir, 0o755);
    const doc = JSON.parse(r.stdout);
    expect(r.exitCode).to.equal(3);
    expect(doc.error).to.match(/cannot create the state directory .*root-only\/state \(EACCES\) as user/);
    expect(doc.next).to.match(/install -d -o stanley/);
    expect(r.stderr).to.not.match(/\n\s+at /);
  });

  it('with a state directory of its own, it answers from the source of truth', async () => {
    const state = join(dir, 'state');
    await execa('install', ['-d', '-o', String(process.getuid?.() === 0 ? NOBODY : process.getuid?.()), state]);
    const r = await entry('show_site', ['--in=bma', '--chat_user=alice', '--chat_channel=noc'], { NETOPS_STATE_DIR: state, NETOPS_SOT_DIR: join(dir, 'sot') });
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).summary).to.match(/^site bma /);
  });
});
