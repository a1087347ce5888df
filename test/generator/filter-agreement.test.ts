/**
 * One source of validation: whatever the playbooks' filter (netops_params in
 * playbooks/filter_plugins/netops_filters.py, run here by the real Python with Ansible) refuses,
 * the task's generated type refuses too, both in the runtime (the pack's compiled Ajv validators)
 * and in StackStorm (Python's re.search over the emitted pattern, as st2's jsonschema does).
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { REPO } from '../support/st2-schemas.js';

type Validate = ((d: unknown) => boolean) & { errors?: { instancePath: string }[] | null };

const SAMPLES: Record<string, { param: string; filterKind: string; values: (string | number)[] }> = {
  description: {
    param: 'description', filterKind: 'description',
    values: ['transit-a', 'peer two', '{{ 7*7 }}', 'x; reboot', '$(id) `id` %s {% raw %}', '50% off', 'why?', 'a#b', 'a>b', '% Unknown command',
      '%Error here', '% Create the peer first', "% Can't find it", 'route not found', 'bgpd is not running', 'SYNTAX ERROR', 'Invalid input',
      'connection timed out', 'ambiguous command', '   ', 'tab\there', 'line\nbreak', 'a\u2028b', 'café', 'x'.repeat(80), 'x'.repeat(81)],
  },
  ip: {
    param: 'ip', filterKind: 'ip',
    values: ['10.0.0.1', '1.1.1.1', '223.255.255.255', '100.64.0.1', '0.0.0.0', '127.0.0.1', '127.255.255.254', '224.0.0.5', '239.255.255.255',
      '255.255.255.255', '240.0.0.1', '10.0.0.256', '01.2.3.4', '::1', '10.0.0.1 '],
  },
  password: {
    param: 'password', filterKind: 'secret',
    values: ['Zz9-secret', 'p@ss:word!', 'a b', 'a#b', 'q?', 'x>y', '%error', 'x'.repeat(81), 'ümlaut'],
  },
  as: { param: 'as', filterKind: 'asn', values: [1, 65100, 4294967295, 0, 4294967296, 99999999999] },
};

const PY = `
import json, re, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
import netops_filters as f
req = json.load(sys.stdin)
out = {}
for key, s in req["samples"].items():
    schema = req["schemas"].get(key) or {}
    pattern, most = schema.get("pattern"), schema.get("maxLength")
    rows = []
    for v in s["values"]:
        refused = any(f._check(s["filterKind"], key, v, os)[1] for os in ("frr.frr.frr", None))
        st2 = None if pattern is None else bool(re.search(pattern, v)) and (most is None or len(v) <= most)
        rows.append({"value": v, "filter_refuses": refused, "st2_accepts": st2})
    out[key] = rows
print(json.dumps(out))
`;

describe('validation: the task types refuse what the playbook filter refuses', function () {
  this.timeout(60_000);
  let rows: Record<string, { value: string | number; filter_refuses: boolean; st2_accepts: boolean | null }[]> = {};
  let validate: Validate;
  const base = { in: 'bma', ip: '10.0.0.1', as: 65100 } as Record<string, unknown>;

  before(async () => {
    const meta = parse(readFileSync(join(REPO, 'pack', 'actions', 'add_peer.yaml'), 'utf8')) as { parameters: Record<string, { pattern?: string; maxLength?: number }> };
    const schemas = Object.fromEntries(Object.keys(SAMPLES).filter((k) => meta.parameters[k]?.pattern).map((k) => [k, meta.parameters[k]]));
    const r = await execa('/usr/bin/python3', ['-c', PY, join(REPO, 'playbooks', 'filter_plugins')], { input: JSON.stringify({ samples: SAMPLES, schemas }) });
    rows = JSON.parse(r.stdout) as typeof rows;
    const bundle = (await import(pathToFileURL(join(REPO, 'pack', 'actions', 'runtime', 'netops.mjs')).href)) as { validators: Record<string, Validate> };
    validate = bundle.validators.add_peer!;
  });

  const runtimeRefuses = (param: string, value: unknown): boolean => {
    const ok = validate({ ...base, [param]: value });
    return !ok && (validate.errors ?? []).some((e) => e.instancePath === `/${param}`);
  };

  for (const key of Object.keys(SAMPLES)) {
    it(`${key}: every value the filter refuses is refused by the runtime and by StackStorm's schema check`, () => {
      expect(rows[key], 'python ran').to.have.length(SAMPLES[key]!.values.length);
      const leaks = rows[key]!.filter((r) => r.filter_refuses && (!runtimeRefuses(key, r.value) || r.st2_accepts === true)).map((r) => r.value);
      expect(leaks, 'refused by the playbook, let through by the type').to.deep.equal([]);
      // and the type is not simply refusing everything: the filter's good values pass
      const good = rows[key]!.filter((r) => !r.filter_refuses && runtimeRefuses(key, r.value) === false).map((r) => r.value);
      expect(good.length, 'some values pass both').to.be.greaterThan(0);
    });
  }

  it('the st2 pattern (Python re) and the runtime (JavaScript) agree on every sample', () => {
    for (const key of ['description', 'ip', 'password']) {
      for (const r of rows[key]!) {
        if (typeof r.value === 'string' && r.value.endsWith('\n')) continue; // Python's $ also matches before a final newline
        expect(r.st2_accepts, `${key}=${JSON.stringify(r.value)}`).to.equal(!runtimeRefuses(key, r.value));
      }
    }
  });

  it('refuses the addresses and descriptions the issue names', () => {
    for (const ip of ['0.0.0.0', '127.0.0.1', '127.1.2.3', '224.0.0.1', '239.0.0.1', '255.255.255.255']) expect(runtimeRefuses('ip', ip), ip).to.equal(true);
    for (const d of ['a?', 'a#', 'a>', '% Unknown command']) expect(runtimeRefuses('description', d), d).to.equal(true);
    expect(runtimeRefuses('as', 4294967296)).to.equal(true);
    expect(runtimeRefuses('ip', '10.0.0.1')).to.equal(false);
  });
});
