import { expect } from 'chai';
import http from 'node:http';
import https from 'node:https';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool } from '../../bridge/spool.js';
import { Deliverer, httpsOnSameHost } from '../../bridge/deliver.js';
import { testEvent } from '../support/events.js';
import { until } from '../support/bridge-proc.js';

/** A local server answering every POST with `answer()` (status and headers), recording event ids. */
async function server(answer: () => { status: number; headers?: Record<string, string> }, tlsOpts?: { key: Buffer; cert: Buffer }) {
  const ids: string[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const a = answer();
      if (a.status >= 200 && a.status < 300) ids.push((JSON.parse(body) as { payload: { id: string } }).payload.id);
      res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers });
      res.end(JSON.stringify({ faultstring: `answer ${a.status}` }));
    });
  };
  const srv = tlsOpts ? https.createServer(tlsOpts, handler) : http.createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  let requests = 0;
  srv.on('request', () => requests++);
  return { ids, port, requests: () => requests, close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }) };
}


describe('bridge/deliver: odd StackStorm answers lose nothing', function () {
  this.timeout(30_000);
  let dir: string;
  let spool: Spool;
  let d: Deliverer | null = null;
  const logs: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'netops-status-'));
    spool = await Spool.open({ dir });
    logs.length = 0;
  });
  afterEach(async () => {
    await d?.stop(1000);
    d = null;
    await spool.close();
    for (const c of closers.splice(0)) await c();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = (url: string, insecure = false) => {
    d = new Deliverer(spool, { url, apiKey: 'k', concurrency: 8, retryMinMs: 20, retryMaxMs: 100, insecure, log: (l, m) => logs.push(`${l}: ${m}`) });
    d.start();
  };

  it('a 301 to https on the same host is followed once, said so, and used from then on', async () => {
    const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { encoding: 'utf8' });
    if (ssl.status !== 0) throw new Error(`openssl failed: ${ssl.stderr}`);
    const secure = await server(() => ({ status: 202 }), { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    closers.push(secure.close);
    const plain = await server(() => ({ status: 301, headers: { Location: `https://127.0.0.1:${secure.port}/api/v1/webhooks/st2` } }));
    closers.push(plain.close);
    for (let i = 0; i < 20; i++) spool.append(testEvent(i));
    start(`http://127.0.0.1:${plain.port}/api/v1/webhooks/st2`, true);
    await until(() => secure.ids.length === 20, 10_000, '20 events over https');
    // Only the requests already under way when the redirect was learnt went to http (concurrency 8).
    expect(plain.requests()).to.be.within(1, 8);
    for (let i = 20; i < 40; i++) spool.append(testEvent(i));
    await until(() => secure.ids.length === 40, 10_000, '40 events over https');
    expect(plain.requests()).to.be.within(1, 8);
    expect(new Set(secure.ids).size).to.equal(40);
    expect(logs.filter((l) => /following it once and using https/.test(l))).to.have.length(1);
    expect(d!.stats().rejected).to.deep.equal({});
  });

  it('an https StackStorm whose certificate is not trusted keeps the backlog and says why (without --insecure)', async () => {
    const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { encoding: 'utf8' });
    if (ssl.status !== 0) throw new Error(`openssl failed: ${ssl.stderr}`);
    const secure = await server(() => ({ status: 202 }), { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    closers.push(secure.close);
    for (let i = 0; i < 3; i++) spool.append(testEvent(i));
    start(`https://127.0.0.1:${secure.port}/api/v1/webhooks/st2`);
    await until(() => Object.values(d!.stats().retries).reduce((a, b) => a + b, 0) >= 3, 5000, 'three refused attempts');
    expect(Object.keys(d!.stats().retries)).to.deep.equal(['DEPTH_ZERO_SELF_SIGNED_CERT']);
    expect(secure.ids).to.deep.equal([]);
    expect(spool.stats().depth).to.equal(3);
    expect(logs.some((l) => /not accepting events \(DEPTH_ZERO_SELF_SIGNED_CERT .*self.signed.*NODE_EXTRA_CA_CERTS, or --st2-insecure/i.test(l)), logs.join('\n')).to.equal(true);
  });

  for (const [status, re] of [
    [301, /redirect to http:\/\/elsewhere\.invalid\/.*set --st2-url/],
    [404, /HTTP 404 \(no webhook at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/webhooks\/st2: check --st2-url/],
    [401, /HTTP 401 \(authentication: check ST2_API_KEY/],
  ] as const) {
    it(`a ${status} keeps the backlog, logs the URL and what to fix, retries with backoff, then delivers everything`, async () => {
      let answer = { status: status as number, headers: { Location: 'http://elsewhere.invalid/api/v1/webhooks/st2' } };
      const srv = await server(() => answer);
      closers.push(srv.close);
      for (let i = 0; i < 10; i++) spool.append(testEvent(i, { level: i === 5 ? 'critical' : 'info' }));
      start(`http://127.0.0.1:${srv.port}/api/v1/webhooks/st2`);
      // The first 8 (concurrency) all answered, then probes one at a time.
      await until(() => (d!.stats().retries[String(status)] ?? 0) >= 12, 5000, 'retries');
      expect(spool.stats().depth).to.equal(10);
      expect(d!.stats().retries[String(status)]).to.be.at.least(3);
      expect(logs.some((l) => l.startsWith('error: ') && re.test(l)), logs.join('\n')).to.equal(true);
      answer = { status: 202, headers: { Location: '' } };
      await until(() => srv.ids.length === 10, 5000, 'all 10 delivered');
      expect(srv.ids[0], srv.ids.join(' ')).to.equal('id-5'); // the critical one is probed first
      expect(new Set(srv.ids).size).to.equal(10);
      expect(d!.stats().rejected).to.deep.equal({});
    });
  }

  it('a 400 or 422 removes only that event: counted and logged with the reason', async () => {
    let n = 0;
    const srv = await server(() => ({ status: ++n === 1 ? 400 : n === 2 ? 422 : 202 }));
    closers.push(srv.close);
    for (let i = 0; i < 5; i++) spool.append(testEvent(i));
    start(`http://127.0.0.1:${srv.port}/api/v1/webhooks/st2`);
    await until(() => spool.stats().depth === 0, 5000, 'spool empty');
    expect(d!.stats().rejected).to.deep.equal({ 400: 1, 422: 1 });
    expect(srv.ids).to.have.length(3);
    expect(logs.filter((l) => /rejected event id-\d \(info\) with HTTP (400|422): \{"faultstring":"answer 4\d\d"\}; not retrying/.test(l))).to.have.length(2);
  });

  it('follows only http → https on the same host', () => {
    expect(httpsOnSameHost('http://st2/api/v1/webhooks/st2', 'https://st2/api/v1/webhooks/st2')).to.equal('https://st2/api/v1/webhooks/st2');
    expect(httpsOnSameHost('http://st2/api', '/other')).to.equal(null);
    expect(httpsOnSameHost('http://st2/api', 'https://evil/api')).to.equal(null);
    expect(httpsOnSameHost('https://st2/api', 'https://st2/api2')).to.equal(null);
  });
});
