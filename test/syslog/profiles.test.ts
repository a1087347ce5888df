/** The profile format: loader diagnostics (coded, located) and the template language. */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Classifier, loadProfiles, ProfileError } from '../../bridge/parse.js';
import { compileTemplate, type Ctx } from '../../bridge/profiles/template.js';
import { indexGroups } from '../../bridge/profiles/regex.js';

const PREFIX = `os: acme
prefixes:
  - shape: bsd
    regex: '^(?<date>[A-Z][a-z]{2} +\\d{1,2}) (?<time>\\d\\d:\\d\\d:\\d\\d) (?<host>\\S+) (?<tag>[A-Z_]+): (?<message>.*)$'
`;
const EVENT = `error: LINK_DOWN
tag: LINK
model: openconfig-interfaces
match:
  - regex: '^(?<interface>\\S+) is down(?: \\((?<reason>[^)]*)\\))?'
yang:
  interfaces/interface/{interface}/state:
    oper_status: DOWN
    reason: '{reason?}'
interface: '{interface}'
state: down
level: critical
summary: '{host}: {interface} down{? ({reason})}'
`;

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'netops-profiles-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function diagnostics(files: Record<string, string>): ProfileError {
  const dir = tree(files);
  try {
    loadProfiles(dir);
  } catch (e) {
    return e as ProfileError;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error('expected a ProfileError');
}

describe('syslog profiles: adding an event is adding a file', function () {
  it('classifies with a new OS and event from data alone', function () {
    const dir = tree({ 'acme/_prefix.yml': PREFIX, 'acme/LINK_DOWN.yml': EVENT });
    try {
      const c = new Classifier({ profilesDir: dir });
      const e = c.parse('<187>Jan  2 03:04:05 sw9 LINK: ge-0/1 is down (cable)', '192.0.2.1', 1);
      expect(e).to.include({ error: 'LINK_DOWN', os: 'acme', host: 'sw9', interface: 'ge-0/1', state: 'down', level: 'critical', summary: 'sw9: ge-0/1 down (cable)' });
      expect(e.yang_message).to.deep.equal({ interfaces: { interface: { 'ge-0/1': { state: { oper_status: 'DOWN', reason: 'cable' } } } } });
      const bare = c.parse('<187>Jan  2 03:04:05 sw9 LINK: ge-0/2 is down', '192.0.2.1', 1);
      expect(bare.yang_message, '{reason?} leaves the leaf out').to.deep.equal({ interfaces: { interface: { 'ge-0/2': { state: { oper_status: 'DOWN' } } } } });
      expect(bare.summary).to.equal('sw9: ge-0/2 down');
      expect(c.stats).to.deep.include({ messages: 2, matched: 2, unknown: 0 });
      expect(c.stats.byError).to.deep.equal({ LINK_DOWN: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('syslog profiles: templated yang keys', function () {
  it('are own keys whatever the captured text: __proto__, integer-like, toString', function () {
    const dir = tree({ 'acme/_prefix.yml': PREFIX, 'acme/LINK_DOWN.yml': EVENT });
    try {
      const c = new Classifier({ profilesDir: dir });
      for (const name of ['__proto__', '7', 'toString', 'constructor', 'ge-0/1']) {
        const e = c.parse(`<187>Jan  2 03:04:05 sw9 LINK: ${name} is down (cable)`, '192.0.2.1', 1);
        const iface = e.yang_message!.interfaces as Record<string, Record<string, unknown>>;
        expect(Object.getOwnPropertyNames(iface.interface), name).to.deep.equal([name]);
        expect(Object.getPrototypeOf(iface.interface), name).to.equal(Object.prototype);
        expect(JSON.stringify(e.yang_message), name).to.equal(
          `{"interfaces":{"interface":{${JSON.stringify(name)}:{"state":{"oper_status":"DOWN","reason":"cable"}}}}}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('syslog profiles: diagnostics point at the file, line and column', function () {
  it('NP006 unknown value in a template, with the line and a caret', function () {
    const e = diagnostics({ 'acme/_prefix.yml': PREFIX, 'acme/LINK_DOWN.yml': EVENT.replace("summary: '{host}: {interface} down", "summary: '{host}: {interfce} down") });
    const d = e.diagnostics[0]!;
    expect(d).to.include({ code: 'NP006', line: 13 });
    expect(d.file.endsWith(join('acme', 'LINK_DOWN.yml'))).to.equal(true);
    expect(d.message).to.match(/unknown value "interfce"/);
    expect(d.source).to.contain('{interfce}');
    expect(d.col).to.equal(d.source.indexOf('{interfce}') + 1);
    expect(e.message).to.match(/acme\/LINK_DOWN\.yml:13:\d+: NP006 unknown value "interfce"[^\n]*\n {4}summary: '\{host\}: \{interfce\} down/);
  });

  it('NP006 unknown filter, listing the known ones', function () {
    const e = diagnostics({ 'acme/_prefix.yml': PREFIX, 'acme/LINK_DOWN.yml': EVENT.replace("state: down", "state: '{interface|uper}'") });
    expect(e.diagnostics[0]!.message).to.match(/unknown filter "uper" \(known: int, upper/);
  });

  it('NP005 invalid regex; NP002 unknown key with the allowed ones; NP007 error/file mismatch', function () {
    const e = diagnostics({
      'acme/_prefix.yml': PREFIX,
      'acme/LINK_DOWN.yml': EVENT.replace("'^(?<interface>", "'^(?<interface>(").replace('model:', 'modle: x\nmodel:').replace('error: LINK_DOWN', 'error: LINK_UP'),
    });
    const codes = e.diagnostics.map((d) => d.code).sort();
    expect(codes).to.include.members(['NP002', 'NP007']);
    const np002 = e.diagnostics.find((d) => d.code === 'NP002')!;
    expect(np002).to.include({ line: 3, col: 1 });
    expect(np002.hint).to.match(/allowed here: error, tag, model/);
    const bad = diagnostics({ 'acme/_prefix.yml': PREFIX, 'acme/LINK_DOWN.yml': EVENT.replace("'^(?<interface>", "'^(?<interface>(") });
    expect(bad.diagnostics[0]).to.include({ code: 'NP005', line: 5 });
  });

  it('NP008 an OS without _prefix.yml; NP003 a prefix without a message group', function () {
    expect(diagnostics({ 'acme/LINK_DOWN.yml': EVENT }).diagnostics[0]).to.include({ code: 'NP008' });
    const e = diagnostics({ 'acme/_prefix.yml': PREFIX.replace('(?<message>.*)', '(.*)') });
    expect(e.diagnostics[0]).to.include({ code: 'NP003', line: 4 });
  });

  it('NP001 YAML syntax errors', function () {
    expect(diagnostics({ 'acme/_prefix.yml': 'os: acme\nprefixes: [\n' }).diagnostics[0]).to.include({ code: 'NP001' });
  });

  it('loads the repository profiles without diagnostics', function () {
    const set = new Classifier().profiles;
    expect(set.oses.map((o) => o.name)).to.include.members(['eos', 'fortinet', 'huawei', 'ios', 'iosxr', 'junos', 'netiron', 'nxos', 'opengear', 'sonic', 'frr']);
  });
});

describe('syslog profiles: templates', function () {
  const names = ['a', 'b', 'n'];
  const ctx = (v: Array<string | undefined>): Ctx => ({ v: [undefined, ...v], h: [], host: 'h1', ip: '192.0.2.1', os: 'x', tag: 't' });
  const t = (src: string) =>
    compileTemplate(src, (n) => {
      const k = names.indexOf(n);
      if (k >= 0) return (c) => c.v[k + 1];
      if (n === 'host') return (c) => c.host;
      throw new Error(`unknown ${n}`);
    });

  it('renders values, filters, optional sections and literal braces', function () {
    expect(t('{host}: {a|upper} {{x}}').text(ctx(['up']))).to.equal('h1: UP {x}');
    expect(t('{a}{? ({b})}').text(ctx(['x', undefined]))).to.equal('x');
    expect(t('{a}{? ({b})}').text(ctx(['x', 'y']))).to.equal('x (y)');
    expect(t('{a|map(Up=up (Established),Down=Idle)}').text(ctx(['Up']))).to.equal('up (Established)');
    expect(t('{a|map(Up=x)}').text(ctx(['Other']))).to.equal('Other');
    expect(t('{a|default(none)}').text(ctx([undefined]))).to.equal('none');
  });

  it('yields typed values from a single placeholder', function () {
    expect(t('{n|int}').value(ctx([undefined, undefined, '42']))).to.equal(42);
    expect(t('{a}').value(ctx([undefined]))).to.equal(null);
    expect(t('{a?}').value(ctx([undefined]))).to.equal(undefined);
    expect(t('{a?}').value(ctx(['']))).to.equal(undefined);
    expect(t('{a|bgp_state}').value(ctx(['OpenConfirm']))).to.equal('OPEN_CONFIRM');
    expect(t('{a|bgp_state}').value(ctx(['Down']))).to.equal('ACTIVE');
    // a state named like an Object.prototype member is upper-cased, not looked up on the prototype
    expect(t('{a|bgp_state}').value(ctx(['constructor']))).to.equal('CONSTRUCTOR');
    expect(t('{a|bgp_state}').value(ctx(['__proto__']))).to.equal('__PROTO__');
    expect(t('{a|bgp_word}').value(ctx(['constructor']))).to.equal('constructor');
    expect(t('{a|bgp_word}').value(ctx(['toString']))).to.equal('toString');
    expect(t('{a|bgp_word}').value(ctx(['ESTABLISHED']))).to.equal('Established');
    expect(t('{a|alarm_severity}').value(ctx(['RED']))).to.equal(3);
  });

  it('rejects malformed templates', function () {
    expect(() => t('{a')).to.throw(/never closed/);
    expect(() => t('{a|constructor}')).to.throw(/unknown filter "constructor"/);
    expect(() => t('a}')).to.throw(/unmatched/);
    expect(() => t('{?no values}')).to.throw(/has no \{value\}/);
    expect(() => t('{zz}')).to.throw(/unknown zz/);
    expect(() => t('{a|map}')).to.throw(/needs arguments/);
  });

  it('indexes named groups past classes, escapes and lookarounds', function () {
    expect(indexGroups('^(?<a>x)[(](?:y)(z)\\((?<b>w)(?=q)(?<!r)(?<c>.)').names).to.deep.equal(['a', null, 'b', 'c']);
    expect(indexGroups('(?<a>x)').stripped).to.equal('(x)');
  });
});
