/**
 * napalm-logs' own samples: every tests/config/<os>/<ERROR>/<variant>/syslog.msg must give the
 * error, os, host, yang_model and yang_message of its yang.json (timestamp and ip aside, as
 * upstream's test does). And every profile must have a fixture, every fixture a profile.
 */
import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { Classifier } from '../../bridge/parse.js';
import { eventProblems } from './check-event.js';
import { corpusDir, corpusFixtures, ownFixtures, type Fixture } from './fixtures.js';

/**
 * Where we knowingly differ from upstream's expected output, and why. The test applies the
 * change to yang.json and compares with that, so a deviation is always explicit and exact.
 */
const DEVIATIONS: Record<string, { why: string; yang: Array<[string[], unknown]> }> = {
  'junos/BGP_INCORRECT_AS_NUMBER/default': {
    why:
      'upstream publishes the peer address as peer_as (its positional groups shift because {peer} ' +
      'appears twice in its line); the message says AS 4292019902, and that is what we publish',
    yang: [[['bgp', 'neighbors', 'neighbor', '10.37.96.6', 'state', 'peer_as'], '4292019902']],
  },
};

function withDeviation(f: Fixture): Record<string, unknown> {
  const d = DEVIATIONS[f.id];
  const yang = structuredClone(f.expected.yang_message) as Record<string, unknown>;
  for (const [path, value] of d?.yang ?? []) {
    let node = yang;
    for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
    node[path[path.length - 1]!] = value;
  }
  return yang;
}

describe('syslog: napalm-logs corpus', function () {
  const dir = corpusDir();
  const corpus = corpusFixtures();
  const classifier = new Classifier();

  it('finds the shared corpus ($NETOPS_SHARED, <repo>/../shared or /work/shared)', function () {
    expect(dir, 'shared/corpus/napalm-logs not found; set NETOPS_SHARED').to.be.a('string');
    expect(corpus.length).to.be.greaterThan(50);
  });

  for (const f of corpus) {
    it(`${f.id}${DEVIATIONS[f.id] ? ' (documented deviation)' : ''}`, function () {
      const e = classifier.parse(f.raw, '127.0.0.1', 1_700_000_000);
      expect(eventProblems(e, '127.0.0.1')).to.deep.equal([]);
      const want = f.expected;
      expect({ error: e.error, os: e.os, host: e.host, yang_model: e.yang_model }).to.deep.equal({
        error: want.error,
        os: want.os,
        host: want.host,
        yang_model: want.yang_model,
      });
      expect({ facility: e.facility, severity: e.severity }).to.deep.equal({ facility: want.facility, severity: want.severity });
      expect(JSON.parse(JSON.stringify(e.yang_message))).to.deep.equal(withDeviation(f));
      if (DEVIATIONS[f.id]) expect(e.yang_message).to.not.deep.equal(want.yang_message, 'deviation no longer needed?');
    });
  }
});

describe('syslog: every profile has a fixture, every fixture a profile', function () {
  const classifier = new Classifier();
  const all = [...corpusFixtures(), ...ownFixtures()];
  const results = all.map((f) => ({ f, r: classifier.classify(f.raw, '127.0.0.1', 1_700_000_000) }));

  it('each <os>/<EVENT>.yml has at least one fixture (corpus or test/fixtures/syslog)', function () {
    const have = new Set(all.map((f) => `${f.os}/${f.error}`));
    const missing = classifier.profiles.oses.flatMap((o) => o.events.map((e) => `${o.name}/${e.file}`).filter((k) => !have.has(k.replace(/\.yml$/, ''))));
    expect(missing, `profiles without a fixture: add test/fixtures/syslog/<os>/<EVENT>/<variant>/{syslog.msg,yang.json}`).to.deep.equal([]);
  });

  it('each match variant of each profile is exercised by a fixture', function () {
    const hit = new Set(results.map(({ r }) => r.rule?.ref).filter(Boolean));
    const unhit = classifier.profiles.rules.map((r) => r.ref).filter((ref) => !hit.has(ref));
    expect(unhit, 'profile variants no fixture reaches').to.deep.equal([]);
  });

  it('each fixture is classified as its directory says (os and error)', function () {
    const wrong = results
      .filter(({ f, r }) => r.event.os !== f.os || r.event.error !== f.error)
      .map(({ f, r }) => `${f.source}:${f.id} → ${r.event.os}/${r.event.error}`);
    expect(wrong).to.deep.equal([]);
  });

  it('every corpus fixture has a profile (nxos USER_LOGIN, Python upstream, is a YAML profile here)', function () {
    const profiles = new Set(classifier.profiles.oses.flatMap((o) => o.events.map((e) => `${o.name}/${e.error}`)));
    const kinds = [...new Set(corpusFixtures().map((f) => `${f.os}/${f.error}`))];
    expect(kinds.length, 'corpus fixtures found').to.be.greaterThan(50);
    expect(kinds).to.include('nxos/USER_LOGIN');
    const orphans = kinds.filter((k) => !profiles.has(k));
    expect(orphans, 'corpus fixtures without a profile: add profiles/<os>/<EVENT>.yml').to.deep.equal([]);
  });

  it('covers every OS of the corpus, and frr', function () {
    const dir = corpusDir();
    const corpusOses = dir && existsSync(dir) ? readdirSync(dir).sort() : [];
    const ours = classifier.profiles.oses.map((o) => o.name);
    for (const os of [...corpusOses, 'frr']) expect(ours, os).to.include(os);
  });
});
