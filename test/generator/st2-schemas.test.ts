/** Every YAML file of the generated pack validates against StackStorm's own JSON schemas (Ajv). */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO, st2Validator } from '../support/st2-schemas.js';

const PACK = join(REPO, 'pack');
const yamls = (dir: string) => (existsSync(join(PACK, dir)) ? readdirSync(join(PACK, dir)).filter((f) => f.endsWith('.yaml')).sort() : []);
const sources = (dir: string) => (existsSync(join(REPO, dir)) ? readdirSync(join(REPO, dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')) : []);
/** The pack folders this suite checks, and how many YAML files each must hold (at least). */
const EXPECTED: Record<string, number> = {
  actions: sources('actions').length + (sources('rules').length ? 1 : 0), // one per task, plus notify when there are rules
  aliases: sources('aliases').length,
  rules: sources('rules').length,
  triggers: 1,
};
const load = (p: string) => parse(readFileSync(join(PACK, p), 'utf8')) as Record<string, unknown>;

describe('pack/ against StackStorm schemas', () => {
  const action = st2Validator('action');
  const alias = st2Validator('alias');
  const rule = st2Validator('rule');
  const trigger = st2Validator('trigger_type');

  it('the converted schemas still reject what st2 rejects (controls)', () => {
    expect(action({ name: 'x', entry_point: 'x.mjs' }), 'runner_type is required').to.not.deep.equal([]);
    expect(action({ name: 'x', runner_type: 'local-shell-script', entry_point: 'x', parameters: { p: { type: 'string', format: 'ipv4' } } }), 'format is not an st2 param key').to.not.deep.equal([]);
    expect(action({ name: 'x', runner_type: 'local-shell-script', entry_point: 'x', parameters: { 'p-q': { type: 'string' } } }), 'names match ^\\w+$').to.not.deep.equal([]);
    expect(action({ name: 'x', runner_type: 'local-shell-script', entry_point: 'x', parameters: { p: { type: ['string', 'null'] } } }), 'type may not be an array').to.not.deep.equal([]);
    expect(alias({ name: 'x', formats: ['x'] }), 'action_ref is required').to.not.deep.equal([]);
    expect(rule({ name: 'x', trigger: { type: 't' } }), 'action is required').to.not.deep.equal([]);
  });

  // a missing folder would otherwise just mean fewer tests below, all passing
  for (const [dir, n] of Object.entries(EXPECTED)) {
    it(`pack/${dir}/ exists with its ${n} YAML file(s)`, () => {
      expect(n, `the project has sources for pack/${dir}`).to.be.greaterThan(0);
      expect(existsSync(join(PACK, dir)), `pack/${dir} is missing; run: npx netops build`).to.equal(true);
      expect(yamls(dir).length, `pack/${dir}`).to.be.at.least(n);
    });
  }

  it('pack.yaml', () => {
    expect(st2Validator('pack')(load('pack.yaml'))).to.deep.equal([]);
    expect(String(load('pack.yaml').version)).to.match(/^\d+\.\d+\.\d+$/);
  });

  it('config.schema.yaml', () => {
    expect(st2Validator('config_schema')({ pack: 'netops', attributes: load('config.schema.yaml') })).to.deep.equal([]);
  });

  for (const f of yamls('actions')) {
    it(`actions/${f}`, () => {
      const doc = load(`actions/${f}`);
      expect(action(doc)).to.deep.equal([]);
      for (const [name, p] of Object.entries(doc.parameters as Record<string, Record<string, unknown>>)) {
        if (p.immutable) expect(p, `${name}: immutable needs a default`).to.have.property('default');
      }
    });
  }
  for (const f of yamls('aliases')) it(`aliases/${f}`, () => expect(alias(load(`aliases/${f}`))).to.deep.equal([]));
  for (const f of yamls('rules')) {
    it(`rules/${f}`, () => {
      const doc = load(`rules/${f}`);
      expect(rule(doc)).to.deep.equal([]);
      expect(doc.enabled, 'st2 rules default to disabled').to.equal(true);
    });
  }
  it('one concurrency policy per change task, on its site parameter', () => {
    const changes = yamls('actions').map((f) => load(`actions/${f}`)).filter((a) => ((a.tags ?? []) as { name: string; value: string }[]).some((t) => t.name === 'risk' && t.value === 'change'));
    expect(yamls('policies').map((f) => f.replace('_per_site.yaml', '')).sort()).to.deep.equal(changes.map((a) => String(a.name)).sort());
  });
  for (const f of yamls('policies')) {
    it(`policies/${f}`, () => {
      const doc = load(`policies/${f}`);
      expect(st2Validator('policy')(doc)).to.deep.equal([]);
      expect(doc).to.deep.include({ policy_type: 'action.concurrency.attr', enabled: true });
      expect((doc.parameters as { attributes: string[] }).attributes).to.deep.equal(['in']);
    });
  }
  for (const f of yamls('triggers')) {
    it(`triggers/${f}`, () => {
      const doc = load(`triggers/${f}`);
      expect(trigger(doc)).to.deep.equal([]);
      expect(doc, 'a parameters_schema would remove the default trigger').to.not.have.property('parameters_schema');
    });
  }
});
