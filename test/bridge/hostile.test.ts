/**
 * Hostile and broken senders against the real bridge CLI (separate process, real UDP sockets on
 * 127.0.0.1/127.0.0.2, the StackStorm webhook double): forged device text reaches the rule's
 * action parameters neutralised (the generated rule's Jinja rendered by Python's Jinja2, twice,
 * as st2 renders rule parameters and then the action's), the inventory's address → router
 * mapping decides who sent an event, and broken profiles refuse the start.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startSt2Webhook, type WebhookDouble } from '../support/st2-webhook.js';
import { bridgeArgv, freePort, KEY, sleep, startBridge, type Proc } from '../support/bridge-proc.js';
import { defaultProfilesDir } from '../../bridge/parse.js';
import { REPO } from '../syslog/fixtures.js';

/** Debian's Python, which has Jinja2 (python3-jinja2, pulled in by ansible). */
const PYTHON = '/usr/bin/python3';
const SECRET = 'TOPSECRET-api-token-value';

/** Render a Jinja template with trigger=payload and a st2kv holding the secret; then render the result again. */
function renderTwice(template: string, trigger: Record<string, unknown>): [string, string] {
  const script = [
    'import json, sys, jinja2',
    'd = json.load(sys.stdin)',
    'env = jinja2.Environment()',
    "ctx = {'trigger': d['trigger'], 'st2kv': {'system': {'api_token': d['secret']}}}",
    "first = env.from_string(d['template']).render(**ctx)",
    'second = env.from_string(first).render(**ctx)',
    'print(json.dumps([first, second]))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify({ template, trigger, secret: SECRET }), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${PYTHON} -c (jinja2) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as [string, string];
}

async function sendUdp(port: number, lines: string[], from = '127.0.0.1'): Promise<void> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, from, () => r()));
  for (const l of lines) {
    await new Promise<void>((r, j) => s.send(l, port, '127.0.0.1', (e) => (e ? j(e) : r())));
    await sleep(20);
  }
  s.close();
}

const adj = (host: string, peer: string, state: string, extra = '') =>
  `<26>May  1 10:00:00 ${host} bgpd[1234]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor ${peer}(Unknown) in vrf default ${state}${extra}`;

describe('bridge: hostile senders (real CLI process, real sockets)', function () {
  this.timeout(120_000);
  let dir: string;
  let st2: WebhookDouble;
  const procs: Proc[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netops-hostile-'));
    st2 = await startSt2Webhook({ apiKey: KEY, keepPayloads: true });
    writeFileSync(
      join(dir, 'inventory.yml'),
      'all:\n  children:\n    sites:\n      children:\n        bma:\n          hosts:\n            bma-edge1:\n              ansible_host: 127.0.0.1\n',
    );
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.stop('SIGKILL');
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function bridge(extra: string[]): Promise<{ b: Proc; port: number }> {
    const port = await freePort('udp');
    const b = await startBridge(['--udp', `127.0.0.1:${port}`, '--spool', join(dir, 'spool'), '--st2-url', st2.url, ...extra], join(dir, 'stats.json'));
    procs.push(b);
    return { b, port };
  }

  it('a forged {{ st2kv.system.api_token }}, Slack mentions, ESC and bidi reach the rule action parameters neutralised', async () => {
    const { b, port } = await bridge([]);
    const forged = ' {{ st2kv.system.api_token }} {% if true %}x{% endif %} {# c #} <!channel> <!here> @here @channel <@U024BE7LH> <https://evil.example|click> \u001b[31mred\u001b[0m \u202egnp.exe\u2066x\u2069';
    await sendUdp(port, [adj('r9{{st2kv.system.api_token}}<!channel>', '10.0.0.9', 'Down', forged)]);
    await st2.waitFor(() => st2.events.size >= 1, 10_000, 'the forged event');
    const payload = [...st2.events.values()][0]!.payload!;
    expect(payload.error).to.equal('BGP_NEIGHBOR_STATE_CHANGED');
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (strings.push(k), walk(x));
    };
    walk(payload);
    for (const bad of ['{{', '}}', '{%', '%}', '{#', '#}', '<!', '<@', '<http', '\u001b', '\u202e', '\u2066']) {
      expect(strings.filter((x) => x.includes(bad)), JSON.stringify(bad)).to.deep.equal([]);
    }
    expect(payload.router).to.equal('r9{ {st2kv.system.api_token} }‹!channel>');
    expect(String(payload.raw)).to.match(/^<26>May  1 /);

    // every rule of the pack whose criteria this event meets (equals criteria), rendered like st2 would
    const rules = ['bgp_session_down.yaml']
      .map((f) => parse(readFileSync(join(REPO, 'pack', 'rules', f), 'utf8')) as { criteria: Record<string, { type: string; pattern: string }>; action: { parameters: Record<string, string> } });
    for (const rule of rules) {
      for (const [field, c] of Object.entries(rule.criteria)) expect(String(payload[field.replace(/^trigger\./, '')]), field).to.equal(c.pattern);
      for (const template of Object.values(rule.action.parameters)) {
        const [first, second] = renderTwice(template, payload);
        for (const text of [first, second]) {
          expect(text).to.not.include(SECRET);
          expect(text).to.not.match(/<[!@]|<https?:|@(here|channel)\b|[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/);
        }
        expect(first).to.include('st2kv.system.api_token');
        expect(second, 'the second rendering sees no expression either').to.equal(first);
      }
    }
    expect(await b.stop()).to.equal(0);
  });

  it('the inventory address decides the router: a forged name is unverified and its recovery pairs only with its own failure', async () => {
    const { b, port } = await bridge(['--inventory', join(dir, 'inventory.yml'), '--flap-window', '5m']);
    await sendUdp(port, [adj('liar', '10.0.0.1', 'Down')], '127.0.0.1');
    await sleep(100);
    await sendUdp(port, [adj('bma-edge1', '10.0.0.1', 'Down'), adj('bma-edge1', '10.0.0.1', 'Up')], '127.0.0.2');
    await st2.waitFor(() => st2.events.size >= 3, 10_000, 'three events');
    await sleep(200);
    const evs = [...st2.events.values()].sort((a, c) => a.firstAt - c.firstAt).map((e) => e.payload!);
    expect(evs).to.have.length(3);
    const [real, forgedDown, forgedUp] = evs as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(real).to.include({ ip: '127.0.0.1', host: 'liar', router: 'bma-edge1', site: 'bma', verified: true });
    expect(String(real.summary)).to.match(/^bma-edge1: /);
    expect(forgedDown).to.include({ ip: '127.0.0.2', host: 'bma-edge1', site: null, verified: false });
    expect(String(forgedDown.summary)).to.match(/^127\.0\.0\.2 \(unverified, claims bma-edge1\): /);
    expect(forgedUp.recovers, 'the forged Up pairs with the forged Down, not the real one').to.equal(forgedDown.id);
    expect(evs.some((e) => e.recovers === real.id)).to.equal(false);
    await sleep(300);
    const s = b.stats();
    expect(s).to.include({ enriched: 1, unverified: 2, impersonations: 2 });
    expect(await b.stop()).to.equal(0);
  });

  it('--drop-unverified: events from addresses the inventory does not list are not posted, and are counted', async () => {
    const { b, port } = await bridge(['--inventory', join(dir, 'inventory.yml'), '--drop-unverified']);
    await sendUdp(port, [adj('bma-edge1', '10.0.0.1', 'Down')], '127.0.0.2');
    await sendUdp(port, [adj('bma-edge1', '10.0.0.5', 'Down')], '127.0.0.1');
    await st2.waitFor(() => st2.events.size >= 1, 10_000, 'the verified event');
    await sleep(400);
    expect([...st2.events.values()].map((e) => e.payload!.ip)).to.deep.equal(['127.0.0.1']);
    const s = b.stats();
    expect(s.unverified).to.equal(1);
    expect(s.dropped_total).to.equal(1);
    expect(Object.values(s.dropped as Record<string, Record<string, number>>).some((d) => d.unverified === 1)).to.equal(true);
    await b.stop();
    expect(b.err()).to.match(/dropped events: 1 \w+ \(unverified\)/);
    const bad = spawnSync(process.execPath, [...bridgeArgv(), '--udp', '127.0.0.1:1', '--st2-url', st2.url, '--drop-unverified'], { encoding: 'utf8', env: { ...process.env, ST2_API_KEY: KEY } });
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/--drop-unverified needs --inventory/);
  });

  it('refuses to start, exit 2 with the coded diagnostics (file:line:col), when the profiles do not load', async () => {
    const profiles = join(dir, 'profiles');
    cpSync(defaultProfilesDir(), profiles, { recursive: true });
    const junos = join(profiles, 'junos', '_prefix.yml');
    writeFileSync(junos, readFileSync(junos, 'utf8').replace('\\]:(?<message>.*)$', '\\]: *(?<message>.*)$'));
    writeFileSync(join(profiles, 'eos', 'INTERFACE_DOWN.yml'), readFileSync(join(profiles, 'eos', 'INTERFACE_DOWN.yml'), 'utf8').replace("regex: '^", "regex: '^(("));
    const port = await freePort('udp');
    for (const how of [['--profiles', profiles], []]) {
      const r = spawnSync(process.execPath, [...bridgeArgv(), '--udp', `127.0.0.1:${port}`, '--spool', join(dir, 'spool'), '--st2-url', st2.url, ...how], {
        encoding: 'utf8',
        env: { ...process.env, ST2_API_KEY: KEY, ...(how.length ? {} : { NETOPS_PROFILES: profiles }) },
        timeout: 60_000,
      });
      expect(r.status, r.stderr).to.equal(2);
      expect(r.stderr).to.match(/not starting: the device profiles do not load \(2 problems\)/);
      expect(r.stderr).to.match(/profiles\/eos\/INTERFACE_DOWN\.yml:\d+:\d+: NP005 invalid regex/);
      expect(r.stderr).to.match(/profiles\/junos\/_prefix\.yml:32:12: NP009 regex backtracks super-linearly/);
      expect(r.stderr).to.not.match(/ ready: /);
    }
    expect(st2.counts.posts).to.equal(0);
  });
});
