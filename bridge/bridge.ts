/**
 * The assembled syslog → StackStorm bridge:
 * listen (UDP/TCP/TLS) → parseSyslog → enrich (site/router from the inventory) → flap damping
 * → spool (disk) → deliver (POST /api/v1/webhooks/st2, trigger netops.device_event).
 *
 * Nothing is dropped silently: every message the bridge drops (spool full, unknown and not
 * forwarded, refused while shutting down) is counted by level and reason, and logged
 * (aggregated, at most every 5 s). UDP datagrams the kernel drops before the bridge sees them are
 * reported from /proc/net/udp (Linux) as `udp_kernel_drops`.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadInventory } from '../runtime/inventory.js';
import { jsonWithKey, type DeviceEvent, type LastChange } from './event.js';
import { Classifier, DEFAULT_BUDGET_MS } from './parse.js';
import { addCounters, ingestFrame, zeroCounters, type IngestCounters } from './ingest.js';
import type { IngestWorkerControl, IngestWorkerOptions, ProcessorCounters } from './ingest-worker.js';
import { criticalScreen } from './screen.js';
import type { Senders } from './verify.js';
import type { DampingStats } from './damping.js';
import { loadForwardSet, type ForwardSet } from './forward.js';
import { EventPipeline, addPipelineCounters, zeroPipelineCounters, type PipelineCounters, type PipelineOptions } from './pipeline.js';
import { StormSummarizer, type StormStats } from './storm.js';
import { Deliverer, type DeliverOptions, type DeliverStats } from './deliver.js';
import { listen, parseEndpoint, type Listeners, type ListenStats, type Transport } from './listen.js';
import { LEVELS, Spool, type DropNote, type Level, type SpoolStats } from './spool.js';
import type { Frame } from './framing.js';
import { threadMemory, type ThreadMemory } from './thread.js';
import { GC_ABOVE_BYTES, MAIN_YOUNG_BYTES, capYoungGeneration, memoryGovernor, holdYoungGeneration, releaseYoungGeneration, type YoungCap } from './heap.js';

/** Log function: level and one line (never payloads, never secrets). */
export type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

/** Everything the bridge needs, defaults resolved (see `resolveBridgeOptions` in the CLI). */
/** Delivery settings the bridge passes through to the Deliverer unchanged. */
type DeliverySettings = Pick<DeliverOptions, 'apiKey' | 'authToken' | 'trigger' | 'concurrency' | 'timeoutMs' | 'retryMinMs' | 'retryMaxMs' | 'insecure'>;

export interface BridgeOptions extends DeliverySettings {
  udp: string[];
  tcp: string[];
  tls: string[];
  tlsCert?: Buffer | null;
  tlsKey?: Buffer | null;
  /** Ansible inventory to fill site/router from the sender address or host name. */
  inventory?: string | null;
  spoolDir: string;
  spoolMaxBytes?: number;
  spoolMaxEvents?: number;
  spoolHardBytes?: number;
  spoolHardEvents?: number;
  spoolMemBytes?: number;
  spoolFsync?: boolean;
  /** Full webhook URL. */
  webhookUrl: string;
  /** Deliver unrecognised messages too (error: null, raw kept). */
  forwardUnknown?: boolean;
  /** With an inventory: do not post events whose sender address is not in it (counted, logged). */
  dropUnverified?: boolean;
  /** Addresses of trusted syslog relays: their messages are identified by the router name they carry. */
  trustedRelays?: string[];
  /** Device profiles directory (default: the package's profiles/, or $NETOPS_PROFILES). */
  profilesDir?: string;
  /** Per-message classification budget in ms (default 20; 0: none); a message over it is set aside. */
  classifyBudgetMs?: number;
  /** Classify UDP datagrams in the receiver thread (default true); false classifies them on the main thread, as TCP/TLS frames are. */
  classifyInReceiver?: boolean;
  /** Forward set file (pack/bridge/forward.json): post only events a rule can match, plus forwardMinLevel; null posts every event. */
  forwardSet?: string | null;
  /** Events at or above this level are posted even when no rule matches (default critical; none: rules only). */
  forwardMinLevel?: 'info' | 'warning' | 'critical' | 'none';
  /** Storm summaries: distinct sources of one kind per window before summarising (default 20; 0 turns them off). */
  stormThreshold?: number;
  stormWindowMs?: number;
  /** Flap damping window; 0 turns damping off. */
  flapWindowMs?: number;
  flapMaxKeys?: number;
  maxFrame?: number;
  maxConnections?: number;
  /** TCP/TLS connections at once from one address (default 16). */
  maxPerSource?: number;
  /** Close TCP/TLS connections idle this long (default 5 min; 0: never). */
  idleTimeoutMs?: number;
  recvBufferSize?: number;
  /** Disk room for UDP datagrams that may be critical when the processor is far behind (`<spoolDir>/udp-spill`; default 1 GiB; 0: none, they are dropped and counted past the hard bound). */
  udpSpillBytes?: number;
  /** Write the stats document here every statsIntervalMs (atomically). */
  statsJson?: string | null;
  statsIntervalMs?: number;
  /** One-line stats in the log every this often (0: never). */
  statsLogMs?: number;
  /** Names the last netops change on the event's router (bridge/correlate/); answers from memory. */
  correlator?: { lookup(ev: DeviceEvent): LastChange | null } | null;
  /** The bridge cannot go on (a listener died); it should be closed and restarted. */
  onFatal?: (err: Error) => void;
  /** Run a full GC when the JS heap holds more than this (default 32 MiB, bridge/heap.ts; 0: leave it to V8). */
  gcAboveBytes?: number;
  /** Cap of the main thread's young generation (default 8 MiB, bridge/heap.ts; 0: leave it to V8). */
  youngBytes?: number;
  log: Log;
}

/** The counters document (`--stats-json`, SIGUSR1). */
export interface BridgeStats {
  time: string;
  uptime_seconds: number;
  received: Record<Transport | 'total', number>;
  bytes: number;
  /** Messages longer than max-frame, truncated. */
  oversize: number;
  parsed: number;
  unknown: number;
  unknown_forwarded: number;
  /** Unknown messages not delivered because --forward-unknown is off (by design, counted). */
  unknown_not_forwarded: number;
  enriched: number;
  /** Events from an address the inventory does not list (router/host only claimed). */
  unverified: number;
  /** Of those, events claiming the name of a known router. */
  impersonations: number;
  /** Messages whose classification ran over the budget (left unclassified). */
  set_aside: number;
  /** Classified events no rule of the forward set can match (counted, not posted). */
  not_forwarded: number;
  storm: StormStats;
  spooled: number;
  delivered: number;
  rejected: Record<string, number>;
  retries: Record<string, number>;
  dropped: Record<Level, Record<string, number>>;
  dropped_total: number;
  damping: { suppressed: number; summaries: number; paired: number; evicted: number; keys: number };
  spool: Pick<SpoolStats, 'depth' | 'depthByLevel' | 'pendingBytes' | 'unwrittenBytes' | 'diskBytes' | 'segments' | 'inFlight' | 'recovered' | 'tornLines' | 'corruptLines' | 'compactions' | 'writeErrors' | 'overSoft'>;
  st2: Pick<DeliverStats, 'failing' | 'failingSeconds' | 'lastError' | 'inFlight'> & { /** Events StackStorm accepted per second over the last stats interval. */ accept_rate: number };
  /** How far behind each lane is (queued events, age of the oldest in ms). */
  lanes: SpoolStats['lanes'];
  connections: Pick<ListenStats, 'connections' | 'connectionsTotal' | 'paused' | 'pausedNow' | 'connectionsRefused' | 'connectionsRefusedPerSource' | 'idleClosed' | 'framingErrors' | 'tlsErrors' | 'socketErrors'>;
  udp_kernel_drops: number | null;
  /** UDP datagrams dropped because the bridge's own receive queue was full (main thread too slow). */
  udp_queue_drops: number;
  /** The same by level: the receiver thread sheds info first, critical only past twice its bound. */
  udp_queue_drops_by_level: Record<Level, number>;
  /** Datagrams dropped raw, before classification (receive queue full), by reason: not_critical (the critical screen said it cannot be critical), warning_hard_full, critical_hard_full, full. */
  udp_raw_drops_by_reason: Record<string, number>;
  udp_recv_buffer: number[];
  /** The UDP receiver's disk spill: datagrams that may be critical, kept past the raw queue's hard bound (null: none). */
  udp_spill: ListenStats['udpSpill'];
  /** Event-loop lag seen by the stats timer (ms). */
  loop_lag_ms: number;
  /** Full GCs the memory governor ran (heap above gcAboveBytes). */
  gc_forced: number;
  rss_bytes: number;
  heap_used_bytes: number;
  heap_total_bytes: number;
  external_bytes: number;
  /** Each thread's own V8 heap (main: this one; the UDP receiver's and processor's as they last reported). */
  threads: { main: ThreadMemory; udp_receiver?: ThreadMemory; udp_processor?: ThreadMemory };
}

/** A running bridge. */
export interface Bridge {
  addresses: Listeners['addresses'];
  stats(): BridgeStats;
  /** Re-read the inventory (SIGHUP). */
  reloadInventory(): void;
  /** Stop listening, deliver what is in flight (up to graceMs), persist the spool. */
  close(graceMs?: number): Promise<void>;
}

/** The inventory's address → router mapping (the source of truth will provide it later). */
function indexInventory(path: string): Senders {
  const senders: Senders = new Map();
  for (const h of loadInventory(path).hosts.values()) senders.set(h.address, { router: h.name, site: h.site });
  return senders;
}

/** Default disk room of the UDP spill (bridge/udp-spill.ts). */
export const UDP_SPILL_BYTES = 1024 ** 3;

/** Spool fill (Spool.fill) at which TCP/TLS connections are paused, and below which they resume. */
export const PAUSE_AT = 0.5;
export const RESUME_BELOW = 0.25;

/** Start the bridge. */
export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const log = o.log;
  const started = Date.now();
  // The young generation does not grow while the profiles are checked (bridge/heap.ts).
  if ((o.youngBytes ?? MAIN_YOUNG_BYTES) > 0) holdYoungGeneration();
  let youngCap: YoungCap | null = null;
  // The device profiles load (and every pattern is checked for backtracking) before anything
  // listens: broken profiles refuse the start with their diagnostics (ProfileError).
  const classifier = new Classifier({
    profilesDir: o.profilesDir,
    vet: true,
    budgetMs: o.classifyBudgetMs ?? DEFAULT_BUDGET_MS,
    onSetAside: (s) => log('warn', `set aside a ${s.length}-character message from ${s.ip}: classification ran ${s.elapsedMs.toFixed(1)} ms (in ${s.ref}), over the budget`),
  });
  let inventory: Senders | null = o.inventory ? indexInventory(o.inventory) : null;
  const relays = new Set(o.trustedRelays ?? []);
  if (o.inventory) log('info', `inventory ${o.inventory}: ${inventory!.size} router addresses`);

  const c = { spooled: 0 };
  /** Classification counters: this thread's (TCP/TLS, or all without the receiver thread) and the UDP receiver thread's (cumulative). */
  const mainIngest = zeroCounters();
  const noDamping: DampingStats = { suppressed: 0, summaries: 0, paired: 0, evicted: 0, keys: 0 };
  let udpIngest: IngestCounters & ProcessorCounters = { ...zeroCounters(), setAside: 0, pipeline: zeroPipelineCounters(), damping: noDamping };
  const ingestTotals = (): IngestCounters => {
    const t = zeroCounters();
    addCounters(t, mainIngest);
    addCounters(t, udpIngest);
    return t;
  };
  const forwardSet: ForwardSet | null = o.forwardSet ? loadForwardSet(o.forwardSet) : null;
  if (forwardSet) log('info', `forward set ${forwardSet.source}: ${forwardSet.rules.length} rules; posting what they can match and events at level ${o.forwardMinLevel ?? 'critical'} and above, counting the rest`);
  const storm = o.stormThreshold === 0 ? null : new StormSummarizer({ threshold: o.stormThreshold, windowMs: o.stormWindowMs }, (ev, sid) => log('info', `storm ${sid}: ${ev.id} ${ev.level} ${ev.summary}`));
  const bridgeDrops: Record<Level, Record<string, number>> = { info: {}, warning: {}, critical: {} };
  const pendingDropLog = new Map<string, number>();
  let lastDropLog = 0;
  let dropLogTimer: NodeJS.Timeout | null = null;

  const flushDropLog = (): void => {
    dropLogTimer = null;
    if (pendingDropLog.size === 0) return;
    lastDropLog = Date.now();
    const parts = [...pendingDropLog].map(([k, n]) => `${n} ${k}`);
    pendingDropLog.clear();
    const sp = spool.stats();
    log('error', `dropped events: ${parts.join(', ')} (spool depth ${sp.depth}, ${sp.pendingBytes} bytes; policy: info first, then warning, never critical below the hard bound)`);
  };
  const noteDrops = (dropped: Array<DropNote | { level: Level; reason: string }>): void => {
    for (const d of dropped) {
      const k = `${d.level} (${d.reason})`;
      pendingDropLog.set(k, (pendingDropLog.get(k) ?? 0) + 1);
    }
    if (dropped.length === 0 || dropLogTimer) return;
    dropLogTimer = setTimeout(flushDropLog, Math.max(0, lastDropLog + 5000 - Date.now()));
  };

  const spool = await Spool.open({
    dir: o.spoolDir,
    maxBytes: o.spoolMaxBytes,
    maxEvents: o.spoolMaxEvents,
    hardBytes: o.spoolHardBytes,
    hardEvents: o.spoolHardEvents,
    memBytes: o.spoolMemBytes,
    fsync: o.spoolFsync,
    log,
  });
  const recoveredBelow = spool.stats().nextSeq;
  const { apiKey, authToken, trigger, concurrency, timeoutMs, retryMinMs, retryMaxMs, insecure } = o;
  const delivery: DeliverySettings = { apiKey, authToken, trigger, concurrency, timeoutMs, retryMinMs, retryMaxMs, insecure };
  const deliverer = new Deliverer(spool, { ...delivery, url: o.webhookUrl, recoveredBelow, log });
  // Verify, damp, decide (bridge/pipeline.ts): this thread's for TCP/TLS (and UDP with
  // classifyInReceiver false); the processor thread runs its own for UDP datagrams.
  const pipelineOptions = (): PipelineOptions => ({
    forward: forwardSet ? { set: forwardSet, minLevel: o.forwardMinLevel ?? 'critical' } : null,
    damping: o.flapWindowMs === 0 ? null : { windowMs: o.flapWindowMs, maxKeys: o.flapMaxKeys },
    senders: inventory ? [...inventory] : null,
    relays: [...relays],
    dropUnverified: o.dropUnverified ?? false,
  });
  const pipeline = new EventPipeline(pipelineOptions());
  let accepting = true;

  /** Spool an event; `json`: its JSON text as it came (from the processor thread), not serialised again. */
  const emit = (ev: DeviceEvent, json?: string): void => {
    if (!accepting) {
      bridgeDrops[ev.level].shutting_down = (bridgeDrops[ev.level].shutting_down ?? 0) + 1;
      noteDrops([{ level: ev.level, reason: 'shutting_down' }]);
      return;
    }
    if (o.correlator) {
      const had = 'last_change' in ev;
      ev.last_change = o.correlator.lookup(ev);
      if (json !== undefined) json = had ? undefined : jsonWithKey(json, 'last_change', ev.last_change);
    }
    const r = spool.append(ev, json);
    if (r.accepted) c.spooled++;
    if (r.dropped.length > 0) noteDrops(r.dropped);
  };

  /** An event the pipeline decided to post: storms are summarised, the rest spooled. */
  const post = (ev: DeviceEvent, json?: string): void => {
    if (!storm) return emit(ev, json);
    for (const e of storm.push(ev)) emit(e, e === ev ? json : undefined);
  };

  /** Events --drop-unverified dropped, in either thread (counted there; logged here). */
  const pipelineTotals = (): PipelineCounters => {
    const t = zeroPipelineCounters();
    addPipelineCounters(t, pipeline.counters);
    addPipelineCounters(t, udpIngest.pipeline);
    return t;
  };
  const unverifiedSeen: Record<Level, number> = { info: 0, warning: 0, critical: 0 };
  const noteUnverifiedDrops = (): void => {
    const now = pipelineTotals().droppedUnverified;
    for (const l of LEVELS) {
      const n = now[l] - unverifiedSeen[l];
      if (n <= 0) continue;
      bridgeDrops[l].unverified = now[l];
      noteDrops(Array.from({ length: n }, () => ({ level: l, reason: 'unverified' })));
      unverifiedSeen[l] = now[l];
    }
  };

  /** A classified, neutralised event on this thread: who sent it, flap damping, the forward set, then post. */
  const onEvent = (ev: DeviceEvent): void => {
    for (const e of pipeline.push(ev)) post(e);
    if (o.dropUnverified) noteUnverifiedDrops();
  };

  let parseExceptionsSeen = 0;
  const noteParseExceptions = (): void => {
    const n = mainIngest.parseExceptions + udpIngest.parseExceptions;
    if (n === parseExceptionsSeen) return;
    // parseSyslog is not supposed to throw; if it does, count and say so.
    bridgeDrops.info.parse_exception = n;
    noteDrops(Array.from({ length: n - parseExceptionsSeen }, () => ({ level: 'info' as Level, reason: 'parse_exception' })));
    parseExceptionsSeen = n;
  };
  let pausing = false;
  const onMessage = (frame: Frame, ip: string, receivedAt: number, _t: Transport): void => {
    const ev = ingestFrame(classifier, frame, ip, receivedAt, o.forwardUnknown ?? false, mainIngest);
    if (ev) onEvent(ev);
    else noteParseExceptions();
  };
  const inReceiver = o.classifyInReceiver ?? true;
  const screen = criticalScreen(classifier.profiles);
  if (inReceiver) log(screen.keepAll ? 'warn' : 'debug', screen.keepAll ? `critical screen: keeps every datagram when the receive queue is full (${screen.why})` : `critical screen: PRI severity <= 2 or one of ${screen.needles.length} tags`);
  // The processor thread runs the pipeline on every datagram (bridge/ingest-worker.ts): only the
  // events to post cross to this thread.
  const processorOptions: IngestWorkerOptions = {
    profilesDir: o.profilesDir,
    budgetMs: o.classifyBudgetMs ?? DEFAULT_BUDGET_MS,
    forwardUnknown: o.forwardUnknown ?? false,
    pipeline: pipelineOptions(),
  };

  const listeners = await listen({
    udp: o.udp.map((s) => parseEndpoint(s)),
    tcp: o.tcp.map((s) => parseEndpoint(s)),
    tls: o.tls.map((s) => parseEndpoint(s, 6514)),
    tlsCert: o.tlsCert ?? undefined,
    tlsKey: o.tlsKey ?? undefined,
    maxFrame: o.maxFrame,
    maxConnections: o.maxConnections,
    maxPerSource: o.maxPerSource,
    idleTimeoutMs: o.idleTimeoutMs,
    // TCP/TLS back-pressure: pause reading when the spool is half full (a chunk's frames still
    // fit), resume below a quarter; UDP cannot be paused, its lanes shed info first instead.
    full: () => (spool.fill() >= PAUSE_AT ? (pausing = true) : false),
    isKnown: (ip) => (inventory?.has(ip) ?? false) || relays.has(ip),
    recvBufferSize: o.recvBufferSize,
    onMessage,
    udpProcessor: inReceiver
      ? {
          module: new URL('./ingest-worker.js', import.meta.url).href,
          options: processorOptions,
          onItems: (items, counters) => {
            udpIngest = counters as unknown as typeof udpIngest;
            noteParseExceptions();
            if (o.dropUnverified) noteUnverifiedDrops();
            for (const text of items) post(JSON.parse(text) as DeviceEvent, text);
            youngCap?.check();
          },
        }
      : undefined,
    criticalScreen: screen,
    udpSpill: (o.udpSpillBytes ?? UDP_SPILL_BYTES) > 0 ? { dir: join(o.spoolDir, 'udp-spill'), maxBytes: o.udpSpillBytes ?? UDP_SPILL_BYTES } : null,
    onFatal: o.onFatal,
    log,
  }).catch(async (err: Error) => {
    releaseYoungGeneration();
    await spool.close();
    throw err;
  });
  youngCap = capYoungGeneration(o.youngBytes ?? MAIN_YOUNG_BYTES);
  deliverer.start();
  const resumer = setInterval(() => {
    if (!pausing || spool.fill() >= RESUME_BELOW) return;
    pausing = false;
    listeners.resume();
  }, 50);

  const tick = setInterval(() => {
    for (const e of pipeline.tick()) post(e);
    for (const e of storm?.tick() ?? []) emit(e);
  }, 1000);
  let rate = { at: Date.now(), delivered: 0, perSecond: 0 };
  let lag = 0;
  let lastBeat = Date.now();
  const statsEvery = o.statsIntervalMs ?? 10_000;
  let seenQueueDrops = 0;
  let seenKernelDrops: number | null = null;
  const beat = setInterval(() => {
    const now = Date.now();
    const ls = listeners.stats();
    if (ls.udpQueueDrops > seenQueueDrops) {
      log('error', `dropped ${ls.udpQueueDrops - seenQueueDrops} UDP datagrams: the bridge's receive queue was full (processing too slow); so far raw by reason ${JSON.stringify(ls.udpRawDropsByReason)}, shed from lanes by level ${JSON.stringify(ls.udpQueueDropsByLevel)}`);
      seenQueueDrops = ls.udpQueueDrops;
    }
    if (ls.udpKernelDrops !== null && seenKernelDrops !== null && ls.udpKernelDrops > seenKernelDrops) {
      log('error', `the kernel dropped ${ls.udpKernelDrops - seenKernelDrops} UDP datagrams (receive buffer full): raise net.core.rmem_max and --udp-rcvbuf`);
    }
    seenKernelDrops = ls.udpKernelDrops;
    const delivered = deliverer.stats().delivered;
    rate = { at: now, delivered, perSecond: Math.round(((delivered - rate.delivered) * 1000) / Math.max(1, now - rate.at)) };
    lag = Math.max(0, now - lastBeat - statsEvery);
    lastBeat = now;
    if (o.statsJson) void writeStats(o.statsJson, stats()).catch((err: Error) => log('warn', `cannot write ${o.statsJson}: ${err.message}`));
  }, statsEvery);
  const statsLog = o.statsLogMs ? setInterval(() => log('info', statsLine(stats())), o.statsLogMs) : null;
  // Memory governor (bridge/heap.ts): a full GC once this thread's heap passes gcAboveBytes.
  const governor = memoryGovernor(o.gcAboveBytes ?? GC_ABOVE_BYTES);

  const stats = (): BridgeStats => {
    const ls = listeners.stats();
    const sp = spool.stats();
    const ds = deliverer.stats();
    const dropped: Record<Level, Record<string, number>> = { info: {}, warning: {}, critical: {} };
    let total = 0;
    for (const l of LEVELS) {
      for (const [k, n] of [...Object.entries(sp.dropped[l]), ...Object.entries(bridgeDrops[l])]) {
        if (n > 0) dropped[l][k] = (dropped[l][k] ?? 0) + n;
        total += n;
      }
    }
    total += ls.udpQueueDrops;
    const ing = ingestTotals();
    const pt = pipelineTotals();
    const received = { ...ls.messages, total: ls.messages.udp + ls.messages.tcp + ls.messages.tls };
    return {
      time: new Date().toISOString(),
      uptime_seconds: Math.round((Date.now() - started) / 1000),
      received,
      bytes: ls.bytes,
      oversize: ls.oversize,
      parsed: ing.parsed,
      unknown: ing.unknown,
      unknown_forwarded: ing.unknownForwarded,
      unknown_not_forwarded: ing.unknownSkipped,
      enriched: pt.enriched,
      unverified: pt.unverified,
      impersonations: pt.impersonations,
      set_aside: classifier.stats.setAside + udpIngest.setAside,
      not_forwarded: pt.notForwarded,
      storm: storm ? storm.stats() : { absorbed: 0, summaries: 0, active: 0 },
      spooled: c.spooled,
      delivered: ds.delivered,
      rejected: ds.rejected,
      retries: ds.retries,
      dropped,
      dropped_total: total,
      damping: sumDamping(pipeline.damping(), udpIngest.damping),
      spool: {
        depth: sp.depth,
        depthByLevel: sp.depthByLevel,
        pendingBytes: sp.pendingBytes,
        unwrittenBytes: sp.unwrittenBytes,
        diskBytes: sp.diskBytes,
        segments: sp.segments,
        inFlight: sp.inFlight,
        recovered: sp.recovered,
        tornLines: sp.tornLines,
        corruptLines: sp.corruptLines,
        compactions: sp.compactions,
        writeErrors: sp.writeErrors,
        overSoft: sp.overSoft,
      },
      st2: { failing: ds.failing, failingSeconds: ds.failingSeconds, lastError: ds.lastError, inFlight: ds.inFlight, accept_rate: rate.perSecond },
      lanes: sp.lanes,
      connections: {
        connections: ls.connections,
        connectionsTotal: ls.connectionsTotal,
        paused: ls.paused,
        pausedNow: ls.pausedNow,
        connectionsRefused: ls.connectionsRefused,
        connectionsRefusedPerSource: ls.connectionsRefusedPerSource,
        idleClosed: ls.idleClosed,
        framingErrors: ls.framingErrors,
        tlsErrors: ls.tlsErrors,
        socketErrors: ls.socketErrors,
      },
      udp_kernel_drops: ls.udpKernelDrops,
      udp_queue_drops: ls.udpQueueDrops,
      udp_queue_drops_by_level: ls.udpQueueDropsByLevel,
      udp_raw_drops_by_reason: ls.udpRawDropsByReason,
      udp_recv_buffer: ls.udpRecvBuffer,
      udp_spill: ls.udpSpill,
      loop_lag_ms: lag,
      gc_forced: governor?.forced() ?? 0,
      ...memory(),
      threads: { main: threadMemory(), udp_receiver: ls.threadMemory.receiver, udp_processor: ls.threadMemory.processor },
    };
  };

  let closing: Promise<void> | null = null;
  return {
    addresses: listeners.addresses,
    stats,
    reloadInventory() {
      if (!o.inventory) return;
      try {
        inventory = indexInventory(o.inventory);
        pipeline.setSenders([...inventory]);
        listeners.udpControl({ senders: [...inventory] } satisfies IngestWorkerControl);
        log('info', `inventory ${o.inventory} reloaded: ${inventory.size} router addresses`);
      } catch (err) {
        log('error', `inventory ${o.inventory} not reloaded (keeping the old one): ${(err as Error).message}`);
      }
    },
    close(graceMs = 5000) {
      closing ??= (async () => {
        clearInterval(resumer);
        await listeners.close();
        for (const e of pipeline.flush()) post(e);
        for (const e of storm?.flush() ?? []) emit(e);
        accepting = false;
        clearInterval(tick);
        await deliverer.stop(graceMs);
        await spool.close();
        clearInterval(beat);
        governor?.stop();
        youngCap?.stop();
        if (statsLog) clearInterval(statsLog);
        if (dropLogTimer) clearTimeout(dropLogTimer);
        flushDropLog();
        const final = stats();
        if (o.statsJson) await writeStats(o.statsJson, final).catch(() => undefined);
        log('info', `stopped: ${statsLine(final)}`);
      })();
      return closing;
    },
  };
}

function sumDamping(a: DampingStats, b: DampingStats | undefined): DampingStats {
  if (!b) return a;
  return { suppressed: a.suppressed + b.suppressed, summaries: a.summaries + b.summaries, paired: a.paired + b.paired, evicted: a.evicted + b.evicted, keys: a.keys + b.keys };
}

function memory(): { rss_bytes: number; heap_used_bytes: number; heap_total_bytes: number; external_bytes: number } {
  const m = process.memoryUsage();
  return { rss_bytes: m.rss, heap_used_bytes: m.heapUsed, heap_total_bytes: m.heapTotal, external_bytes: m.external };
}

/** The stats in one log line. */
export function statsLine(s: BridgeStats): string {
  const d = s.dropped;
  const sum = (l: Level) => Object.values(d[l]).reduce((a, b) => a + b, 0);
  const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  return (
    `received=${s.received.total} (udp ${s.received.udp}, tcp ${s.received.tcp}, tls ${s.received.tls}) parsed=${s.parsed} unknown=${s.unknown}` +
    ` not_forwarded=${s.not_forwarded} storm_absorbed=${s.storm.absorbed} delivered=${s.delivered} (${s.st2.accept_rate}/s) rejected=${rejected} spool_depth=${s.spool.depth}` +
    ` lag critical ${s.lanes.critical.queued}/${s.lanes.critical.lagMs}ms warning ${s.lanes.warning.queued}/${s.lanes.warning.lagMs}ms info ${s.lanes.info.queued}/${s.lanes.info.lagMs}ms dropped=${s.dropped_total}` +
    ` (info ${sum('info')}, warning ${sum('warning')}, critical ${sum('critical')}) damped=${s.damping.suppressed}` +
    ` oversize=${s.oversize} udp_kernel_drops=${s.udp_kernel_drops ?? 'n/a'} udp_queue_drops=${s.udp_queue_drops}${s.st2.failing ? ` st2=DOWN ${s.st2.failingSeconds}s` : ''}`
  );
}

let statsWrites = 0;

async function writeStats(path: string, s: BridgeStats): Promise<void> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${statsWrites++}.tmp`;
  await fsp.writeFile(tmp, `${JSON.stringify(s, null, 2)}\n`);
  await fsp.rename(tmp, path);
}
