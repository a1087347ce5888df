/**
 * TCP back-pressure: when the spool fills (StackStorm refusing, so nothing drains), the bridge
 * pauses reading the TCP connection instead of dropping; when StackStorm accepts again and the
 * spool drains, it resumes, and every line arrives exactly once. Real TCP socket, real spool,
 * the webhook double. No timed assertion: the test waits for states.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridge, type Bridge } from '../../bridge/bridge.js';
import { webhookUrl } from '../../bridge/deliver.js';
import { startSt2Webhook, type WebhookDouble } from '../support/st2-webhook.js';

const TOTAL = 12_000;
const MAX_EVENTS = 3000;
const line = (i: number) => `<30>May  1 10:00:00 srv1 sshd[22]: Accepted publickey for ops from 192.0.2.7 port ${i % 60000} ssh2 seq=${i}\n`;

describe('bridge: TCP back-pressure (pause the socket instead of dropping)', function () {
  this.timeout(120_000);
  let dir: string;
  let st2: WebhookDouble;
  let bridge: Bridge | null = null;
  const seen = new Map<number, number>();
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netops-backpressure-'));
    seen.clear();
    st2 = await startSt2Webhook({
      apiKey: 'k',
      onEvent: (p) => {
        const m = /seq=(\d+)$/.exec(String(p.raw));
        if (m) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
      },
    });
  });
  afterEach(async () => {
    await bridge?.close(1000);
    bridge = null;
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pauses the connection while the spool is full, resumes when it drains, drops nothing', async () => {
    st2.behave({ status: 503 });
    bridge = await startBridge({
      udp: [], tcp: ['127.0.0.1:0'], tls: [], spoolDir: join(dir, 'spool'), spoolMaxEvents: MAX_EVENTS, spoolFsync: false,
      webhookUrl: webhookUrl(st2.url), apiKey: 'k', retryMinMs: 20, retryMaxMs: 100,
      forwardUnknown: true, flapWindowMs: 0, stormThreshold: 0, log: () => undefined,
    });
    const port = bridge.addresses.find((a) => a.transport === 'tcp')!.port;
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.on('error', () => undefined);
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let text = '';
    for (let i = 0; i < TOTAL; i++) text += line(i);
    sock.end(text);

    // StackStorm refuses everything: the spool fills to half its bound and the socket is paused.
    await st2.waitFor(() => bridge!.stats().connections.pausedNow === 1, 60_000, 'the connection paused');
    const full = bridge.stats();
    expect(full.received.tcp).to.be.below(TOTAL);
    expect(full.spool.depth).to.be.at.most(MAX_EVENTS);
    expect(full.dropped_total).to.equal(0);

    // StackStorm accepts again: the spool drains, reading resumes, every line arrives.
    st2.behave({ status: null });
    await st2.waitFor(() => seen.size === TOTAL, 90_000, 'every line at the webhook');
    const s = bridge.stats();
    expect(s.received.tcp).to.equal(TOTAL);
    expect(s.dropped_total).to.equal(0);
    expect(s.connections.paused).to.be.at.least(1);
    expect([...seen.values()].every((n) => n === 1)).to.equal(true);
    expect(Object.values(s.dropped).flatMap((d) => Object.keys(d))).to.deep.equal([]);
  });
});
