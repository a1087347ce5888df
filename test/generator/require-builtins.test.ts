/**
 * generator/emit/runtime.ts requireBuiltins (the bundle's imports of Node builtins become
 * `require`s) and checkChunks (what that rewrite relies on): every import form esbuild writes,
 * run for real as ES modules, plus the build-time refusals.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkChunks, requireBuiltins } from '../../generator/emit/runtime.js';

const BANNER = "import { createRequire as __netopsRequire } from 'node:module'; const require = __netopsRequire(import.meta.url);";

describe('generator: builtins bound by require in the runtime bundle', () => {
  let dir = '';
  before(() => { dir = mkdtempSync(join(tmpdir(), 'netops-reqb-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rewrites default, namespace, named (renamed), side-effect-only and lazy imports, and the module still works', async () => {
    const code = BANNER + '\nimport p from"node:path";import*as os from"os";import{readFileSync as r,existsSync}from"node:fs";import"node:process";import{createHash as h,constants as k}from"node:crypto";import{x}from"./chunk-A.mjs";'
      + 'export const out=[p.join("a","b"),typeof os.tmpdir,typeof r,existsSync("/"),h("sha256").update("x").digest("hex").slice(0,8),typeof k,x];';
    const rewritten = requireBuiltins(code);
    expect(rewritten.startsWith(BANNER)).to.equal(true);
    expect(rewritten).to.not.match(/from"(node:)?(path|os|fs|crypto)"/);
    expect(rewritten).to.contain('import{x}from"./chunk-A.mjs"'); // the bundle's own chunks keep their imports
    expect(rewritten).to.contain('h=(...a)=>require("node:crypto").createHash(...a)'); // a lazy builtin's function loads it on first call
    writeFileSync(join(dir, 'chunk-A.mjs'), 'export const x = 7;');
    writeFileSync(join(dir, 'main.mjs'), rewritten);
    const m = (await import(pathToFileURL(join(dir, 'main.mjs')).href)) as { out: unknown[] };
    expect(m.out).to.deep.equal(['a/b', 'function', 'function', true, '2d711642', 'object', 7]);
  });

  it('checkChunks refuses a builtin import left over and a static import cycle between chunks, naming them', () => {
    expect(() => checkChunks([{ path: 'actions/runtime/netops.mjs', content: 'import{a}from"./chunk-A.mjs";' }, { path: 'actions/runtime/chunk-A.mjs', content: 'export const a=1;' }])).to.not.throw();
    expect(() => checkChunks([{ path: 'actions/runtime/chunk-B.mjs', content: 'import{join}from"node:path";' }])).to.throw(/chunk-B\.mjs: builtins still imported .*node:path/);
    const cyclic = [
      { path: 'actions/runtime/netops.mjs', content: 'import{a}from"./chunk-A.mjs";' },
      { path: 'actions/runtime/chunk-A.mjs', content: 'import{b}from"./chunk-B.mjs";export const a=1;' },
      { path: 'actions/runtime/chunk-B.mjs', content: 'import{a}from"./chunk-A.mjs";export const b=2;' },
    ];
    expect(() => checkChunks(cyclic)).to.throw(/cycle \(chunk-A\.mjs → chunk-B\.mjs → chunk-A\.mjs\)/);
  });
});
