/**
 * Soak: the real bridge at a sustained rate with every event forwarded, checked by id at the
 * webhook double: zero drops, every id exactly once, no spool write error. Short in the suite
 * (NETOPS_SOAK_RUNS=1, NETOPS_SOAK_SECONDS=5, 2,000 msg/s); the long soak of issue 11 is
 * NETOPS_SOAK_RUNS=5 NETOPS_SOAK_SECONDS=60 NETOPS_SOAK_RATE=7500 (figures in docs/bridge-lanes.md).
 */
import { expect } from 'chai';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBridge } from '../../bridge/bridge.js';
import { webhookUrl } from '../../bridge/deliver.js';
import { startSt2Webhook } from '../support/st2-webhook.js';

const RUNS = Number(process.env.NETOPS_SOAK_RUNS ?? 1) || 1;
const SECONDS = Number(process.env.NETOPS_SOAK_SECONDS ?? 5) || 5;
const RATE = Number(process.env.NETOPS_SOAK_RATE ?? 2000) || 2000;

describe(`bridge soak: ${RUNS} run(s) of ${SECONDS} s at ${RATE} msg/s, zero drops, checked by id`, function () {
  this.timeout((SECONDS + 90) * 1000 * RUNS);
  for (let run = 0; run < RUNS; run++) {
    it(`run ${run + 1}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'netops-soak-'));
      const st2 = await startSt2Webhook({ apiKey: 'k' });
      const errors: string[] = [];
      const b = await startBridge({
        udp: ['127.0.0.1:0'], tcp: [], tls: [], spoolDir: join(dir, 'spool'), webhookUrl: webhookUrl(st2.url), apiKey: 'k',
        forwardUnknown: true, flapWindowMs: 0, stormThreshold: 0, concurrency: 16, spoolFsync: true,
        log: (l, m) => (l === 'error' ? errors.push(m) : undefined),
      });
      try {
        const port = b.addresses.find((a) => a.transport === 'udp')!.port;
        const sock = dgram.createSocket('udp4');
        sock.connect(port, '127.0.0.1');
        await new Promise<void>((r) => sock.once('connect', () => r()));
        const total = RATE * SECONDS;
        const t0 = Date.now();
        let sent = 0;
        await new Promise<void>((done) => {
          const tick = () => {
            const due = Math.min(total, Math.floor(((Date.now() - t0) * RATE) / 1000));
            while (sent < due) sock.send(`<14>May  1 10:00:00 soak-host soak[1]: soak run ${run} message ${sent++}`);
            if (sent >= total) return done();
            setTimeout(tick, 2);
          };
          tick();
        });
        await st2.waitFor(() => st2.events.size >= total || b.stats().dropped_total > 0, 60_000 + SECONDS * 2000, `${total} events`).catch(() => undefined);
        sock.close();
        const s = b.stats();
        expect(s.dropped_total, JSON.stringify(s.dropped)).to.equal(0);
        expect(s.udp_kernel_drops ?? 0).to.equal(0);
        expect(s.spool.writeErrors).to.equal(0);
        expect(errors.filter((e) => /cannot write|file closed/.test(e))).to.deep.equal([]);
        expect(st2.events.size).to.equal(total);
        const bySummary = new Set([...st2.events.values()].map((e) => /message (\d+)$/.exec(e.raw)![1]));
        expect(bySummary.size).to.equal(total);
        expect([...st2.events.values()].every((e) => e.count === 1)).to.equal(true);
      } finally {
        await b.close(2000);
        await st2.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
