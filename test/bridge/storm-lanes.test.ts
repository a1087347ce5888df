/**
 * The storm of issue 11 in small: a flood of info events, a webhook double that takes about
 * 200 requests per second (40 ms per request, 8 in flight), and critical events sent in the
 * middle of it. Real bridge, real UDP, real spool; a restart in the middle of the backlog.
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridge, type Bridge } from '../../bridge/bridge.js';
import { webhookUrl } from '../../bridge/deliver.js';
import { startSt2Webhook, type WebhookDouble } from '../support/st2-webhook.js';

const peer = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const line = (i: number, state: 'Up' | 'Down') => `<29>May  1 10:00:00 bma-edge1 bgpd[1234]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor ${peer(i)}(Unknown) in vrf default ${state}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bridge: critical events first through a storm StackStorm cannot absorb', function () {
  this.timeout(120_000);
  let dir: string;
  let st2: WebhookDouble;
  let bridge: Bridge | null = null;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netops-storm-'));
    st2 = await startSt2Webhook({ apiKey: 'k' });
    st2.behave({ delayMs: 40 });
  });
  afterEach(async () => {
    await bridge?.close(1000);
    bridge = null;
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async () => {
    bridge = await startBridge({
      udp: ['127.0.0.1:0'], tcp: [], tls: [], spoolDir: join(dir, 'spool'), webhookUrl: webhookUrl(st2.url), apiKey: 'k',
      flapWindowMs: 0, stormThreshold: 0, log: () => undefined,
    });
    return bridge.addresses.find((a) => a.transport === 'udp')!.port;
  };

  it('criticals reach the webhook within 1 s each, infos all later exactly once by id, across a restart that keeps the lanes', async () => {
    let port = await start();
    const udp = dgram.createSocket('udp4');
    const send = (m: string) => new Promise<void>((r) => udp.send(m, port, '127.0.0.1', () => r()));
    const sentAt = new Map<string, number>();
    const critical = (i: number) => {
      sentAt.set(peer(i), Date.now());
      return send(line(i, 'Down'));
    };
    for (let i = 0; i < 1500; i++) {
      await send(line(i, 'Up'));
      if (i % 100 === 99) await sleep(5);
      if (i === 700 || i === 1200) await critical(100_000 + i);
    }
    await sleep(200);
    for (let k = 0; k < 3; k++) await critical(200_000 + k);
    await st2.waitFor(() => [...st2.events.values()].filter((e) => e.level === 'critical').length === 5, 10_000, '5 criticals');
    // Restart with most of the info backlog still spooled.
    const before = bridge!.stats().spool.depthByLevel.info;
    expect(before).to.be.greaterThan(500);
    await bridge!.close(2000);
    bridge = null;
    port = await start();
    expect(bridge!.stats().spool.recovered).to.be.greaterThan(400);
    for (let k = 0; k < 3; k++) await critical(300_000 + k);
    await st2.waitFor(() => st2.events.size === 1508, 60_000, 'every event');
    udp.close();

    const evs = [...st2.events.values()];
    const crit = evs.filter((e) => e.level === 'critical');
    expect(crit).to.have.length(8);
    const lat = crit.map((e) => e.firstAt - sentAt.get(/neighbor (\S+)\(/.exec(e.raw)![1]!)!);
    expect(Math.max(...lat), `latencies ${lat.join(', ')} ms`).to.be.below(1000);
    // The infos: all of them, each exactly once, and the last one after the last critical.
    const infos = evs.filter((e) => e.level === 'info');
    expect(infos).to.have.length(1500);
    expect(infos.every((e) => e.count === 1)).to.equal(true);
    expect(Math.max(...infos.map((e) => e.firstAt))).to.be.greaterThan(Math.max(...crit.map((e) => e.firstAt)));
    expect(bridge!.stats().dropped_total).to.equal(0);
  });
});
