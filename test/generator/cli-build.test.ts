/** `netops build` and `build --check` as a user runs them: stale output is detected, with and without the build cache. */
import { expect } from 'chai';
import { execa } from 'execa';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../support/st2-schemas.js';

const netops = (...args: string[]) => execa('node', [join(REPO, 'dist', 'cli', 'netops.js'), ...args], { reject: false });

describe('netops build --check', function () {
  this.timeout(120000);
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'netops-cli-build-'));
    cpSync(join(REPO, 'test', 'golden', 'types', 'src'), root, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '2.3.4' }));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('builds, then finds the pack current; a second build writes nothing', async () => {
    expect((await netops('build', '--root', root)).exitCode).to.equal(0);
    const c = await netops('build', '--check', '--root', root);
    expect(c.exitCode, c.stderr).to.equal(0);
    expect((await netops('build', '--root', root)).stdout).to.contain('0 written, 0 removed');
  });

  it('fails when a generated file was edited by hand', async () => {
    appendFileSync(join(root, 'pack', 'aliases', 'all_types.yaml'), '# edited\n');
    const c = await netops('build', '--check', '--root', root);
    expect(c.exitCode).to.equal(1);
    expect(c.stderr).to.contain('stale:   aliases/all_types.yaml');
    await netops('build', '--root', root);
  });

  it('fails when pack/ has a file the sources do not produce', async () => {
    writeFileSync(join(root, 'pack', 'actions', 'old_task.yaml'), 'name: old_task\n');
    const c = await netops('build', '--check', '--root', root);
    expect(c.exitCode).to.equal(1);
    expect(c.stderr).to.contain('extra:   actions/old_task.yaml');
    expect((await netops('build', '--root', root)).stdout).to.contain('1 removed');
  });

  it('fails when a source changed since the last build', async () => {
    appendFileSync(join(root, 'actions', 'all-types.ts'), '\n// touched\n');
    writeFileSync(join(root, 'aliases', 'all-types.ts'), (await import('node:fs')).readFileSync(join(root, 'aliases', 'all-types.ts'), 'utf8').replace("'Carry every parameter type'", "'Carry all of them'"));
    const c = await netops('build', '--check', '--root', root);
    expect(c.exitCode).to.equal(1);
    expect(c.stderr).to.contain('stale:   aliases/all_types.yaml');
  });

  it('prints coded diagnostics and exits 1 on a bad source, writing nothing', async () => {
    writeFileSync(join(root, 'aliases', 'all-types.ts'), `import { defineAlias } from '../x.js';\nexport default defineAlias<any>({ description: 'x', formats: ['carry {{ nothing }}'] });\n`);
    const c = await netops('build', '--root', root);
    expect(c.exitCode).to.equal(1);
    expect(c.stderr).to.match(/aliases\/all-types\.ts:2:\d+ - error NO202: placeholder '\{\{ nothing \}\}'/);
    expect(c.stderr).to.contain('pack/ not written');
  });
});
