/** Chat text → action and cast parameters, matched as StackStorm matches it. */
import { expect } from 'chai';
import { execa } from 'execa';
import { join } from 'node:path';
import { extractParameters, splitTrailingPairs } from '../../runtime/alias-match.js';
import { castAliasValue } from '../../runtime/st2-casts.js';
import { parsePyLiteral } from '../../runtime/pyliteral.js';
import { REPO } from '../support/st2-schemas.js';

const netops = (...args: string[]) => execa('node', [join(REPO, 'dist', 'cli', 'netops.js'), ...args], { reject: false });

describe('alias matching (st2 algorithm)', () => {
  it('the seed command matches add_peer with site, ip and an integer AS', async () => {
    const r = await netops('chat', 'add peer in=bma ip=10.0.0.1 as=65100', '--match-only', '--json');
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ action: 'netops.add_peer', alias: 'add_peer', format: 'add peer', parameters: { in: 'bma', ip: '10.0.0.1', as: 65100 } });
  });

  it('the positional form reads the same values', async () => {
    const r = await netops('chat', 'add peer 10.0.0.1 as 65100 in bma', '--match-only', '--json');
    expect(JSON.parse(r.stdout).parameters).to.deep.equal({ ip: '10.0.0.1', as: 65100, in: 'bma' });
  });

  it('quoted values and extra key=value pairs', async () => {
    const r = await netops('chat', 'add peer 10.0.0.1 as 65100 in bma description="transit a" password=x', '--match-only', '--json');
    expect(JSON.parse(r.stdout).parameters).to.deep.equal({ ip: '10.0.0.1', as: 65100, in: 'bma', description: 'transit a', password: 'x' });
  });

  it('unmatched and uncastable text is refused with st2\'s wording', async () => {
    const r = await netops('chat', 'add a peer please', '--match-only');
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain("matched no patterns");
    const c = await netops('chat', 'add peer in=bma ip=10.0.0.1 as=sixty', '--match-only');
    expect(c.exitCode).to.equal(2);
    expect(c.stderr).to.contain('as: "sixty" is not a whole number');
  });

  it('immutable parameters cannot be set from chat', async () => {
    const r = await netops('chat', 'show peers in=bma chat_user=mallory', '--match-only');
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.contain('Immutable arguments cannot be overriden: chat_user');
  });

  it('cuts trailing pairs the way st2 does', () => {
    expect(splitTrailingPairs('add peer in=bma ip=10.0.0.1')).to.deep.equal({ stream: ' add peer ', pairs: [['in', 'bma'], ['ip', '10.0.0.1']] });
    // st2 reads `"a=b"` as the pair ("a, b") too (checked against st2's own parser)
    expect(splitTrailingPairs('say "a=b" x=1')).to.deep.equal({ stream: ' say ', pairs: [['"a', 'b"'], ['x', '1']] });
    expect(splitTrailingPairs("note k='two words' j={\"a\": 1}").pairs).to.deep.equal([['k', 'two words'], ['j', '{"a": 1}']]);
  });

  it('formats are regexes; optional parameters take their defaults', () => {
    expect(extractParameters('show {{ what=peers }}', 'show')).to.deep.equal({ what: 'peers' });
    expect(extractParameters('show {{ what=peers }}', 'show routes')).to.deep.equal({ what: 'routes' });
    expect(() => extractParameters('add peer in={{ in }}', 'add peer in=bma')).to.throw();
    expect(extractParameters('ping (?:host )?{{ h }}', 'ping host r1')).to.deep.equal({ h: 'r1' });
  });

  it('casts like st2 (util/casts.py, aliasexecution array override)', () => {
    expect(castAliasValue('65100', 'integer')).to.equal(65100);
    expect(castAliasValue('true', 'boolean')).to.equal(true);
    expect(castAliasValue('a, b ,c', 'array')).to.deep.equal(['a', 'b', 'c']);
    expect(castAliasValue("{'a': [1, 2.5, None, True]}", 'object')).to.deep.equal({ a: [1, 2.5, null, true] });
    expect(() => castAliasValue('1.5', 'integer')).to.throw();
  });

  it('parses Python repr of lists', () => {
    expect(parsePyLiteral(`['it\\'s', "say \\"hi\\"", 'a\\nb', '\\xe9\\u2713']`)).to.deep.equal(["it's", 'say "hi"', 'a\nb', 'é✓']);
    expect(parsePyLiteral('[1e+21, -0.5, 3, 1e-07]')).to.deep.equal([1e21, -0.5, 3, 1e-7]);
  });
});
