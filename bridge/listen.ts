/**
 * Syslog listeners: UDP (RFC 5426, one message per datagram), TCP (RFC 6587, octet counting or
 * LF framing, detected per frame) and TLS (RFC 5425). Each message is handed to `onMessage`
 * with the sender address and the receipt time.
 *
 * UDP: the kernel drops datagrams when the socket's receive buffer is full and the process never
 * sees them. So the UDP sockets live in a worker thread that does nothing but drain them into
 * batches for the main thread (libuv reads at most 32 datagrams per loop turn, so a main thread
 * busy with HTTP would fall behind); the batches wait in a bounded in-process queue
 * (`udpQueueBytes`) whose overflow is counted (`udpQueueDrops`). The sockets also ask for a large
 * SO_RCVBUF (`recvBufferSize`, default 8 MiB; Linux caps it at `net.core.rmem_max`, so raise that
 * sysctl too: a warning says when the cap bit), and on Linux the per-socket drop counter of
 * /proc/net/udp is read and reported (`udpKernelDrops`).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_MAX_FRAME, FrameDecoder, datagramFrame, type Frame } from './framing.js';

/** A bind address. */
export interface Endpoint {
  host: string;
  port: number;
}

/** Transport a message came over. */
export type Transport = 'udp' | 'tcp' | 'tls';

/** Listener settings. */
export interface ListenOptions {
  udp?: Endpoint[];
  tcp?: Endpoint[];
  tls?: Endpoint[];
  /** PEM certificate chain and key for TLS listeners. */
  tlsCert?: string | Buffer;
  tlsKey?: string | Buffer;
  /** Longest message kept (default 64 KiB); longer ones are truncated and counted. */
  maxFrame?: number;
  /**
   * TCP + TLS connections at once from senders that are not known routers (default 1024); more
   * are refused and counted. Known routers (`isKnown`) are never refused for it: their room is
   * reserved, bounded by maxPerSource each.
   */
  maxConnections?: number;
  /** Connections at once from one address (default 16); more are refused and counted. */
  maxPerSource?: number;
  /** A connection that sends nothing for this long is closed and counted (default 300000 = 5 min; 0: never). */
  idleTimeoutMs?: number;
  /** Whether an address is a known router's (the inventory's); default: none is. */
  isKnown?: (ip: string) => boolean;
  /** SO_RCVBUF asked for UDP sockets (default 8 MiB). */
  recvBufferSize?: number;
  /** Received datagrams waiting for the main thread, in bytes, before new ones are dropped and counted (default 64 MiB). */
  udpQueueBytes?: number;
  onMessage: (frame: Frame, ip: string, receivedAt: number, transport: Transport) => void;
  /** A listener died and cannot go on (the UDP worker thread exited): the service should stop and be restarted. */
  onFatal?: (err: Error) => void;
  log?: (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void;
}

/** Listener counters. */
export interface ListenStats {
  messages: Record<Transport, number>;
  bytes: number;
  /** Messages longer than maxFrame (truncated). */
  oversize: number;
  connections: number;
  connectionsTotal: number;
  /** Connections refused (total, per-source or not-known limit reached). */
  connectionsRefused: number;
  /** Of those: refused because the address already had maxPerSource connections. */
  connectionsRefusedPerSource: number;
  /** Connections closed after idleTimeoutMs without data. */
  idleClosed: number;
  /** Connections closed because their stream could not be decoded (an absurd octet count). */
  framingErrors: number;
  tlsErrors: number;
  socketErrors: number;
  /** Datagrams the kernel dropped on our UDP sockets (Linux /proc/net/udp; last value read); null when unknown. */
  udpKernelDrops: number | null;
  /** Datagrams dropped because the in-process queue to the main thread was full. */
  udpQueueDrops: number;
  /** SO_RCVBUF the kernel granted per UDP socket (bytes, as getsockopt reports). */
  udpRecvBuffer: number[];
}

/** Running listeners. */
export interface Listeners {
  /** Bound addresses (ports resolved when 0 was asked). */
  addresses: Array<{ transport: Transport; host: string; port: number }>;
  stats(): ListenStats;
  close(): Promise<void>;
}

/** `5514`, `192.0.2.1:5514`, `[2001:db8::1]:5514`, `::` (with default port). */
export function parseEndpoint(spec: string, defaultPort = 5514, defaultHost = '0.0.0.0'): Endpoint {
  const s = spec.trim();
  let host = defaultHost;
  let port = defaultPort;
  let m: RegExpExecArray | null;
  if ((m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s))) {
    host = m[1]!;
    if (m[2]) port = Number(m[2]);
  } else if (/^\d+$/.test(s)) {
    port = Number(s);
  } else if ((m = /^([^:]+):(\d+)$/.exec(s))) {
    host = m[1]!;
    port = Number(m[2]);
  } else if (s.includes(':') || /^[\w.-]+$/.test(s)) {
    host = s;
  } else {
    throw new Error(`bad listen address "${spec}": use PORT, HOST:PORT or [IPV6]:PORT`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port in "${spec}"`);
  return { host, port };
}

/** `::ffff:192.0.2.1` → `192.0.2.1`. */
export function normalizeIp(ip: string | undefined): string {
  if (!ip) return 'unknown';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Start all listeners; rejects (closing what started) if one cannot bind. */
export async function listen(o: ListenOptions): Promise<Listeners> {
  const maxFrame = o.maxFrame ?? DEFAULT_MAX_FRAME;
  const maxConnections = o.maxConnections ?? 1024;
  const maxPerSource = o.maxPerSource ?? 16;
  const idleTimeoutMs = o.idleTimeoutMs ?? 300_000;
  const isKnown = o.isKnown ?? (() => false);
  /** Open connections per address, and those of senders that are not known routers. */
  const perSource = new Map<string, number>();
  let unknownOpen = 0;
  const recvBufferSize = o.recvBufferSize ?? 8 * 1024 * 1024;
  const st: ListenStats = {
    messages: { udp: 0, tcp: 0, tls: 0 },
    bytes: 0,
    oversize: 0,
    connections: 0,
    connectionsTotal: 0,
    connectionsRefused: 0,
    connectionsRefusedPerSource: 0,
    idleClosed: 0,
    framingErrors: 0,
    tlsErrors: 0,
    socketErrors: 0,
    udpKernelDrops: null,
    udpQueueDrops: 0,
    udpRecvBuffer: [],
  };
  const closers: Array<() => Promise<void>> = [];
  const addresses: Listeners['addresses'] = [];
  const sockets = new Set<net.Socket>();
  const udpPorts: Array<{ host: string; port: number; v6: boolean }> = [];
  let closed = false;
  const readDrops = (): void => {
    if (closed || udpPorts.length === 0) return;
    const d = udpKernelDrops(udpPorts);
    if (d !== null) st.udpKernelDrops = d;
  };

  // bytes are counted as received (UDP: the datagram; TCP/TLS: each chunk), never as claimed
  const deliver = (frame: Frame, ip: string, t: number, transport: Transport): void => {
    st.messages[transport]++;
    if (frame.truncated) st.oversize++;
    if (frame.data.length === 0) return;
    try {
      o.onMessage(frame, ip, t, transport);
    } catch (err) {
      o.log?.('error', `message handler failed: ${(err as Error).message}`);
    }
  };

  // refusals are logged at most every 5 s (a flood of connections must not become a flood of log lines)
  let refusedSinceLog = 0;
  let lastRefuseLog = 0;
  const refuse = (sock: net.Socket, transport: Transport, ip: string, why: string): void => {
    st.connectionsRefused++;
    refusedSinceLog++;
    sock.destroy();
    if (Date.now() - lastRefuseLog < 5000) return;
    o.log?.('warn', `${transport}: refused a connection from ${ip} (${why})${refusedSinceLog > 1 ? `; ${refusedSinceLog} refused since the last report` : ''}`);
    lastRefuseLog = Date.now();
    refusedSinceLog = 0;
  };

  /** Count a new TCP connection against the limits (TLS: before its handshake); false when refused. */
  const admit = (sock: net.Socket, transport: Transport): boolean => {
    const ip = normalizeIp(sock.remoteAddress);
    const known = isKnown(ip);
    const mine = perSource.get(ip) ?? 0;
    if (mine >= maxPerSource) {
      st.connectionsRefusedPerSource++;
      refuse(sock, transport, ip, `it already has ${mine} open, max ${maxPerSource} per address`);
      return false;
    }
    if (!known && unknownOpen >= maxConnections) {
      refuse(sock, transport, ip, `max ${maxConnections} open from addresses that are not known routers`);
      return false;
    }
    perSource.set(ip, mine + 1);
    if (!known) unknownOpen++;
    st.connections++;
    st.connectionsTotal++;
    sock.once('close', () => {
      st.connections--;
      const n = (perSource.get(ip) ?? 1) - 1;
      if (n > 0) perSource.set(ip, n);
      else perSource.delete(ip);
      if (!known) unknownOpen--;
    });
    return true;
  };

  const onConnection = (sock: net.Socket, transport: Transport): void => {
    const ip = normalizeIp(sock.remoteAddress);
    sockets.add(sock);
    const dec = new FrameDecoder(maxFrame);
    sock.setKeepAlive(true, 60_000);
    if (idleTimeoutMs > 0) {
      sock.setTimeout(idleTimeoutMs, () => {
        st.idleClosed++;
        o.log?.('debug', `${transport} connection from ${ip}: idle for ${idleTimeoutMs} ms, closed`);
        sock.destroy();
      });
    }
    sock.on('data', (chunk: Buffer) => {
      const t = Date.now();
      st.bytes += chunk.length;
      for (const f of dec.push(chunk)) deliver(f, ip, t, transport);
      if (dec.error !== null && !sock.destroyed) {
        st.framingErrors++;
        o.log?.('warn', `${transport} connection from ${ip} closed: ${dec.error}`);
        sock.destroy();
      }
    });
    sock.on('end', () => {
      const t = Date.now();
      for (const f of dec.end()) deliver(f, ip, t, transport);
      sock.end();
    });
    sock.on('error', (err) => {
      st.socketErrors++;
      o.log?.('debug', `${transport} connection from ${ip}: ${err.message}`);
    });
    sock.on('close', () => {
      sockets.delete(sock);
    });
  };

  try {
    if ((o.udp ?? []).length > 0) {
      const w = await startUdpWorker(o.udp!, recvBufferSize, maxFrame, o.udpQueueBytes ?? 64 * 1024 * 1024, (batch) => {
        const data = Buffer.from(batch.data);
        let off = 0;
        for (let i = 0; i < batch.n; i++) {
          const len = batch.lens[i]!;
          const frame: Frame = { data: data.subarray(off, off + len), truncated: batch.orig[i]! > len, length: batch.orig[i]! };
          off += len;
          st.bytes += batch.orig[i]!;
          deliver(frame, batch.ips[i]!, batch.times[i]!, 'udp');
        }
        st.udpQueueDrops = batch.queueDrops;
      }, o.log, o.onFatal, (msg) => {
        st.socketErrors++;
        o.log?.('error', msg);
      });
      for (const a of w.bound) {
        addresses.push({ transport: 'udp', host: a.host, port: a.port });
        udpPorts.push({ host: a.host, port: a.port, v6: net.isIPv6(a.host) });
        st.udpRecvBuffer.push(a.granted);
        if (a.granted < recvBufferSize) {
          o.log?.('warn', `udp ${a.host}:${a.port}: kernel granted a ${a.granted}-byte receive buffer (asked ${recvBufferSize}); bursts may be dropped by the kernel: raise net.core.rmem_max`);
        }
      }
      closers.push(async () => {
        st.udpQueueDrops = await w.close();
      });
    }
    const streamServers: Array<[Endpoint, Transport]> = [
      ...(o.tcp ?? []).map((e): [Endpoint, Transport] => [e, 'tcp']),
      ...(o.tls ?? []).map((e): [Endpoint, Transport] => [e, 'tls']),
    ];
    for (const [ep, transport] of streamServers) {
      let server: net.Server;
      if (transport === 'tls') {
        if (!o.tlsCert || !o.tlsKey) throw new Error('TLS listener needs --tls-cert and --tls-key');
        server = tls.createServer({ cert: o.tlsCert, key: o.tlsKey, minVersion: 'TLSv1.2', handshakeTimeout: 10_000 }, (s) => onConnection(s, 'tls'));
        // the limits count the TCP connection, before the handshake costs anything
        server.on('connection', (raw: net.Socket) => void admit(raw, 'tls'));
        server.on('tlsClientError', (err, s) => {
          st.tlsErrors++;
          o.log?.('debug', `tls handshake from ${normalizeIp(s.remoteAddress)}: ${err.message}`);
        });
      } else {
        server = net.createServer((s) => {
          if (admit(s, 'tcp')) onConnection(s, 'tcp');
        });
      }
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(ep.port, ep.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (err) => {
        st.socketErrors++;
        o.log?.('error', `${transport} ${ep.host}:${ep.port}: ${err.message}`);
      });
      const a = server.address() as net.AddressInfo;
      addresses.push({ transport, host: a.address, port: a.port });
      closers.push(() => new Promise<void>((r) => server.close(() => r())));
    }
  } catch (err) {
    for (const c of closers) await c();
    throw err;
  }

  return {
    addresses,
    stats() {
      readDrops();
      return { ...st, messages: { ...st.messages }, udpRecvBuffer: [...st.udpRecvBuffer] };
    },
    async close() {
      readDrops();
      closed = true;
      const closing = closers.map((c) => c());
      // Let peers' last frames in: half-close, then destroy whatever lingers.
      for (const s of sockets) s.end();
      await new Promise((r) => setTimeout(r, sockets.size > 0 ? 200 : 0));
      for (const s of sockets) s.destroy();
      await Promise.all(closing);
    },
  };
}

/** Sum of the kernel's drop counters for our UDP sockets (Linux), or null. */
export function udpKernelDrops(ports: Array<{ host: string; port: number; v6: boolean }>): number | null {
  let total = 0;
  let found = false;
  for (const [file, v6] of [['/proc/net/udp', false], ['/proc/net/udp6', true]] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13) continue;
      const port = parseInt(cols[1]!.split(':')[1] ?? '', 16);
      if (!ports.some((p) => p.port === port && p.v6 === v6)) continue;
      found = true;
      total += Number(cols[cols.length - 1]) || 0;
    }
  }
  return found ? total : null;
}

// ---- UDP worker ---------------------------------------------------------------------------

/** Datagrams handed from the UDP worker to the main thread. */
interface UdpBatch {
  n: number;
  /** Payloads back to back (each capped at maxFrame). */
  data: ArrayBuffer;
  lens: Uint32Array;
  /** Original datagram sizes. */
  orig: Uint32Array;
  ips: string[];
  times: Float64Array;
  /** Datagrams the worker dropped so far because the queue was full. */
  queueDrops: number;
}

type ToWorker = { type: 'ack'; bytes: number } | { type: 'close' };
type FromWorker =
  | { type: 'ready'; bound: Array<{ host: string; port: number; granted: number }> }
  | { type: 'error'; message: string }
  | ({ type: 'batch' } & UdpBatch)
  | { type: 'socket-error'; message: string }
  | { type: 'closed'; queueDrops: number };

interface UdpWorkerData {
  netopsUdpWorker: true;
  endpoints: Endpoint[];
  recvBufferSize: number;
  maxFrame: number;
  queueBytes: number;
}

/** Start the UDP worker thread; resolves once every socket is bound. */
async function startUdpWorker(
  endpoints: Endpoint[],
  recvBufferSize: number,
  maxFrame: number,
  queueBytes: number,
  onBatch: (b: UdpBatch) => void,
  log: ListenOptions['log'],
  onFatal: ListenOptions['onFatal'],
  onSocketError: (msg: string) => void,
): Promise<{ bound: Array<{ host: string; port: number; granted: number }>; close: () => Promise<number> }> {
  const data: UdpWorkerData = { netopsUdpWorker: true, endpoints, recvBufferSize, maxFrame, queueBytes };
  // The worker only batches datagrams: a small heap is plenty.
  const worker = new Worker(new URL(import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } });
  let closedWith: ((drops: number) => void) | null = null;
  let ready = false;
  let closing = false;
  let queueDrops = 0;
  const bound = await new Promise<Array<{ host: string; port: number; granted: number }>>((resolve, reject) => {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        ready = true;
        resolve(m.bound);
      }
      else if (m.type === 'error') reject(new Error(m.message));
      else if (m.type === 'batch') {
        queueDrops = m.queueDrops;
        try {
          onBatch(m);
        } finally {
          worker.postMessage({ type: 'ack', bytes: m.data.byteLength } satisfies ToWorker);
        }
      } else if (m.type === 'socket-error') {
        onSocketError(m.message);
      } else if (m.type === 'closed') {
        queueDrops = m.queueDrops;
        closedWith?.(m.queueDrops);
      }
    });
    worker.on('error', (err) => {
      log?.('error', `udp worker failed: ${err.message}`);
      reject(err);
    });
    worker.on('exit', (code) => {
      if (closing) return closedWith?.(queueDrops);
      const err = new Error(`the UDP receiver thread exited (code ${code}): UDP syslog is no longer received`);
      if (!ready) return reject(err);
      log?.('error', err.message);
      onFatal?.(err);
    });
  });
  return {
    bound,
    close: () =>
      new Promise<number>((resolve) => {
        closing = true;
        closedWith = (d) => {
          closedWith = null;
          resolve(d);
          void worker.terminate();
        };
        worker.postMessage({ type: 'close' } satisfies ToWorker);
      }),
  };
}

/** The worker thread: bind, drain the sockets into batches, post them, respect the queue bound. */
function runUdpWorker(d: UdpWorkerData): void {
  const port = parentPort!;
  const CHUNK = 1024 * 1024;
  const MAX_MSGS = 1024;
  const sockets: dgram.Socket[] = [];
  let outstanding = 0;
  let queueDrops = 0;
  let buf = new Uint8Array(new ArrayBuffer(CHUNK));
  let used = 0;
  let lens: number[] = [];
  let orig: number[] = [];
  let ips: string[] = [];
  let times: number[] = [];
  let timer: NodeJS.Timeout | null = null;

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (lens.length === 0) return;
    const data = buf.buffer.slice(0, used) as ArrayBuffer;
    outstanding += data.byteLength;
    const msg: FromWorker = { type: 'batch', n: lens.length, data, lens: Uint32Array.from(lens), orig: Uint32Array.from(orig), ips, times: Float64Array.from(times), queueDrops };
    port.postMessage(msg, [data]);
    used = 0;
    lens = [];
    orig = [];
    ips = [];
    times = [];
  };

  const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const len = Math.min(msg.length, d.maxFrame);
    if (outstanding + used + len > d.queueBytes) {
      queueDrops++;
      return;
    }
    if (used + len > buf.length) {
      flush();
      if (len > buf.length) buf = new Uint8Array(new ArrayBuffer(len));
    }
    buf.set(msg.subarray(0, len), used);
    used += len;
    lens.push(len);
    orig.push(msg.length);
    ips.push(normalizeIp(rinfo.address));
    times.push(Date.now());
    if (lens.length >= MAX_MSGS) flush();
    else timer ??= setTimeout(flush, 2);
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'ack') outstanding -= m.bytes;
    else if (m.type === 'close') {
      let open = sockets.length;
      const done = () => {
        flush();
        port.postMessage({ type: 'closed', queueDrops } satisfies FromWorker);
      };
      if (open === 0) done();
      for (const s of sockets) s.close(() => --open === 0 && done());
    }
  });

  void (async () => {
    const bound: Array<{ host: string; port: number; granted: number }> = [];
    try {
      for (const ep of d.endpoints) {
        const sock = dgram.createSocket({ type: net.isIPv6(ep.host) ? 'udp6' : 'udp4', recvBufferSize: d.recvBufferSize });
        await new Promise<void>((resolve, reject) => {
          sock.once('error', reject);
          sock.bind(ep.port, ep.host, () => {
            sock.off('error', reject);
            resolve();
          });
        });
        sock.on('message', onMessage);
        sock.on('error', (err) => port.postMessage({ type: 'socket-error', message: `udp ${ep.host}:${ep.port}: ${err.message}` } satisfies FromWorker));
        sockets.push(sock);
        const a = sock.address();
        bound.push({ host: a.address, port: a.port, granted: sock.getRecvBufferSize() });
      }
    } catch (err) {
      for (const s of sockets) s.close();
      port.postMessage({ type: 'error', message: `udp: ${(err as Error).message}` } satisfies FromWorker);
      return;
    }
    port.postMessage({ type: 'ready', bound } satisfies FromWorker);
  })();
}

if (!isMainThread && (workerData as Partial<UdpWorkerData> | null)?.netopsUdpWorker) runUdpWorker(workerData as UdpWorkerData);
