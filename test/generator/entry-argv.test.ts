/**
 * Every parameter type reaches the task with exactly its value when StackStorm's
 * local-shell-script runner passes it: the generated entry script of the `types` golden
 * case is spawned through /bin/sh with the command line st2 builds (test/support/st2_command.py,
 * real Python str() and shlex.quote), and decodes what it got (NETOPS_DECODE_ONLY=1).
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { buildPack } from '../../generator/build.js';
import { writePack } from '../../generator/write.js';
import { REPO } from '../support/st2-schemas.js';

let packDir = '';
let meta: { parameters: Record<string, Record<string, unknown>> };

async function st2Run(values: Record<string, unknown>): Promise<{ params: Record<string, unknown>; command: string }> {
  const entry = join(packDir, 'actions', 'all_types.mjs');
  const { stdout: command } = await execa('python3', [join(REPO, 'test', 'support', 'st2_command.py')], { input: JSON.stringify({ entry, parameters: meta.parameters, values }) });
  // What the runner does: chmod +x ENTRY; ENTRY args (shell=True)
  const res = await execa('/bin/sh', ['-c', `chmod +x ${entry}; ${command}`], { env: { NETOPS_DECODE_ONLY: '1' }, reject: false });
  expect(res.exitCode, res.stderr + res.stdout).to.equal(0);
  return { params: (JSON.parse(res.stdout) as { params: Record<string, unknown> }).params, command };
}

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

/** What the task must receive: false/None/"" never arrive; defaults do; secrets compared by digest. */
function expected(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { chat_user: 'chatuser', chat_channel: 'ops', note: 'none', retries: 3 };
  for (const [k, v] of Object.entries(values)) {
    if (v === false || v === null || v === '') { if (k in out) delete out[k]; continue; }
    out[k] = k === 'token' ? sha(String(v)) : v;
  }
  return out;
}

describe('entry script receives every parameter type as StackStorm passes it', function () {
  this.timeout(300000);
  before(async () => {
    const root = join(REPO, 'test', 'golden', 'types', 'src');
    packDir = join(mkdtempSync(join(tmpdir(), 'netops-argv-')), 'netops');
    writePack(packDir, await buildPack({ root, version: '1.0.0', eventFile: join(root, 'none.ts'), playbooksDir: join(root, 'playbooks') }));
    meta = parse(readFileSync(join(packDir, 'actions', 'all_types.yaml'), 'utf8')) as typeof meta;
  });
  after(() => rmSync(join(packDir, '..'), { recursive: true, force: true }));

  const cases: [string, Record<string, unknown>][] = [
    ['plain values', { in: 'bma', text: 'hello', v4: '10.0.0.1', count: 7 }],
    ['shell metacharacters and quotes in text', { in: 'bma', text: `it's "quoted" $(id) \`id\` ; reboot | cat & > /tmp/x`, v4: '10.0.0.1', count: 0 }],
    ['newlines, tabs, unicode, backslashes', { in: 'bma', text: 'a\nno router bgp 65000\n\tb\\n ✓ ünï', v4: '255.255.255.255', count: -5 }],
    ['IPv6, CIDR, number, enum, boolean true', { in: 'gbg', text: 'x', v4: '0.0.0.0', count: 4294967295, v6: '2001:db8::1', prefix: '10.0.0.0/30', ratio: 1.5, mode: 'slow', flag: true }],
    ['boolean false and empty string are omitted', { in: 'bma', text: 'x', v4: '10.0.0.1', count: 1, flag: false, note: '' }],
    ['floats as Python prints them', { in: 'bma', text: 'x', v4: '10.0.0.1', count: 1, ratio: 1e-7, weights: [1e21, -0.5, 3] }],
    ['arrays of strings with quotes and commas (Python repr)', { in: 'bma', text: 'x', v4: '10.0.0.1', count: 1, tags: ["it's", 'say "hi"', 'a,b', 'back\\slash', 'new\nline', 'ünï', ''] }],
    ['arrays of numbers and integers, and empty arrays', { in: 'bma', text: 'x', v4: '10.0.0.1', count: 1, weights: [], ports: [22, 0, 179] }],
    ['secret and defaults overridden', { in: 'bma', text: 'x', v4: '10.0.0.1', count: 1, token: "s3cr3t 'x' $HOME", note: 'custom', retries: 0 }],
  ];
  for (const [name, values] of cases) {
    it(name, async () => {
      const { params } = await st2Run(values);
      expect(params).to.deep.equal(expected(values));
    });
  }

  it('random strings and string arrays arrive byte-exact (property)', async () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => !s.includes('\0'));
    await fc.assert(fc.asyncProperty(text, fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !s.includes('\0')), { maxLength: 5 }), async (t, tags) => {
      const values = { in: 'bma', text: t, v4: '10.0.0.1', count: 1, tags };
      const { params } = await st2Run(values);
      expect(params).to.deep.equal(expected(values));
    }), { numRuns: 40 });
  });
});
