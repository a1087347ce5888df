/** `netops parse-syslog`: the real command as a process, and called in-process with streams. */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import parseSyslogCommand from '../../cli/commands/parse-syslog.js';
import type { DeviceEvent } from '../../bridge/event.js';
import { REPO } from './fixtures.js';

const ENTRY = join(REPO, 'dist', 'cli', 'commands', 'parse-syslog.js');

function run(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [ENTRY, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

const INPUT = [
  '<30>Nov 24 22:39:17 bma-edge1 bgpd[14540]: [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.0.1(r2) in vrf default Down BGP Notification send',
  '<30>1 2026-11-24T22:38:23.659541+00:00 bma-edge1 bgpd 14540 - -  [N9HHH-F8H1M] %ADJCHANGE: neighbor 10.0.0.1(r2) in vrf default Up',
  '',
  'this is not syslog at all\r',
  '<189>Jul 20 21:44:00 vmx01 mgd[7729]: UI_COMMIT_COMPLETED: commit complete',
].join('\n');

describe('syslog CLI: netops parse-syslog', function () {
  this.timeout(30_000);

  it('prints one compact JSON event per input line, unrecognised ones included', async function () {
    const r = await run(['--json', '--ip', '10.200.1.2'], INPUT);
    expect(r.code, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).to.have.length(4);
    const events = lines.map((l) => JSON.parse(l) as DeviceEvent);
    expect(events.map((e) => e.error)).to.deep.equal(['BGP_NEIGHBOR_STATE_CHANGED', 'BGP_NEIGHBOR_STATE_CHANGED', null, 'CONFIGURATION_COMMIT_COMPLETED']);
    expect(events.map((e) => e.os)).to.deep.equal(['frr', 'frr', null, 'junos']);
    expect(events.every((e) => e.ip === '10.200.1.2')).to.equal(true);
    expect(events[0]).to.include({ peer: '10.0.0.1', state: 'Idle', level: 'critical', summary: 'bma-edge1: BGP neighbor 10.0.0.1 (r2) Established → Idle (BGP Notification send)' });
    expect(events[2]).to.include({ host: '10.200.1.2', summary: '10.200.1.2: this is not syslog at all', raw: 'this is not syslog at all' });
  });

  it('defaults the source address to 127.0.0.1 and accepts --ip=ADDR and --pretty', async function () {
    const a = await run([], INPUT.split('\n')[0]!);
    expect((JSON.parse(a.stdout) as DeviceEvent).ip).to.equal('127.0.0.1');
    const b = await run(['--pretty', '--ip=192.0.2.1'], INPUT.split('\n')[0]!);
    expect(b.stdout).to.match(/^\{\n {2}"id": "[0-9a-f]{40}",/);
    expect((JSON.parse(b.stdout) as DeviceEvent).ip).to.equal('192.0.2.1');
  });

  it('exits 2 on a bad argument, 0 on --help', async function () {
    const bad = await run(['--nope'], '');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/unknown flag --nope[\s\S]*usage: netops parse-syslog/);
    const help = await run(['--help'], '');
    expect(help.stdout, 'help goes to stdout').to.match(/^usage: netops parse-syslog/);
    expect((await run(['--help'], '')).code).to.equal(0);
    expect((await run(['--ip'], '')).code).to.equal(2);
  });

  it('exits 1 and shows located diagnostics when the profiles are broken', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'netops-bad-profiles-'));
    try {
      mkdirSync(join(dir, 'acme'));
      writeFileSync(join(dir, 'acme', '_prefix.yml'), "os: acme\nprefixes:\n  - shape: bsd\n    regex: '^(?<message>.*'\n");
      const r = await run(['--profiles', dir], 'x\n');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/acme\/_prefix\.yml:4:\d+: NP005 invalid regex/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs in-process on streams, with --stats on stderr', async function () {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = parseSyslogCommand(['--stats'], { stdin, stdout, stderr });
    stdin.end(INPUT);
    expect(await done).to.equal(0);
    expect(out.trim().split('\n')).to.have.length(4);
    expect(JSON.parse(err)).to.deep.include({ messages: 4, matched: 3, unknown: 1 });
  });

  it('keeps up with a large input (backpressure, no loss)', async function () {
    const n = 20_000;
    const r = await run(['--ip', '10.0.0.9'], `${Array.from({ length: n }, (_, i) => `<13>Jun 21 14:03:12 h app: line ${i}`).join('\n')}\n`);
    expect(r.code).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).to.have.length(n);
    expect((JSON.parse(lines[n - 1]!) as DeviceEvent).summary).to.equal(`h: app: line ${n - 1}`);
  });
});
