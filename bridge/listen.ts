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
 * /proc/net/udp is read and reported (`udpKernelDrops`). With a `udpProcessor` the batches go
 * to a second thread instead (bridge/udp-processor.ts) that processes each datagram (the bridge
 * classifies there) and hands the results to the main thread by lane, critical first.
 * TCP/TLS connections are paused while `full()` says so (back-pressure), until `resume()`.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { MessageChannel, Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { DEFAULT_MAX_FRAME, FrameDecoder, datagramFrame, type Frame } from './framing.js';
import { LEVELS, type Level } from './spool/levels.js';
import { compileScreen, priSeverity, type ScreenSpec } from './screen.js';
import { SpillReadError, UdpSpill, type SpillStats } from './udp-spill.js';
import { PROCESSOR_PRIORITY, RECEIVER_PRIORITY, nameThread, raiseThreadPriority, threadMemory, type ThreadMemory } from './thread.js';

/**
 * Work done on each UDP datagram in the receiver thread (`ListenOptions.udpProcessor`): a module
 * exporting `createProcessor(options, log): Processor | Promise<Processor>`.
 */
export interface Processor {
  /**
   * What to hand to the main thread for one datagram (none, one, or more, e.g. a damping summary
   * with the event). Each item is text: a batch crosses to the main thread as an array of strings
   * (a structured clone of event objects costs more than the classification).
   */
  process(frame: Frame, ip: string, receivedAt: number): readonly ProcessorItem[];
  /** Called about once a second: items that are due without a datagram (e.g. damping summaries). */
  tick?(): readonly ProcessorItem[];
  /** Called once when the listener closes, before the last items are handed over. */
  flush?(): readonly ProcessorItem[];
  /** Cumulative counters (structured-clonable), sent along to the main thread. */
  counters(): Record<string, unknown>;
  /** A message from the main thread (`Listeners.udpControl`), e.g. a reloaded inventory. */
  control?(m: unknown): void;
}

/** One item for the main thread: its level picks the lane, its size estimates its memory. */
export interface ProcessorItem {
  level: Level;
  item: string;
  size: number;
}

/** Datagrams processed in the receiver thread, handed over by lane. */
export interface UdpProcessor {
  /** URL of the module exporting createProcessor. */
  module: string;
  /** Structured-clonable options for createProcessor. */
  options: unknown;
  /** Items in lane order (critical first, lower lanes keep their share); counters: the processor's, cumulative. May be called with no items. */
  onItems: (items: string[], counters: Record<string, unknown>) => void;
}

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
  /**
   * Back-pressure for TCP/TLS: checked after each chunk; while it says true, connections are paused
   * (socket.pause(): the kernel's window then slows the sender) until `Listeners.resume()` is called.
   */
  full?: () => boolean;
  /** Whether an address is a known router's (the inventory's); default: none is. */
  isKnown?: (ip: string) => boolean;
  /** SO_RCVBUF asked for UDP sockets (default 8 MiB). */
  recvBufferSize?: number;
  /** Received datagrams waiting for the main thread, in bytes, before new ones are dropped and counted (default 64 MiB). */
  udpQueueBytes?: number;
  onMessage: (frame: Frame, ip: string, receivedAt: number, transport: Transport) => void;
  /**
   * Process UDP datagrams in the receiver thread instead of handing them to onMessage: the
   * results wait there in one queue per level (bounded by udpQueueBytes, estimated; info is shed
   * first, critical only past twice the bound), and the main thread takes them, critical first,
   * at most two batches at a time, so a critical event never queues behind a backlog of others.
   */
  udpProcessor?: UdpProcessor;
  /**
   * With a udpProcessor: the critical screen (bridge/screen.ts). When the raw queue is full the
   * receiver keeps the datagrams it says may be critical (up to twice the raw bound) and sheds only the others, counted by reason. Without it: PRI ≤ 4 only.
   */
  criticalScreen?: ScreenSpec;
  /**
   * With a udpProcessor and a criticalScreen: a directory where datagrams are spilled instead of
   * dropped when the raw queue is full (bridge/udp-spill.ts): those that may be critical past twice
   * the raw bound, up to maxBytes on disk; the others past the bound, up to half of maxBytes.
   */
  udpSpill?: { dir: string; maxBytes: number } | null;
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
  /** Times a TCP/TLS connection was paused because the spool was full (back-pressure). */
  paused: number;
  /** Connections paused now. */
  pausedNow: number;
  /** Datagrams the kernel dropped on our UDP sockets (Linux /proc/net/udp; last value read); null when unknown. */
  udpKernelDrops: number | null;
  /** Datagrams dropped because the in-process queue to the main thread was full. */
  udpQueueDrops: number;
  /** Events shed from the processor thread's lanes, by level (with a udpProcessor; the rest of udpQueueDrops were dropped before classification). */
  udpQueueDropsByLevel: Record<Level, number>;
  /**
   * Datagrams dropped raw (before classification, the receiver's queue full), by reason:
   * `not_critical` (the critical screen says it cannot be critical), `warning_hard_full` (PRI
   * warning, past twice the bound), `critical_hard_full` (may be critical, past twice the bound),
   * `full` (no screen).
   */
  udpRawDropsByReason: Record<string, number>;
  /** The receiver's disk spill (last reported; null without one). */
  udpSpill: SpillStats | null;
  /** SO_RCVBUF the kernel granted per UDP socket (bytes, as getsockopt reports). */
  udpRecvBuffer: number[];
  /** Heaps of the UDP threads (last reported; absent before their first report). */
  threadMemory: { receiver?: ThreadMemory; processor?: ThreadMemory };
}

/** Running listeners. */
export interface Listeners {
  /** Bound addresses (ports resolved when 0 was asked). */
  addresses: Array<{ transport: Transport; host: string; port: number }>;
  stats(): ListenStats;
  /** Resume connections paused for back-pressure (call when there is room again). */
  resume(): void;
  /** Send a message to the UDP processor's `control` (nothing without a processor). */
  udpControl(m: unknown): void;
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
    paused: 0,
    pausedNow: 0,
    udpKernelDrops: null,
    udpQueueDrops: 0,
    udpQueueDropsByLevel: { info: 0, warning: 0, critical: 0 },
    udpRawDropsByReason: {},
    udpRecvBuffer: [],
    udpSpill: null,
    threadMemory: {},
  };
  const closers: Array<() => Promise<void>> = [];
  const addresses: Listeners['addresses'] = [];
  const sockets = new Set<net.Socket>();
  const paused = new Set<net.Socket>();
  const resumeAll = (): void => {
    for (const s of paused) s.resume();
    paused.clear();
  };
  const udpPorts: Array<{ host: string; port: number; v6: boolean }> = [];
  let udpControl: (m: unknown) => void = () => undefined;
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
      if (o.full?.() && !sock.destroyed && !paused.has(sock)) {
        sock.pause();
        paused.add(sock);
        st.paused++;
      }
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
      paused.delete(sock);
    });
  };

  try {
    if ((o.udp ?? []).length > 0) {
      const onWorkerStats = (ws: WorkerStats): void => {
        st.messages.udp = ws.received;
        st.bytes += ws.bytes - udpBytesSeen;
        udpBytesSeen = ws.bytes;
        st.oversize += ws.oversize - udpOversizeSeen;
        udpOversizeSeen = ws.oversize;
        st.udpQueueDrops = ws.rawDrops + ws.queueDropsByLevel.reduce((a, b) => a + b, 0);
        LEVELS.forEach((l, i) => (st.udpQueueDropsByLevel[l] = ws.queueDropsByLevel[i]!));
        if (ws.rawDropsByReason) st.udpRawDropsByReason = { ...ws.rawDropsByReason };
        if (ws.memory) st.threadMemory.processor = ws.memory;
      };
      let udpBytesSeen = 0;
      let udpOversizeSeen = 0;
      const w = await startUdpWorker(o.udp!, recvBufferSize, maxFrame, o.udpQueueBytes ?? 64 * 1024 * 1024, o.udpProcessor ?? null, o.criticalScreen ?? null, o.udpSpill ?? null, onWorkerStats, (m) => (st.threadMemory.receiver = m), (sp) => (st.udpSpill = sp), (batch) => {
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
      udpControl = w.control;
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
      st.pausedNow = paused.size;
      return { ...st, messages: { ...st.messages }, udpQueueDropsByLevel: { ...st.udpQueueDropsByLevel }, udpRawDropsByReason: { ...st.udpRawDropsByReason }, udpRecvBuffer: [...st.udpRecvBuffer], threadMemory: { ...st.threadMemory } };
    },
    resume: resumeAll,
    udpControl: (m) => udpControl(m),
    async close() {
      readDrops();
      resumeAll();
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

/**
 * Young generation of each UDP thread (MiB, V8's resourceLimits). Measured in the storm: V8 grows
 * a worker's young generation to its limit under load (the processor's to 16, the receiver's to
 * 8), although what survives a scavenge there is a batch or two; 8 and 4 took 12 MB off RSS with
 * no measurable CPU cost (docs/bridge-lanes.md, "Memory").
 */
export const PROCESSOR_YOUNG_MB = 8;
export const RECEIVER_YOUNG_MB = 4;

/** Datagrams handed from the UDP receiver thread to the main thread (or to the processor thread). */
export interface UdpBatch {
  n: number;
  /** Payloads back to back (each capped at maxFrame). */
  data: ArrayBuffer;
  lens: Uint32Array;
  /** Original datagram sizes. */
  orig: Uint32Array;
  ips: string[];
  times: Float64Array;
  /** Datagrams the receiver dropped so far because its queue was full. */
  queueDrops: number;
  /** The same, by reason (cumulative). */
  dropsByReason?: Record<string, number>;
  /** Datagrams whose PRI says warning or worse (classified first by the processor thread). */
  urgent?: boolean;
}

/** Processor-thread counters (cumulative). */
export interface WorkerStats {
  received: number;
  bytes: number;
  oversize: number;
  /** Datagrams the receiver thread dropped (its queue of raw datagrams full; not classified yet). */
  rawDrops: number;
  /** The same by reason (UdpBatch.dropsByReason). */
  rawDropsByReason?: Record<string, number>;
  /** Events the processor thread shed from its lanes, index = lane (info, warning, critical). */
  queueDropsByLevel: number[];
  counters: Record<string, unknown>;
  /** The processor thread's heap. */
  memory?: ThreadMemory;
}

/** The receiver's and processor's messages on their ports. */
export type ToWorker = { type: 'ack'; bytes: number } | { type: 'ack-items'; bytes: number } | { type: 'close' } | { type: 'control'; data: unknown };
export type FromWorker =
  | { type: 'ready'; bound: Array<{ host: string; port: number; granted: number }>; /** The receiver thread's nice value. */ priority?: number }
  | { type: 'error'; message: string }
  | ({ type: 'batch' } & UdpBatch)
  | { type: 'eof'; queueDrops: number; dropsByReason?: Record<string, number> }
  /** n items (an array of strings clones ~4x cheaper than one joined string, and needs no split). */
  | { type: 'items'; items: string[]; n: number; bytes: number; stats: WorkerStats }
  | { type: 'stats'; stats: WorkerStats }
  | { type: 'log'; level: 'info' | 'warn' | 'error' | 'debug'; msg: string }
  | { type: 'socket-error'; message: string }
  /** The receiver thread's heap, every second. */
  | { type: 'memory'; memory: ThreadMemory; spill?: SpillStats }
  | { type: 'closed'; queueDrops: number; stats?: WorkerStats; spill?: SpillStats };

interface UdpWorkerData {
  netopsUdpWorker: true;
  endpoints: Endpoint[];
  recvBufferSize: number;
  maxFrame: number;
  queueBytes: number;
  /** Where batches go (the processor thread's port); the main thread when absent. */
  out?: MessagePort;
  screen: ScreenSpec | null;
  /** Disk spill for datagrams that may be critical past the hard bound (bridge/udp-spill.ts). */
  spill: { dir: string; maxBytes: number } | null;
}

/**
 * Start the UDP receiver thread (and, with a processor, the processor thread it feeds);
 * resolves once every socket is bound. The receiver does nothing but drain the sockets, so the
 * kernel's buffer empties even while events are being classified.
 */
async function startUdpWorker(
  endpoints: Endpoint[],
  recvBufferSize: number,
  maxFrame: number,
  queueBytes: number,
  processor: UdpProcessor | null,
  screen: ScreenSpec | null,
  spill: { dir: string; maxBytes: number } | null,
  onStats: (s: WorkerStats) => void,
  onMemory: (m: ThreadMemory) => void,
  onSpill: (s: SpillStats) => void,
  onBatch: (b: UdpBatch) => void,
  log: ListenOptions['log'],
  onFatal: ListenOptions['onFatal'],
  onSocketError: (msg: string) => void,
): Promise<{ bound: Array<{ host: string; port: number; granted: number }>; control: (m: unknown) => void; close: () => Promise<number> }> {
  const channel = processor ? new MessageChannel() : null;
  // With a processor the bound is shared: a quarter for raw datagrams (each costs about three
  // times its size once classified), half for the processor's lanes, which keeps RSS under 200 MB.
  const data: UdpWorkerData = { netopsUdpWorker: true, endpoints, recvBufferSize, maxFrame, queueBytes: processor ? queueBytes / 4 : queueBytes, out: channel?.port1, screen: processor ? screen : null, spill: processor && screen ? spill : null };
  // The receiver only batches datagrams: a small heap is plenty. Young generations: see the constants.
  const worker = new Worker(new URL(import.meta.url), { workerData: data, transferList: channel ? [channel.port1] : [], resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: RECEIVER_YOUNG_MB } });
  const proc = processor
    ? new Worker(new URL('./udp-processor.js', import.meta.url), {
        workerData: { netopsUdpProcessor: true, module: processor.module, options: processor.options, maxFrame, queueBytes: queueBytes / 2, in: channel!.port2 },
        transferList: [channel!.port2],
        resourceLimits: { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: PROCESSOR_YOUNG_MB },
      })
    : null;
  let ready = false;
  let closing = false;
  let rawDrops = 0;
  let laneDrops = 0;
  const open = new Set<Worker>(proc ? [worker, proc] : [worker]);
  let closedAll: (() => void) | null = null;
  const closedOne = (w: Worker): void => {
    open.delete(w);
    if (open.size === 0) closedAll?.();
  };
  const total = () => rawDrops + laneDrops;
  const bound = await new Promise<Array<{ host: string; port: number; granted: number }>>((resolve, reject) => {
    let procReady = proc === null;
    let boundAt: Array<{ host: string; port: number; granted: number }> | null = null;
    const maybeReady = () => {
      if (!procReady || !boundAt) return;
      ready = true;
      resolve(boundAt);
    };
    const died = (which: string) => (code: number) => {
      if (closing) return;
      const err = new Error(`the UDP ${which} thread exited (code ${code}): UDP syslog is no longer received`);
      if (!ready) return reject(err);
      log?.('error', err.message);
      onFatal?.(err);
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        boundAt = m.bound;
        if (m.priority !== undefined) log?.('debug', `udp receiver thread: nice ${m.priority}${m.priority > RECEIVER_PRIORITY ? ` (asked ${RECEIVER_PRIORITY}: not permitted)` : ''}`);
        maybeReady();
      } else if (m.type === 'error') reject(new Error(m.message));
      else if (m.type === 'batch') {
        rawDrops = m.queueDrops;
        try {
          onBatch(m);
        } finally {
          worker.postMessage({ type: 'ack', bytes: m.data.byteLength } satisfies ToWorker);
        }
      } else if (m.type === 'socket-error') {
        onSocketError(m.message);
      } else if (m.type === 'memory') {
        onMemory(m.memory);
        if (m.spill) onSpill(m.spill);
      } else if (m.type === 'log') {
        log?.(m.level, m.msg);
      } else if (m.type === 'closed') {
        rawDrops = m.queueDrops;
        if (m.spill) onSpill(m.spill);
        closedOne(worker);
      }
    });
    worker.on('error', (err) => {
      log?.('error', `udp worker failed: ${err.message}`);
      reject(err);
    });
    worker.on('exit', died('receiver'));
    proc?.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        if (m.priority !== undefined) log?.('debug', `udp processor thread: nice ${m.priority}${m.priority > PROCESSOR_PRIORITY ? ` (asked ${PROCESSOR_PRIORITY}: not permitted, CAP_SYS_NICE needed)` : ''}`);
        procReady = true;
        maybeReady();
      } else if (m.type === 'error') reject(new Error(m.message));
      else if (m.type === 'items' || m.type === 'stats') {
        rawDrops = Math.max(rawDrops, m.stats.rawDrops);
        laneDrops = m.stats.queueDropsByLevel.reduce((a, b) => a + b, 0);
        onStats(m.stats);
        try {
          processor!.onItems(m.type === 'items' ? m.items : [], m.stats.counters);
        } finally {
          if (m.type === 'items') proc.postMessage({ type: 'ack-items', bytes: m.bytes } satisfies ToWorker);
        }
      } else if (m.type === 'log') {
        log?.(m.level, m.msg);
      } else if (m.type === 'closed') {
        if (m.stats) {
          rawDrops = Math.max(rawDrops, m.stats.rawDrops);
          laneDrops = m.stats.queueDropsByLevel.reduce((a, b) => a + b, 0);
          onStats(m.stats);
          // what the processor counted since its last tick (events it decided itself never cross)
          processor!.onItems([], m.stats.counters);
        }
        closedOne(proc);
      }
    });
    proc?.on('error', (err) => {
      log?.('error', `udp processor thread failed: ${err.message}`);
      reject(err);
    });
    proc?.on('exit', died('processor'));
  });
  return {
    bound,
    control: (m) => proc?.postMessage({ type: 'control', data: m } satisfies ToWorker),
    close: () =>
      new Promise<number>((resolve) => {
        closing = true;
        closedAll = () => {
          closedAll = null;
          resolve(total());
          void worker.terminate();
          void proc?.terminate();
        };
        // The receiver closes its sockets, hands its last batch on and tells the processor (eof),
        // which hands everything still queued to this thread before it says closed.
        worker.postMessage({ type: 'close' } satisfies ToWorker);
      }),
  };
}

export { priSeverity };

/** How long the receiver thread sleeps after a loop turn that drained its sockets (bridge: wake-up coalescing). */
export const NAP_MS = 1;
/** Datagrams libuv reads from one socket per loop turn (uv__udp_recvmsg's limit). */
const UV_UDP_READS_PER_TURN = 32;

/** The receiver thread: bind, drain the sockets into batches, post them, respect the queue bound. */
function runUdpWorker(d: UdpWorkerData): void {
  nameThread('udp-receiver');
  const priority = raiseThreadPriority(RECEIVER_PRIORITY);
  const control = parentPort!;
  const port = d.out ?? parentPort!;
  const CHUNK = 1024 * 1024;
  const MAX_MSGS = 1024;
  const sockets: dgram.Socket[] = [];
  let outstanding = 0;
  let queueDrops = 0;
  const dropsByReason: Record<string, number> = {};
  const drop = (reason: string, n = 1): void => {
    queueDrops += n;
    dropsByReason[reason] = (dropsByReason[reason] ?? 0) + n;
  };
  const mayBeCritical = d.screen ? compileScreen(d.screen) : null;
  let closing = false;
  let spill: UdpSpill | null = null;
  if (d.spill) {
    try {
      spill = new UdpSpill(d.spill.dir, d.spill.maxBytes, undefined, (err, lost) => {
        // the chunk's datagrams are gone: counted as dropped, and nothing more is spilled
        drop('spill_write_error', lost);
        control.postMessage({ type: 'log', level: 'error', msg: `udp spill: cannot write (${err.message}): ${lost} datagrams lost; from now on datagrams are dropped when the receive queue is full` } satisfies FromWorker);
      });
      if (spill.stats.recovered > 0) control.postMessage({ type: 'log', level: 'warn', msg: `udp spill ${d.spill.dir}: replaying ${spill.stats.recovered} datagrams a previous run spilled` } satisfies FromWorker);
    } catch (err) {
      control.postMessage({ type: 'log', level: 'error', msg: `udp spill ${d.spill.dir} unusable (${(err as Error).message}): datagrams that may be critical are dropped past the hard bound` } satisfies FromWorker);
    }
  }
  /** Hand datagrams to the processor (or the main thread); `data` is transferred and counted as outstanding until acked. */
  const postBatch = (data: ArrayBuffer, b: { lens: number[]; orig: number[]; ips: string[]; times: number[] }, isUrgent: boolean): void => {
    outstanding += data.byteLength;
    const msg: FromWorker = { type: 'batch', n: b.lens.length, data, lens: Uint32Array.from(b.lens), orig: Uint32Array.from(b.orig), ips: b.ips, times: Float64Array.from(b.times), queueDrops, dropsByReason: { ...dropsByReason }, urgent: isUrgent };
    port.postMessage(msg, [data]);
  };
  /**
   * The raw queue full: the datagram to the spill, else dropped and counted by `reason`. `bulk`:
   * the screen says it cannot be critical (it may use only a share of the spill).
   */
  const spillOrDrop = (msg: Buffer, len: number, rinfo: dgram.RemoteInfo, reason: string, bulk: boolean): void => {
    if (spill && spill.add(msg.subarray(0, len), msg.length, normalizeIp(rinfo.address), Date.now(), bulk)) return;
    drop(reason);
  };
  /**
   * Spilled datagrams go to the processor, oldest first, while the raw queue is under half its
   * bound; files are read in the background, one at a time, never blocking this thread. Started
   * on every ack and once a second; the close waits for it.
   */
  let replaying: Promise<void> | null = null;
  const room = (): boolean => !closing && spill !== null && spill.waiting && outstanding + normal.used + urgent.used < d.queueBytes / 2;
  const replay = (): void => {
    if (replaying || !room()) return;
    replaying = (async () => {
      while (room()) {
        let b;
        try {
          b = await spill!.take();
        } catch (err) {
          const lost = err instanceof SpillReadError ? err.lost : 0;
          if (lost > 0) drop('spill_read_error', lost);
          control.postMessage({ type: 'log', level: 'error', msg: `udp spill: cannot read back ${(err as Error).message}: ${lost} datagrams lost` } satisfies FromWorker);
          if (err instanceof SpillReadError) continue;
          break;
        }
        if (!b || b.lens.length === 0) break; // the oldest is still being written: asked again on the next ack
        postBatch(b.data, b, false);
      }
    })().finally(() => (replaying = null));
  };
  /** Datagrams gathered for one batch. */
  interface Pending {
    buf: Uint8Array;
    used: number;
    lens: number[];
    orig: number[];
    ips: string[];
    times: number[];
    timer: NodeJS.Timeout | null;
  }
  const pending = (size: number): Pending => ({ buf: new Uint8Array(new ArrayBuffer(size)), used: 0, lens: [], orig: [], ips: [], times: [], timer: null });
  // With a processor: datagrams whose PRI says warning or worse go in their own batches, posted
  // at once and classified first (a hint only: every datagram is classified, in order within each).
  const normal = pending(CHUNK);
  const urgent = pending(64 * 1024);

  const flushOne = (p: Pending, isUrgent: boolean): void => {
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    if (p.lens.length === 0) return;
    postBatch(p.buf.buffer.slice(0, p.used) as ArrayBuffer, p, isUrgent);
    p.used = 0;
    p.lens = [];
    p.orig = [];
    p.ips = [];
    p.times = [];
  };
  const flush = (): void => {
    flushOne(urgent, true);
    flushOne(normal, false);
  };

  // Wake-up coalescing: once a loop turn has drained the sockets (fewer datagrams than libuv reads
  // per turn), the thread sleeps NAP_MS before it looks again, so a steady stream is read in
  // bursts instead of one wake-up every few datagrams (NAP_MS of latency at most; the kernel's
  // buffer holds the datagrams meanwhile).
  const napOn = new Int32Array(new SharedArrayBuffer(4));
  let sinceNap = 0;
  let napping = false;
  const nap = (): void => {
    napping = false;
    const n = sinceNap;
    sinceNap = 0;
    if (n < UV_UDP_READS_PER_TURN) Atomics.wait(napOn, 0, 0, NAP_MS);
  };

  const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    sinceNap++;
    if (!napping) {
      napping = true;
      setImmediate(nap);
    }
    const len = Math.min(msg.length, d.maxFrame);
    const isUrgent = d.out !== undefined && priSeverity(msg) <= 4;
    const used = outstanding + normal.used + urgent.used + len;
    if (used > d.queueBytes) {
      // Full. With a screen: keep what may be critical (up to twice the bound, in its place: the
      // screen keeps every line of a critical-capable tag, e.g. every bgpd line, so putting them
      // with the urgent ones would make a real critical wait behind a storm of them), shed only
      // the rest. Without: keep PRI warning or worse up to twice the bound.
      // With a spill, what would be shed is spilled instead, within its share of the spill.
      if (mayBeCritical) {
        if (mayBeCritical(msg)) {
          if (used > d.queueBytes * 2) return spillOrDrop(msg, len, rinfo, 'critical_hard_full', false);
        } else if (!isUrgent) return spillOrDrop(msg, len, rinfo, 'not_critical', true);
        else if (used > d.queueBytes * 2) return spillOrDrop(msg, len, rinfo, 'warning_hard_full', true);
      } else if (!isUrgent || used > d.queueBytes * 2) return drop('full');
    }
    const p = isUrgent ? urgent : normal;
    if (p.used + len > p.buf.length) {
      flushOne(p, isUrgent);
      if (len > p.buf.length) p.buf = new Uint8Array(new ArrayBuffer(len));
    }
    p.buf.set(msg.subarray(0, len), p.used);
    p.used += len;
    p.lens.push(len);
    p.orig.push(msg.length);
    p.ips.push(normalizeIp(rinfo.address));
    p.times.push(Date.now());
    if (p.lens.length >= MAX_MSGS) flushOne(p, isUrgent);
    else if (isUrgent) p.timer ??= setTimeout(() => flushOne(urgent, true), 0);
    else p.timer ??= setTimeout(() => flushOne(normal, false), 2);
  };

  const onAck = (m: ToWorker): void => {
    if (m.type !== 'ack') return;
    outstanding -= m.bytes;
    if (spill?.waiting) replay();
  };
  if (d.out) d.out.on('message', onAck);
  const memoryTimer = setInterval(() => {
    if (spill?.waiting) replay();
    control.postMessage({ type: 'memory', memory: threadMemory(), spill: spill ? { ...spill.stats } : undefined } satisfies FromWorker);
  }, 1000);
  memoryTimer.unref();
  control.on('message', (m: ToWorker) => {
    if (m.type === 'ack') onAck(m);
    else if (m.type === 'close') {
      clearInterval(memoryTimer);
      closing = true;
      let open = sockets.length;
      const done = async () => {
        flush();
        // what is still spilled stays on disk for the next start (replayed first)
        await spill?.settle();
        await replaying;
        try {
          spill?.flush();
        } catch (err) {
          control.postMessage({ type: 'log', level: 'error', msg: `udp spill: ${spill!.stats.bytes} bytes not written at close (${(err as Error).message})` } satisfies FromWorker);
        }
        if (d.out) d.out.postMessage({ type: 'eof', queueDrops, dropsByReason: { ...dropsByReason } } satisfies FromWorker);
        control.postMessage({ type: 'closed', queueDrops, spill: spill ? { ...spill.stats } : undefined } satisfies FromWorker);
        d.out?.close();
      };
      if (open === 0) void done();
      for (const s of sockets) s.close(() => --open === 0 && void done());
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
        sock.on('error', (err) => control.postMessage({ type: 'socket-error', message: `udp ${ep.host}:${ep.port}: ${err.message}` } satisfies FromWorker));
        sockets.push(sock);
        const a = sock.address();
        bound.push({ host: a.address, port: a.port, granted: sock.getRecvBufferSize() });
      }
    } catch (err) {
      for (const s of sockets) s.close();
      control.postMessage({ type: 'error', message: `udp: ${(err as Error).message}` } satisfies FromWorker);
      return;
    }
    control.postMessage({ type: 'ready', bound, priority } satisfies FromWorker);
  })();
}

if (!isMainThread && (workerData as Partial<UdpWorkerData> | null)?.netopsUdpWorker) runUdpWorker(workerData as UdpWorkerData);
