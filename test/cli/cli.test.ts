/**
 * The terminal CLI as a user types it (the real `node dist/cli/netops.js`, a separate process):
 * strict flags with the closest one named, help on stdout for every command and task,
 * --version, EPIPE, and bad input refused with exit 2 before any lock or ansible-playbook.
 * No lab needed: everything here stops before a router would be reached; a recorder on
 * NETOPS_ANSIBLE_PLAYBOOK proves it.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO } from '../support/st2-schemas.js';

const CLI = join(REPO, 'dist', 'cli', 'netops.js');
let tmp = '';
const marker = () => join(tmp, 'ansible-playbook-was-run');
const env = () => ({ NETOPS_STATE_DIR: join(tmp, 'state'), NETOPS_ANSIBLE_PLAYBOOK: join(tmp, 'ansible-playbook'), NETOPS_USER: 'tester', NETOPS_LOCK_WAIT: '1' });
const netops = (...args: string[]) => execa('node', [CLI, ...args], { env: env(), reject: false, stdin: 'ignore' });

/** Exit 2, nothing run, no lock taken. */
function refusedUntouched(r: { exitCode?: number }): void {
  expect(r.exitCode).to.equal(2);
  expect(existsSync(marker()), 'ansible-playbook was not run').to.equal(false);
  const locks = join(tmp, 'state', 'locks');
  expect(existsSync(locks) ? readdirSync(locks) : [], 'no lock was taken').to.deep.equal([]);
}

const actions = () => readdirSync(join(REPO, 'pack', 'actions')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));

describe('netops CLI: flags, help, version, pipes', function () {
  this.timeout(60_000);
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'netops-cli-'));
    writeFileSync(join(tmp, 'ansible-playbook'), `#!/bin/sh\ntouch ${marker()}\nexit 1\n`, { mode: 0o755 });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('a mistyped flag is an error naming the flag to type instead: --dryrun makes no change', async () => {
    const r = await netops('add-peer', '--in', 'bma', '--ip', '10.0.0.1', '--as', '65100', '--dryrun');
    expect(r.stderr).to.contain('unknown flag --dryrun; did you mean --dry-run?');
    expect(r.stdout).to.equal('');
    refusedUntouched(r);
    const ip = await netops('add-peer', '--in', 'bma', '--ipp', '10.0.0.1', '--as', '65100');
    expect(ip.stderr).to.contain('unknown flag --ipp; did you mean --ip?');
    refusedUntouched(ip);
    const chat = await netops('chat', 'add peer in=bma ip=10.0.0.1 as=65100', '--dryrun');
    expect(chat.stderr).to.contain('did you mean --dry-run?');
    refusedUntouched(chat);
    const run = await netops('run', 'add-peer', 'in=bma', 'ip=10.0.0.1', 'as=65100', '--dry_run');
    expect(run.stderr).to.contain('did you mean --dry-run?');
    refusedUntouched(run);
  });

  it('build --chek does not build', async () => {
    const root = join(tmp, 'proj');
    cpSync(join(REPO, 'test', 'golden', 'types', 'src'), root, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '1.0.0' }));
    const r = await netops('build', '--chek', '--root', root);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain('unknown flag --chek; did you mean --check?');
    expect(existsSync(join(root, 'pack')), 'nothing written').to.equal(false);
  });

  it('a flag without its value, a stray argument and an unknown command exit 2 with what to type', async () => {
    const missing = await netops('add-peer', '--in');
    expect(missing.stderr).to.match(/--in <value>' argument missing/);
    refusedUntouched(missing);
    const stray = await netops('add-peer', 'bma');
    expect(stray.stderr).to.contain('unexpected argument "bma"; give values as --name value');
    refusedUntouched(stray);
    const cmd = await netops('add-per', '--in', 'bma');
    expect(cmd.stderr).to.contain("unknown command 'add-per'; did you mean add-peer?");
    expect(cmd.exitCode).to.equal(2);
    const top = await netops('--versoin');
    expect(top.stderr).to.contain('did you mean --version?');
    expect(top.exitCode).to.equal(2);
  });

  it('--version prints the package version', async () => {
    const r = await netops('--version');
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.equal(`netops ${(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version}`);
  });

  it('help goes to stdout, exit 0, for every command', async () => {
    for (const args of [['--help'], ['-h'], [], ['build', '--help'], ['chat', '--help'], ['run', '--help'], ['tasks', '--help'], ['parse-syslog', '--help'], ['bridge', '--help'], ['help', 'add-peer']]) {
      const r = await netops(...args);
      expect(r.exitCode, args.join(' ')).to.equal(0);
      expect(r.stdout, args.join(' ')).to.match(/usage:\s+netops/);
      expect(r.stderr, args.join(' ')).to.equal('');
    }
  });

  it('every task has --help listing each parameter with its type, limits and example, from its action metadata', async () => {
    expect(actions().length).to.be.greaterThan(3);
    for (const name of actions().filter((n) => n !== 'help' && n !== 'decide' && !n.endsWith('_approved'))) { // `netops help` is the CLI's own help; the chat help task answers in chat; decide and the approval workflows are StackStorm's (netops approve/deny in a terminal)
      const verb = name.replace(/_/g, '-');
      const meta = parse(readFileSync(join(REPO, 'pack', 'actions', `${name}.yaml`), 'utf8')) as { description: string; parameters: Record<string, { type?: string; immutable?: boolean; description?: string; enum?: string[]; maximum?: number }> };
      const r = await netops(verb, '--help');
      expect(r.exitCode, verb).to.equal(0);
      expect(r.stdout).to.contain(`netops ${verb}: ${meta.description}`);
      for (const [p, d] of Object.entries(meta.parameters)) {
        if (!d.type || d.immutable || p === 'dry_run' || p === 'approved_by' || p === 'approval_request') {
          expect(r.stdout, `${verb}: ${p} is not for the user to type`).to.not.contain(`--${p.replace(/_/g, '-')} <`);
          continue;
        }
        expect(r.stdout, `${verb} --${p}`).to.match(new RegExp(`--${p.replace(/_/g, '-')} <[^>]+>`));
        const ex = /Example: (.+?)\.?$/.exec(d.description ?? '')?.[1];
        if (ex) expect(r.stdout, `${verb} ${p} example`).to.contain(`e.g. ${/\s/.test(ex) ? JSON.stringify(ex) : ex}`);
        if (d.enum) expect(r.stdout).to.contain(`<${d.enum.join('|')}>`);
        if (d.maximum !== undefined) expect(r.stdout).to.contain(String(d.maximum));
      }
      expect(r.stdout).to.match(new RegExp(`examples:\\n  netops ${verb}`));
    }
    const add = await netops('add-peer', '--help');
    expect(add.stdout).to.match(/--ip <ipv4-unicast>\s+required\./);
    expect(add.stdout).to.contain('netops add-peer --in bma --ip 10.0.0.1 --as 65100');
    expect(add.stdout).to.contain('in chat: add peer in=bma ip=10.0.0.1 as=65100');
  });

  it('`netops tasks | head` ends quietly when the reader goes away (EPIPE)', async () => {
    for (const args of [['tasks'], ['add-peer', '--help']]) {
      const child = spawn('node', [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env() } });
      child.stdout.destroy(); // the reader is gone before the first line is written
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
      expect(err, args.join(' ')).to.not.match(/EPIPE|Error/);
      expect(code, args.join(' ')).to.equal(0);
    }
  });
});

describe('netops CLI: bad input refused before any lock or ansible-playbook (exit 2)', function () {
  this.timeout(60_000);
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'netops-cli-'));
    writeFileSync(join(tmp, 'ansible-playbook'), `#!/bin/sh\ntouch ${marker()}\nexit 1\n`, { mode: 0o755 });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const cases: [string[], RegExp][] = [
    [['add-peer', '--in', 'bma', '--ip', '127.0.0.1', '--as', '65100'], /ip: "127\.0\.0\.1" is a loopback address \(127\.0\.0\.0\/8\), e\.g\. ip=10\.0\.0\.1/],
    [['add-peer', '--in', 'bma', '--ip', '0.0.0.0', '--as', '65100'], /ip: "0\.0\.0\.0" is the unspecified address/],
    [['add-peer', '--in', 'bma', '--ip', '224.0.0.5', '--as', '65100'], /ip: "224\.0\.0\.5" is a multicast address/],
    [['add-peer', '--in', 'bma', '--ip', '255.255.255.255', '--as', '65100'], /ip: "255\.255\.255\.255" is the broadcast address/],
    [['remove-peer', '--in', 'bma', '--ip', '127.0.0.2'], /ip: "127\.0\.0\.2" is a loopback address/],
    [['add-peer', '--in', 'bma', '--ip', '10.0.0.9', '--as', '4294967296'], /as: 4294967296 is out of range 1–4294967295, e\.g\. as=65100/],
    [['add-peer', '--in', 'bma', '--ip', '10.0.0.9', '--as', '65100', '--description', 'why? #1 > 2'], /description: "why\? #1 > 2" contains '\?' '#' '>'/],
    [['add-peer', '--in', 'bma', '--ip', '10.0.0.9', '--as', '65100', '--description', '% Unknown command'], /description: "% Unknown command" contains 'Unknown command', which the router's CLI session would report as an error/],
    [['add-peer', '--in', 'bma', '--ip', '10.0.0.9', '--as', '65100', '--password', 'pa#ss'], /password: \(secret\) contains one of \? # >/],
    [['chat', 'add peer in=bma ip=10.0.0.9 as=abc'], /as: "abc" is not a whole number/],
    [['chat', 'add peer in=bma ip=10.0.0.9 as=99999999999'], /as: 99999999999 is out of range 1–4294967295/],
    [['run', 'add-peer', 'in=bma', 'ip=10.0.0.9', 'as=65100', 'descripton=x'], /descripton: not a parameter of this task \(did you mean description\?\); it takes in, ip, as, description, password, dry_run$/m],
  ];
  for (const [args, want] of cases) {
    it(args.join(' '), async () => {
      const r = await netops(...args);
      // a task command says it on stderr; `netops chat` shows the channel's answer (stdout)
      expect(args[0] === 'chat' ? r.stdout + r.stderr : r.stderr).to.match(want);
      refusedUntouched(r);
    });
  }

  it('never lists chat_user or chat_channel as something to type', async () => {
    const r = await netops('run', 'add-peer', 'in=bma', 'ip=10.0.0.9', 'as=65100', 'chat_user=eve');
    refusedUntouched(r);
    expect(r.stderr).to.match(/^add-peer refused: chat_user: not a parameter of this task; it takes in, ip, as, description, password, dry_run$/m);
    const entry = await execa('node', [join(REPO, 'pack', 'actions', 'add_peer.mjs'), '--in=bma', '--ip=10.0.0.9', '--as=65100', '--site=x'], { env: env(), reject: false });
    expect(entry.exitCode).to.equal(2);
    const doc = JSON.parse(entry.stdout) as { error: string };
    expect(doc.error).to.contain('site: not a parameter of this task');
    expect(doc.error).to.not.match(/chat_user|chat_channel/);
  });

  it('a 100 kB value is not echoed back: cut, with its length', async () => {
    const big = 'a'.repeat(100_000);
    for (const args of [['add-peer', '--in', 'bma', '--ip', '10.0.0.9', '--as', '65100', '--description', big], ['add-peer', '--in', 'bma', '--ip', big, '--as', '65100'], ['add-peer', '--in', 'bma', '--ip', '10.0.0.9', '--as', `1${'0'.repeat(5000)}x`]]) {
      const r = await netops(...args);
      refusedUntouched(r);
      expect(r.stderr.length, r.stderr.slice(0, 300)).to.be.below(600);
      expect(r.stderr).to.match(/…" \(\d+ characters\)/);
    }
  });
});
