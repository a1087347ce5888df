/**
 * A production install, for real: the package's files copied to a fresh directory,
 * `npm ci --omit=dev` (its prepare script included, which must not need a dev tool), then the
 * commands an operator runs: `npx netops --version`, `bridge --help`, `build`, `build --check`,
 * `chat`. No devDependency may be needed at run time (none is installed).
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../support/st2-schemas.js';

/** The environment of a clean shell: none of the npm variables of a running `npm test`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, ...extra };
}

describe('production install: npm ci --omit=dev, then netops works', function () {
  this.timeout(300_000);
  let dir = '';
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
  const npx = (...args: string[]) => execa('npx', ['--no', '--', 'netops', ...args], { cwd: dir, env: cleanEnv({ NETOPS_STATE_DIR: join(dir, '.state') }), reject: false, stdin: 'ignore' });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netops-prod-'));
    // the package as a fresh clone has it: tracked files plus new ones not ignored
    const { stdout } = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO });
    for (const f of stdout.split('\0').filter(Boolean)) {
      const src = join(REPO, f);
      if (!existsSync(src) || statSync(src).isDirectory()) continue;
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      copyFileSync(src, join(dir, f));
      chmodSync(join(dir, f), statSync(src).mode & 0o777);
    }
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('npm ci --omit=dev installs the runtime dependencies only and compiles the CLI without dev tools', async () => {
    const r = await execa('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, env: cleanEnv(), reject: false, all: true });
    expect(r.exitCode, r.all).to.equal(0);
    for (const d of Object.keys(pkg.devDependencies)) expect(existsSync(join(dir, 'node_modules', d)), `devDependency ${d} is not installed`).to.equal(false);
    for (const d of Object.keys(pkg.dependencies)) expect(existsSync(join(dir, 'node_modules', d)), `dependency ${d}`).to.equal(true);
    expect(Object.keys(pkg.dependencies)).to.include('axios');
    expect(pkg.dependencies.axios, 'axios exact-pinned').to.match(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(pkg.dependencies), 'unused').to.not.include('ajv-formats');
    expect(pkg.scripts.prepare, 'prepare needs no dev tool').to.not.match(/\btsc\b/);
    expect(statSync(join(dir, 'dist', 'cli', 'netops.js')).mode & 0o111, 'the bin is executable').to.not.equal(0);
  });

  it('npx netops --version and bridge --help', async () => {
    const v = await npx('--version');
    expect(v.exitCode, v.stderr).to.equal(0);
    expect(v.stdout).to.match(/^netops \d+\.\d+\.\d+$/);
    const b = await npx('bridge', '--help');
    expect(b.exitCode, b.stderr).to.equal(0);
    expect(b.stdout).to.match(/^usage: netops bridge/);
  });

  it('netops build generates the pack (ts-morph, esbuild, Ajv at run time), and build --check finds it current', async () => {
    const b = await npx('build');
    expect(b.exitCode, b.stderr).to.equal(0);
    expect(b.stdout).to.match(/^pack: \d+ files/);
    const c = await npx('build', '--check');
    expect(c.exitCode, c.stderr).to.equal(0);
  });

  it('netops chat matches and refuses as in the checkout', async () => {
    const m = await npx('chat', 'show peers in=bma', '--match-only');
    expect(m.exitCode, m.stderr).to.equal(0);
    expect(m.stdout).to.contain('netops.show_peers {"in":"bma"}');
    const bad = await npx('chat', 'add peer in=bma ip=127.0.0.1 as=65100');
    expect(bad.exitCode, bad.stderr).to.equal(2);
    expect(bad.stdout + bad.stderr).to.contain('ip: "127.0.0.1" is a loopback address');
  });
});
