/** `netops parse-syslog`: the real command as a process, and called in-process with streams. */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import parseSyslogCommand, { type ParseSyslogTuning } from '../../cli/commands/parse-syslog.js';
import type { DeviceEvent } from '../../bridge/event.js';
import { captureLines, corpusFixtures, ownFixtures, REPO } from './fixtures.js';

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

  describe('worker threads', function () {
    /** Run in-process with the given split; stdout as bytes, stderr as text. */
    async function inProcess(args: string[], input: Buffer, tuning: ParseSyslogTuning): Promise<{ code: number; out: Buffer; err: string }> {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: Buffer[] = [];
      let err = '';
      stdout.on('data', (d: Buffer) => out.push(d));
      stderr.on('data', (d: Buffer) => (err += d.toString()));
      const done = parseSyslogCommand(args, { stdin, stdout, stderr }, tuning);
      // fed in odd-sized pieces, so that chunks split lines, CR LF pairs and UTF-8 sequences
      for (let i = 0; i < input.length; i += 7919) stdin.write(input.subarray(i, i + 7919));
      stdin.end();
      const code = await done;
      return { code, out: Buffer.concat(out), err };
    }

    /** Every message the tests know, odd lines among them: CR LF, CR, blanks, bad UTF-8, non-Latin-1, a long line. */
    function mixedInput(): Buffer {
      const lines = [...corpusFixtures(), ...ownFixtures()].map((f) => f.raw.replace(/[\r\n]+/g, ' ')).concat(captureLines());
      const parts: Buffer[] = [];
      lines.forEach((l, i) => parts.push(Buffer.from(l), Buffer.from(['\n', '\r\n', '\r', '\n\n', '\n  \n'][i % 5]!)));
      parts.push(Buffer.from('<13>Jun 21 14:03:12 h app: bad \xff\xfe utf-8 '), Buffer.from([0xe2, 0x82, 0x0a]));
      parts.push(Buffer.from('<13>Jun 21 14:03:12 h app: → “quotes” \\ back\\slash \u2028 sep\n'), Buffer.from(`<13>Jun 21 14:03:12 h app: ${'x'.repeat(20_000)}\n`));
      parts.push(Buffer.from('<13>Jun 21 14:03:12 h app: last line without a line break'));
      return Buffer.concat(parts);
    }

    /** Events with the receipt-time fields (id, time, timestamp) taken out; each line checked to be JSON.stringify's text. */
    function events(out: Buffer, pretty = false): unknown[] {
      const texts = out.toString('utf8').split(pretty ? '\n\n' : '\n').filter((t) => t !== '');
      return texts.map((t) => {
        const e = JSON.parse(t) as Record<string, unknown>;
        expect(pretty ? JSON.stringify(e, null, 2) : JSON.stringify(e)).to.equal(t);
        delete e.id;
        delete e.time;
        delete e.timestamp;
        return e;
      });
    }

    it('gives the same events in the same order as the main thread, with the same --stats', async function () {
      const input = mixedInput();
      const inline = await inProcess(['--stats', '--ip', '10.0.0.7'], input, { workers: 0 });
      expect(inline.code, inline.err).to.equal(0);
      const expected = events(inline.out);
      expect(expected.length).to.be.greaterThan(200);
      for (const workers of [1, 2]) {
        const r = await inProcess(['--stats', '--ip', '10.0.0.7'], input, { workers, batchBytes: 16 * 1024 });
        expect(r.code, r.err).to.equal(0);
        expect(events(r.out), `${workers} worker(s)`).to.deep.equal(expected);
        expect(r.err, 'the counters, keys in the same order').to.equal(inline.err);
      }
      const pretty = await inProcess(['--pretty'], input, { workers: 2, batchBytes: 16 * 1024 });
      expect(events(pretty.out, true)).to.deep.equal(events((await inProcess(['--pretty'], input, { workers: 0 })).out, true));
    });

    it('exits 1 with the located diagnostics when the profiles are broken', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'netops-bad-profiles-'));
      try {
        mkdirSync(join(dir, 'acme'));
        writeFileSync(join(dir, 'acme', '_prefix.yml'), "os: acme\nprefixes:\n  - shape: bsd\n    regex: '^(?<message>.*'\n");
        const inline = await inProcess(['--profiles', dir], Buffer.from('x\n'), { workers: 0 });
        const r = await inProcess(['--profiles', dir], Buffer.from('x\n'), { workers: 2 });
        expect(r.code).to.equal(1);
        expect(r.out.length).to.equal(0);
        expect(r.err).to.equal(inline.err).and.match(/acme\/_prefix\.yml:4:\d+: NP005 invalid regex[\s\S]*1 problem\(s\) in the device profiles/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('uses them by itself for an input over 1 MiB (as a process)', async function () {
      const line = '<13>Jun 21 14:03:12 h app: line';
      const n = 40_000;
      const r = await run(['--ip', '10.0.0.9'], `${Array.from({ length: n }, (_, i) => `${line} ${i}`).join('\n')}\n`);
      expect(r.code, r.stderr).to.equal(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines).to.have.length(n);
      expect(lines.map((l) => (JSON.parse(l) as DeviceEvent).raw)).to.deep.equal(Array.from({ length: n }, (_, i) => `${line} ${i}`));
    });
  });
});
