import { expect } from 'chai';
import dgram from 'node:dgram';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildPack } from '../../generator/build.js';
import { writePack } from '../../generator/write.js';
import { startBridge } from '../../bridge/bridge.js';
import { criterion, defaultForwardSet, forwards, loadForwardSet, type ForwardSet } from '../../bridge/forward.js';
import { webhookUrl } from '../../bridge/deliver.js';
import { testEvent } from '../support/events.js';
import { REPO } from '../support/st2-schemas.js';
import { startSt2Webhook, type WebhookDouble } from '../support/st2-webhook.js';

const BGP_UP = '<29>May  1 10:00:00 bma-edge1 bgpd[1234]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor 10.0.0.1(Unknown) in vrf default Up';
const IF_UP = '<31>Nov 24 22:39:00 bma-edge1 zebra[14927]: [V6YM8-PV4KB] MESSAGE: ZEBRA_INTERFACE_UP np1-e0 vrf default(0)';

describe('bridge/forward: post only what the rules can match', function () {
  this.timeout(60_000);
  let dir: string;
  let st2: WebhookDouble;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netops-forward-'));
    st2 = await startSt2Webhook({ apiKey: 'k', keepPayloads: true });
  });
  afterEach(async () => {
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rebuild = async (src: string) => {
    const files = await buildPack({ root: src, version: '1.0.0', bundle: false, eventFile: join(src, 'bridge', 'event.ts'), playbooksDir: join(src, 'playbooks') });
    writePack(join(src, 'pack'), files);
    return join(src, 'pack', 'bridge', 'forward.json');
  };

  /** Run a bridge on the forward set, send both lines, return the errors posted. */
  const run = async (forwardSet: string, tag: string): Promise<{ posted: string[]; notForwarded: number }> => {
    const b = await startBridge({
      udp: ['127.0.0.1:0'], tcp: [], tls: [], spoolDir: join(dir, `spool-${tag}`), webhookUrl: webhookUrl(st2.url), apiKey: 'k',
      forwardSet, flapWindowMs: 0, log: () => undefined,
    });
    const port = b.addresses.find((a) => a.transport === 'udp')!.port;
    const udp = dgram.createSocket('udp4');
    for (const m of [IF_UP, BGP_UP]) await new Promise<void>((r) => udp.send(m, port, '127.0.0.1', () => r()));
    udp.close();
    const before = st2.events.size;
    await st2.waitFor(() => st2.events.size > before && b.stats().parsed === 2, 10_000, 'the BGP event');
    await new Promise((r) => setTimeout(r, 300));
    const s = b.stats();
    await b.close(1000);
    return { posted: [...st2.events.values()].slice(before).map((e) => String(e.payload!.error)), notForwarded: s.not_forwarded };
  };

  it('an event no rule matches is not posted; adding a rule that matches it posts it after a rebuild', async () => {
    const src = join(dir, 'src');
    cpSync(join(REPO, 'test', 'golden', 'rule', 'src'), src, { recursive: true });
    const define = relative(join(src, 'rules'), join(REPO, 'runtime', 'define.js'));
    writeFileSync(join(src, 'rules', 'bgp-down.ts'), readFileSync(join(src, 'rules', 'bgp-down.ts'), 'utf8').replace(/'[./]+runtime\/define\.js'/, `'${define}'`));
    let file = await rebuild(src);
    expect(loadForwardSet(file).rules.map((r) => r.name)).to.deep.equal(['bgp_down']);
    let r = await run(file, 'a');
    expect(r.posted).to.deep.equal(['BGP_NEIGHBOR_STATE_CHANGED']);
    expect(r.notForwarded).to.equal(1);

    writeFileSync(join(src, 'rules', 'interface-up.ts'), `import { defineRule } from '${define}';\n\nexport default defineRule({\n  description: 'Interface up',\n  when: { error: ['equals', 'INTERFACE_UP'] },\n  post: 'up: {{ trigger.summary }}',\n});\n`);
    file = await rebuild(src);
    expect(loadForwardSet(file).rules.map((x) => x.name)).to.deep.equal(['bgp_down', 'interface_up']);
    r = await run(file, 'b');
    expect(r.posted.sort()).to.deep.equal(['BGP_NEIGHBOR_STATE_CHANGED', 'INTERFACE_UP']);
    expect(r.notForwarded).to.equal(0);
  });

  it('the repository pack carries the forward set of every rule', () => {
    const set = loadForwardSet(join(REPO, 'pack', 'bridge', 'forward.json'));
    expect(set.rules.map((r) => r.name)).to.include.members(['bgp_session_down', 'interface_down', 'event_storm']);
  });

  it('the CLI uses the package pack/bridge/forward.json by default (--forward-set none turns it off)', () => {
    expect(defaultForwardSet()).to.equal(join(REPO, 'pack', 'bridge', 'forward.json'));
  });

  it('evaluates StackStorm operators, erring towards posting, and the minimum level', () => {
    const ev = testEvent(1, { error: 'INTERFACE_DOWN', level: 'warning', interface: 'eth1', message_details: { user: 'ops' } });
    const c = (field: string, op: string, pattern: unknown) => criterion(ev, { field, op, pattern });
    expect(c('error', 'equals', 'INTERFACE_DOWN')).to.equal(true);
    expect(c('error', 'nequals', 'INTERFACE_DOWN')).to.equal(false);
    expect(c('error', 'regex', '_DOWN$')).to.equal(true);
    expect(c('error', 'iregex', '^interface')).to.equal(true);
    expect(c('interface', 'matchwildcard', 'eth[0-9]')).to.equal(true);
    expect(c('message_details.user', 'equals', 'ops')).to.equal(true);
    expect(c('recovers', 'exists', '')).to.equal(false);
    expect(c('peer', 'nexists', '')).to.equal(false);
    expect(c('timestamp', 'greaterthan', 5)).to.equal(true);
    expect(c('error', 'timediff_lt', 10)).to.equal(true); // cannot evaluate here: posts
    expect(c('error', 'regex', '(')).to.equal(true); // bad pattern: posts
    const set: ForwardSet = { source: 'x', rules: [{ name: 'r', criteria: [{ field: 'error', op: 'equals', pattern: 'BGP_X' }] }] };
    expect(forwards(ev, set, 'critical')).to.equal(false);
    expect(forwards(ev, set, 'warning')).to.equal(true);
    expect(forwards({ ...ev, error: 'BGP_X' }, set, 'none')).to.equal(true);
    expect(forwards(ev, null)).to.equal(true);
  });
});
