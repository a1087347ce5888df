/**
 * TCP senders cannot lock the bridge out: absurd octet counts close the connection (counted),
 * idle connections are closed, per-source and total limits refuse the excess, known routers are
 * never refused for the total limit, and `bytes` counts what was received. Real sockets on
 * 127.0.0.0/8 (source addresses 127.0.0.1-4), the real listener.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { FrameDecoder, maxOctetCount } from '../../bridge/framing.js';
import { listen, type Listeners } from '../../bridge/listen.js';
import { sleep, until } from '../support/bridge-proc.js';

const octet = (m: string) => `${Buffer.byteLength(m)} ${m}`;

interface Client {
  sock: net.Socket;
  closed: Promise<void>;
  isClosed: () => boolean;
}

async function connect(port: number, from = '127.0.0.1'): Promise<Client> {
  const sock = net.connect({ port, host: '127.0.0.1', localAddress: from });
  sock.on('error', () => undefined);
  let closed = false;
  const done = new Promise<void>((r) => sock.once('close', () => ((closed = true), r())));
  await new Promise<void>((r) => sock.once('connect', () => r()));
  return { sock, closed: done, isClosed: () => closed };
}

describe('bridge/framing: an absurd octet count', function () {
  it('stops the decoder (error set) after the frames before it; a large but plausible one is still truncated', function () {
    const dec = new FrameDecoder(4096);
    const out = dec.push(Buffer.from(`${octet('<13>before')}999999999 <13>swallow me${octet('<13>after')}`));
    expect(out.map((f) => f.data.toString())).to.deep.equal(['<13>before']);
    expect(dec.error).to.match(/^octet count 999999999 is longer than any message \(at most 1048576\)/);
    expect(dec.push(Buffer.from(octet('<13>later')))).to.deep.equal([]);
    const ok = new FrameDecoder(4096);
    const big = `<13>${'x'.repeat(10_000)}`;
    const frames = ok.push(Buffer.from(`${octet(big)}${octet('<13>next')}`));
    expect(frames.map((f) => [f.truncated, f.data.length])).to.deep.equal([[true, 4096], [false, 8]]);
    expect(ok.error).to.equal(null);
    expect(maxOctetCount(64 * 1024)).to.equal(1024 * 1024);
  });
});

describe('bridge/listen: TCP limits (real sockets)', function () {
  this.timeout(30_000);
  let l: Listeners | null = null;
  const got: Array<{ text: string; ip: string }> = [];
  const start = async (o: Partial<Parameters<typeof listen>[0]> = {}) => {
    got.length = 0;
    l = await listen({ tcp: [{ host: '127.0.0.1', port: 0 }], maxFrame: 4096, onMessage: (f, ip) => got.push({ text: f.data.toString(), ip }), ...o });
    return l.addresses[0]!.port;
  };
  afterEach(async () => {
    await l?.close();
    l = null;
  });

  it('closes a connection that claims an absurd octet count, counts it, and the sender is heard again after reconnecting', async () => {
    const port = await start();
    const a = await connect(port);
    const stream = `${octet('<13>one')}999999999 ${Array.from({ length: 980 }, (_, i) => octet(`<13>m${i}`)).join('')}`;
    a.sock.write(stream);
    await a.closed;
    expect(got.map((g) => g.text)).to.deep.equal(['<13>one']);
    expect(l!.stats().framingErrors).to.equal(1);
    const b = await connect(port);
    b.sock.end(octet('<13>two'));
    await until(() => got.length === 2, 5000, 'the message after reconnecting');
    expect(got[1]!.text).to.equal('<13>two');
  });

  it('counts bytes received, not the lengths senders claim', async () => {
    const port = await start();
    const a = await connect(port);
    const sent = `${octet('<13>hello')}100000 <13>${'y'.repeat(4996)}`;
    a.sock.write(sent);
    await until(() => l!.stats().bytes === Buffer.byteLength(sent), 5000, `bytes = ${Buffer.byteLength(sent)}`);
    await sleep(100);
    expect(l!.stats().bytes).to.equal(Buffer.byteLength(sent));
    a.sock.destroy();
  });

  it('closes idle connections and counts them', async () => {
    const port = await start({ idleTimeoutMs: 200 });
    const idle = await connect(port);
    const busy = await connect(port);
    const beat = setInterval(() => busy.sock.write('<13>beat\n'), 50);
    await idle.closed;
    clearInterval(beat);
    expect(busy.isClosed()).to.equal(false);
    expect(l!.stats().idleClosed).to.equal(1);
    busy.sock.destroy();
  });

  it('refuses connections over the per-source limit, and over the total for senders that are not known routers; known routers always get in', async () => {
    const port = await start({ maxPerSource: 3, maxConnections: 4, isKnown: (ip) => ip === '127.0.0.1' });
    const mine = await Promise.all([1, 2, 3, 4, 5].map(() => connect(port, '127.0.0.2')));
    await until(() => mine.filter((c) => c.isClosed()).length === 2, 5000, 'two over the per-source limit refused');
    expect(l!.stats().connectionsRefusedPerSource).to.equal(2);
    const other = await Promise.all([1, 2].map(() => connect(port, '127.0.0.3')));
    await until(() => other.filter((c) => c.isClosed()).length === 1, 5000, 'the fifth unknown connection refused');
    expect(l!.stats().connections).to.equal(4);
    // the table is full for unknown senders; the known router is let in and heard
    const router = await connect(port, '127.0.0.1');
    router.sock.write(octet('<13>from the router'));
    await until(() => got.some((g) => g.ip === '127.0.0.1'), 5000, 'the router message');
    expect(router.isClosed()).to.equal(false);
    const s = l!.stats();
    expect(s).to.include({ connections: 5, connectionsRefused: 3, connectionsRefusedPerSource: 2 });
    // a closed connection frees its room
    mine.find((c) => !c.isClosed())!.sock.destroy();
    await until(() => l!.stats().connections === 4, 5000, 'the close seen');
    const again = await connect(port, '127.0.0.4');
    again.sock.write(octet('<13>room again'));
    await until(() => got.some((g) => g.ip === '127.0.0.4'), 5000, 'the new sender heard');
    for (const c of [...mine, ...other, router, again]) c.sock.destroy();
  });

  it('TLS: the limits count connections before their handshake (a sender holding unfinished handshakes cannot fill the table)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netops-tls-limits-'));
    try {
      const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { encoding: 'utf8' });
      if (ssl.status !== 0) throw new Error(`openssl failed: ${ssl.stderr}`);
      l = await listen({
        tls: [{ host: '127.0.0.1', port: 0 }],
        tlsCert: readFileSync(join(dir, 'cert.pem')),
        tlsKey: readFileSync(join(dir, 'key.pem')),
        maxPerSource: 2,
        isKnown: (ip) => ip === '127.0.0.1',
        onMessage: (f, ip) => got.push({ text: f.data.toString(), ip }),
      });
      got.length = 0;
      const port = l.addresses[0]!.port;
      // plain TCP connections that never start the handshake
      const silent = await Promise.all([1, 2, 3].map(() => connect(port, '127.0.0.2')));
      await until(() => silent.filter((c) => c.isClosed()).length === 1, 5000, 'the third one refused');
      expect(l.stats()).to.include({ connectionsRefusedPerSource: 1, connections: 2 });
      // the router still gets in and is heard
      const t = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(join(dir, 'cert.pem')), servername: 'localhost' });
      await new Promise((r, j) => (t.once('secureConnect', r), t.once('error', j)));
      t.end(octet('<13>over tls'));
      await until(() => got.some((g) => g.text === '<13>over tls'), 5000, 'the TLS message');
      for (const c of silent) c.sock.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
