/**
 * Golden tests of the generator: test/golden/<case>/src is the input; a valid case has the
 * expected pack tree in expected/, an invalid one the exact diagnostics in error.txt.
 * UPDATE_GOLDEN=1 rewrites them (review the diff).
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPack } from '../../generator/build.js';
import { DiagnosticError } from '../../generator/diagnostics.js';
import { staleFiles, writePack } from '../../generator/write.js';
import { REPO } from '../support/st2-schemas.js';

const GOLDEN = join(REPO, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

async function build(root: string) {
  return buildPack({ root, version: '1.0.0', bundle: false, eventFile: join(root, 'bridge', 'event.ts'), playbooksDir: join(root, 'playbooks') });
}

describe('generator golden cases', () => {
  for (const name of readdirSync(GOLDEN).sort()) {
    const dir = join(GOLDEN, name);
    const src = join(dir, 'src');
    it(name, async () => {
      let files;
      try { files = await build(src); } catch (e) {
        if (!(e instanceof DiagnosticError)) throw e;
        const text = e.message + '\n';
        if (update) writeFileSync(join(dir, 'error.txt'), text);
        expect(existsSync(join(dir, 'error.txt')), `${name} should build (no error.txt), but:\n${text}`).to.equal(true);
        expect(text).to.equal(readFileSync(join(dir, 'error.txt'), 'utf8'));
        return;
      }
      if (update) { rmSync(join(dir, 'expected'), { recursive: true, force: true }); mkdirSync(join(dir, 'expected'), { recursive: true }); writePack(join(dir, 'expected'), files); }
      expect(existsSync(join(dir, 'error.txt')), `${name} should fail with error.txt`).to.equal(false);
      expect(staleFiles(join(dir, 'expected'), files)).to.deep.equal({ changed: [], missing: [], extra: [] });
    });
  }

  it('every diagnostic code the README lists has a golden case with its error.txt', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    // "| NO103/104 |" lists NO103 and NO104
    const codes = [...readme.matchAll(/\bNO(\d{3})((?:\/\d{3})*)\b/g)].flatMap((m) => [m[1]!, ...m[2]!.split('/').filter(Boolean)]).map((n) => `NO${n}`);
    expect(codes.length, 'the README lists diagnostic codes').to.be.greaterThan(10);
    const errors = readdirSync(GOLDEN).filter((c) => existsSync(join(GOLDEN, c, 'error.txt'))).map((c) => readFileSync(join(GOLDEN, c, 'error.txt'), 'utf8')).join('\n');
    const missing = [...new Set(codes)].filter((c) => !new RegExp(`error ${c}:`).test(errors));
    expect(missing, 'codes without a golden case (add test/golden/<case>/src and error.txt)').to.deep.equal([]);
  });

  it('rebuilding an unchanged tree gives byte-identical output', async () => {
    const a = await buildPack({ root: REPO });
    const b = await buildPack({ root: REPO });
    expect(a.map((f) => f.path)).to.deep.equal(b.map((f) => f.path));
    for (let i = 0; i < a.length; i++) expect(Buffer.from(a[i]!.content).equals(Buffer.from(b[i]!.content)), a[i]!.path).to.equal(true);
  });

  it('the committed pack/ is current (netops build --check)', async () => {
    const s = staleFiles(join(REPO, 'pack'), await buildPack({ root: REPO }));
    expect(s, 'run: npx netops build').to.deep.equal({ changed: [], missing: [], extra: [] });
  });
});
