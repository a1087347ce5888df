/** `netops build` and `build --check` as a user runs them: stale output is detected, with and without the build cache. */
import { expect } from 'chai';
import { execa } from 'execa';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

describe('netops build ignores Python bytecode left by running a task from a checkout', function () {
  this.timeout(120000);
  let root = '';
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'netops-cli-pyc-'));
    cpSync(join(REPO, 'test', 'golden', 'types', 'src'), root, { recursive: true });
    cpSync(join(REPO, 'playbooks'), join(root, 'playbooks'), { recursive: true, filter: (p) => !/__pycache__|\.pyc$/.test(p) });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '2.3.4' }));
    expect((await netops('build', '--root', root)).exitCode).to.equal(0);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('real Ansible loads the filter plugins with bytecode writing on; build --check still passes and build keeps them', async () => {
    // what a task run does: Ansible imports filter_plugins/*.py, from the pack and from playbooks/
    for (const dir of [join(root, 'pack', 'playbooks', 'filter_plugins'), join(root, 'playbooks', 'filter_plugins')]) {
      const env: NodeJS.ProcessEnv = { ...process.env, ANSIBLE_FILTER_PLUGINS: dir };
      delete env.PYTHONDONTWRITEBYTECODE;
      const a = await execa('ansible', ['-i', 'localhost,', '-c', 'local', 'localhost', '-m', 'debug', '-a', "msg={{ ['password x'] | netops_mask }}"], { env, extendEnv: false, reject: false });
      expect(a.exitCode, a.stdout + a.stderr).to.equal(0);
      expect(a.stdout).to.contain('password ********');
    }
    const pyc = join(root, 'pack', 'playbooks', 'filter_plugins', '__pycache__');
    expect(existsSync(pyc) && readdirSync(pyc).some((f) => f.endsWith('.pyc')), 'bytecode was written into pack/').to.equal(true);
    expect(existsSync(join(root, 'playbooks', 'filter_plugins', '__pycache__')), 'and into playbooks/').to.equal(true);

    const c = await netops('build', '--check', '--root', root);
    expect(c.exitCode, c.stderr).to.equal(0);
    // without the build cache too (the full comparison of a fresh build)
    const { buildPack } = await import('../../generator/build.js');
    const { staleFiles } = await import('../../generator/write.js');
    const files = await buildPack({ root });
    expect(staleFiles(join(root, 'pack'), files)).to.deep.equal({ changed: [], missing: [], extra: [] });
    expect(files.map((f) => f.path).filter((p) => /__pycache__|\.pyc$/.test(p)), 'bytecode is not copied into the pack').to.deep.equal([]);
    const b = await netops('build', '--root', root);
    expect(b.stdout).to.contain('0 written, 0 removed');
    expect(existsSync(pyc), 'the writer leaves bytecode alone').to.equal(true);
  });

  it("the build fingerprint covers every folder of this checkout that esbuild bundles into the runtime (a change there makes --check rebuild)", async () => {
    const { buildPack } = await import('../../generator/build.js');
    const { BUNDLED_DIRS } = await import('../../generator/cache.js');
    const inputs: string[] = [];
    await buildPack({ root: REPO, runtimeInputs: inputs });
    const dirs = new Set(inputs.filter((p) => !p.startsWith('node_modules/') && p.includes('/')).map((p) => p.split('/')[0]!));
    dirs.delete('actions'); // the task files: the build's own inputs, always fingerprinted
    expect(inputs.length).to.be.greaterThan(20);
    expect([...dirs].sort()).to.deep.equal([...BUNDLED_DIRS].sort());
  });
});
