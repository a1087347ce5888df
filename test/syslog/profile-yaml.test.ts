/** Profiles are read on js-yaml's fast path: it must give the data the located Document gives, for every profile. */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { SourceFile } from '../../bridge/profiles/source.js';
import { REPO } from './fixtures.js';

describe('syslog profiles: the YAML fast path', function () {
  const root = join(REPO, 'profiles');
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.yml')).sort();

  it('reads every profile file as the Document does', function () {
    expect(files.length).to.be.greaterThan(90);
    for (const f of files) {
      const text = readFileSync(join(root, f), 'utf8');
      const src = new SourceFile(join(root, f), f, text);
      expect(src.parsed, f).to.equal(true);
      expect(src.data, f).to.deep.equal(parseDocument(text, { uniqueKeys: true }).toJS());
    }
  });

  it('leaves what it refuses to the Document: syntax errors and duplicate keys are located', function () {
    const dup = new SourceFile('/x/a.yml', 'a.yml', 'os: acme\nos: again\n');
    expect(dup.parsed).to.equal(false);
    expect(dup.syntaxDiagnostics()[0]).to.include({ code: 'NP001', file: 'a.yml', line: 2 });
    const bad = new SourceFile('/x/b.yml', 'b.yml', 'os: acme\nprefixes: [\n');
    expect(bad.parsed).to.equal(false);
    expect(bad.syntaxDiagnostics()[0]).to.include({ code: 'NP001', file: 'b.yml' });
    expect(new SourceFile('/x/c.yml', 'c.yml', '').data, 'an empty file').to.equal(null);
    const ok = new SourceFile('/x/d.yml', 'd.yml', 'os: acme\nprefixes:\n  - shape: bsd\n');
    expect(ok.diag('NP002', ['prefixes', 0, 'shape'], 'm')).to.include({ line: 3, col: 12 });
  });
});
