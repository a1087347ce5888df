import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool, type Level } from '../../bridge/spool.js';
import { Deliverer, webhookUrl, redactUrl } from '../../bridge/deliver.js';
import type { DeviceEvent } from '../../bridge/event.js';
import { testEvent } from '../support/events.js';
import { startSt2Webhook, TRIGGER_FILE, type WebhookDouble } from '../support/st2-webhook.js';

const KEY = 'test-key-0123456789';

function ev(i: number, level: Level = 'info'): DeviceEvent {
  return testEvent(i, {
    error: 'INTERFACE_DOWN', yang_model: 'openconfig-interfaces', peer: null, interface: `eth${i}`, state: 'down', level, summary: `r1: eth${i} down`,
  });
}

describe('bridge/deliver', function () {
  this.timeout(30_000);
  let dir: string;
  let st2: WebhookDouble;
  let spool: Spool;
  let d: Deliverer | null = null;
  const logs: string[] = [];
  const log = (l: string, m: string) => logs.push(`${l}: ${m}`);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netops-deliver-'));
    st2 = await startSt2Webhook({ apiKey: KEY });
    spool = await Spool.open({ dir });
    logs.length = 0;
  });
  afterEach(async () => {
    await d?.stop(1000);
    d = null;
    await spool.close();
    await st2.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (o: Partial<ConstructorParameters<typeof Deliverer>[1]> = {}) => {
    d = new Deliverer(spool, { url: webhookUrl(st2.url), apiKey: KEY, retryMinMs: 20, retryMaxMs: 100, log, ...o });
    d.start();
    return d;
  };

  it('builds the webhook URL from a base URL, an API URL or a full hook URL', () => {
    expect(webhookUrl('https://st2.example')).to.equal('https://st2.example/api/v1/webhooks/st2');
    expect(webhookUrl('https://st2.example/api/')).to.equal('https://st2.example/api/v1/webhooks/st2');
    expect(webhookUrl('http://127.0.0.1:9101', 'api')).to.equal('http://127.0.0.1:9101/v1/webhooks/st2');
    expect(webhookUrl('https://st2.example/api/v1/webhooks/st2')).to.equal('https://st2.example/api/v1/webhooks/st2');
    expect(redactUrl('https://user:secret@st2.example/?st2-api-key=k')).to.equal('https://st2.example/');
  });

  it('posts {trigger, payload} with St2-Api-Key; the payload passes the pack schema; 202 finishes it', async () => {
    for (let i = 0; i < 200; i++) spool.append(ev(i, i % 10 === 0 ? 'critical' : 'info'));
    start();
    await st2.waitFor(() => st2.events.size === 200, 10_000, '200 events');
    expect(st2.counts.invalid).to.deep.equal([]);
    expect(st2.counts.byStatus).to.deep.equal({ 202: 200 });
    // The double validates with the pack's trigger schema once the generator has written it.
    if (existsSync(TRIGGER_FILE)) expect(st2.schemaSource).to.equal(TRIGGER_FILE);
    expect([...st2.events.values()].every((e) => e.count === 1 && e.flagged === 0)).to.equal(true);
    await st2.waitFor(() => spool.stats().depth === 0, 2000, 'spool empty');
    expect(d!.stats().delivered).to.equal(200);
  });

  it('a wrong key (401) is retried, not thrown away, and logged as an authentication problem', async () => {
    start({ apiKey: 'wrong' });
    spool.append(ev(1));
    await st2.waitFor(() => (st2.counts.byStatus[401] ?? 0) >= 2, 5000, 'two 401s');
    expect(spool.stats().depth).to.equal(1);
    expect(d!.stats().rejected).to.deep.equal({});
    expect(logs.join('\n')).to.match(/authentication/);
    expect(logs.join('\n')).not.to.include('wrong');
  });

  it('a 400 is a permanent rejection: counted, logged with the id, and the queue moves on', async () => {
    spool.append({ ...ev(1), level: 'info', summary: undefined } as unknown as DeviceEvent);
    spool.append(ev(2));
    start();
    await st2.waitFor(() => st2.events.has('id-2'), 5000, 'id-2');
    expect(d!.stats().rejected).to.deep.equal({ 400: 1 });
    expect(logs.some((l) => /rejected event id-1 .*HTTP 400/.test(l))).to.equal(true);
    await st2.waitFor(() => spool.stats().depth === 0, 2000, 'spool empty');
  });

  it('retries 5xx, 429 and refused connections with backoff, then drains in order', async () => {
    st2.behave({ status: 503 });
    start({ concurrency: 1 });
    for (let i = 0; i < 5; i++) spool.append(ev(i));
    await st2.waitFor(() => (st2.counts.byStatus[503] ?? 0) >= 3, 5000, '503s');
    st2.behave({ status: 429 });
    await st2.waitFor(() => (st2.counts.byStatus[429] ?? 0) >= 2, 5000, '429s');
    await st2.stop();
    for (let i = 5; i < 50; i++) spool.append(ev(i, i % 2 ? 'warning' : 'info'));
    await new Promise((r) => setTimeout(r, 300));
    expect(d!.stats().failing).to.equal(true);
    expect(Object.keys(d!.stats().retries)).to.include.members(['503', '429', 'ECONNREFUSED']);
    st2.behave({});
    await st2.start();
    await st2.waitFor(() => st2.events.size === 50, 10_000, '50 events');
    const order = [...st2.events.entries()].sort((a, b) => a[1].firstAt - b[1].firstAt).map(([id]) => id);
    // In order within each lane; the warnings (odd ids from 5) first, with info its guaranteed share.
    const odd = (id: string) => Number(id.slice(3)) >= 5 && Number(id.slice(3)) % 2 === 1;
    expect(order.filter(odd)).to.deep.equal(Array.from({ length: 50 }, (_, i) => `id-${i}`).filter(odd));
    expect(order.filter((id) => !odd(id))).to.deep.equal(Array.from({ length: 50 }, (_, i) => `id-${i}`).filter((id) => !odd(id)));
    expect(st2.events.get('id-0')!.flagged).to.equal(1); // the retried one says it may be a redelivery
    expect(logs.some((l) => /accepts events again/.test(l))).to.equal(true);
  });

  it('treats a slow StackStorm (timeout) as down and redelivers with the same id', async () => {
    // undici checks its timeouts about once a second: a 100 ms timeout fires within ≈ 1 s
    st2.behave({ delayMs: 2500 });
    start({ timeoutMs: 100, concurrency: 2 });
    spool.append(ev(7));
    await st2.waitFor(() => (d!.stats().retries.timeout ?? 0) >= 1, 5000, 'a timeout');
    st2.behave({});
    await st2.waitFor(() => spool.stats().depth === 0, 5000, 'delivered');
    // The slow first attempt may have been accepted too: at-least-once, same id.
    expect(st2.events.get('id-7')!.count).to.be.at.least(1);
    expect(st2.events.size).to.equal(1);
  });
});
