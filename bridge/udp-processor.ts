/**
 * The UDP processor thread (with `ListenOptions.udpProcessor`): takes the receiver thread's raw
 * batches, runs the processor module on each datagram (the bridge's: classify, verify, damp,
 * forward set, neutralise: bridge/ingest-worker.ts) and on a one-second tick, and queues the
 * results in one lane per level. The main thread takes batches of at most 512, at most
 * two in flight, picked by the lane scheduler (critical first, lower lanes keep their share), so
 * a critical event waits behind at most two batches however far behind the main thread is.
 * Room: the lanes hold about queueBytes (estimated): datagrams wait raw (where the receiver's
 * screen and spill decide what overflows) while the lanes are full. An item that finds them full
 * anyway (a damping summary on the tick) sheds the newest info event, or warning for a critical
 * one; critical events only past twice the bound. Every drop is counted by level.
 */
import { parentPort, workerData, isMainThread, type MessagePort } from 'node:worker_threads';
import { datagramFrame } from './framing.js';
import { initialLaneState, pickLane, type LaneState } from './lanes.js';
import type { FromWorker, Processor, ProcessorItem, ToWorker, UdpBatch, WorkerStats } from './listen.js';
import { PROCESSOR_PRIORITY, nameThread, raiseThreadPriority, threadMemory } from './thread.js';
import { memoryGovernor } from './heap.js';

interface ProcessorData {
  netopsUdpProcessor: true;
  module: string;
  options: unknown;
  maxFrame: number;
  queueBytes: number;
  in: MessagePort;
}

const IN_FLIGHT = 2;
const BATCH = 512;

/** A FIFO of items with their sizes; take() from the head, shed() from the tail. */
class Lane {
  private items: Array<string | undefined> = [];
  private sizes: number[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: string, size: number): void {
    this.items.push(item);
    this.sizes.push(size);
  }
  take(): [string, number] {
    const h = this.head++;
    const out: [string, number] = [this.items[h]!, this.sizes[h]!];
    this.items[h] = undefined;
    if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
    return out;
  }
  /** Drop the newest item; its size. */
  shed(): number {
    this.items.pop();
    return this.sizes.pop()!;
  }
}

async function run(d: ProcessorData): Promise<void> {
  nameThread('udp-processor');
  // A processor that falls behind sheds datagrams (bridge/screen.ts); a main thread that falls
  // behind only delivers later (the spool keeps everything): on oversubscribed cores this thread
  // runs ahead of the main thread, like the receiver (only with CAP_SYS_NICE; else as it is).
  // Measured: the knee's 45,000 msg/s step shed 77,551 datagrams at the process' priority, none above it.
  const priority = raiseThreadPriority(PROCESSOR_PRIORITY);
  // its own heap, its own governor (bridge/heap.ts): classification leaves garbage in the old generation too
  const governor = memoryGovernor();
  const main = parentPort!;
  const log = (level: 'info' | 'warn' | 'error' | 'debug', msg: string): void => main.postMessage({ type: 'log', level, msg } satisfies FromWorker);
  let proc: Processor;
  try {
    const mod = (await import(d.module)) as { createProcessor: (options: unknown, l: typeof log) => Processor | Promise<Processor> };
    proc = await mod.createProcessor(d.options, log);
  } catch (err) {
    main.postMessage({ type: 'error', message: `udp processor: ${(err as Error).message}` } satisfies FromWorker);
    return;
  }
  const lanes = [new Lane(), new Lane(), new Lane()];
  let queued = 0;
  let queuedBytes = 0;
  let inFlight = 0;
  let laneState: LaneState = initialLaneState;
  let pumpTimer: NodeJS.Timeout | null = null;
  const ws = { received: 0, bytes: 0, oversize: 0, rawDrops: 0, rawDropsByReason: {} as Record<string, number> };
  const dropsByLevel = [0, 0, 0];
  let memory = threadMemory();
  const stats = (): WorkerStats => ({ ...ws, rawDropsByReason: { ...ws.rawDropsByReason }, queueDropsByLevel: [...dropsByLevel], counters: proc.counters(), memory });

  const sendBatch = (): void => {
    const items: string[] = [];
    let bytes = 0;
    while (items.length < BATCH) {
      const pick = pickLane([lanes[0]!.length > 0, lanes[1]!.length > 0, lanes[2]!.length > 0], laneState);
      laneState = pick.state;
      if (pick.lane < 0) break;
      const [item, size] = lanes[pick.lane]!.take();
      queued--;
      items.push(item);
      bytes += size;
    }
    inFlight++;
    main.postMessage({ type: 'items', items, n: items.length, bytes, stats: stats() } satisfies FromWorker);
  };
  const pump = (): void => {
    if (pumpTimer) clearTimeout(pumpTimer);
    pumpTimer = null;
    while (inFlight < IN_FLIGHT && queued > 0) sendBatch();
  };
  /** Shed the newest event of the lowest lane below `lane` that has one. */
  const shedBelow = (lane: number): boolean => {
    for (let l = 0; l < lane; l++) {
      if (lanes[l]!.length === 0) continue;
      queuedBytes -= lanes[l]!.shed();
      queued--;
      dropsByLevel[l]!++;
      return true;
    }
    return false;
  };
  const onDatagram = (data: Buffer, orig: number, ip: string, at: number): void => {
    ws.received++;
    ws.bytes += orig;
    if (orig > data.length) ws.oversize++;
    if (data.length === 0) return;
    const frame = datagramFrame(data, d.maxFrame);
    if (orig > data.length) {
      frame.truncated = true;
      frame.length = orig;
    }
    for (const r of proc.process(frame, ip, at)) enqueue(r);
  };
  const enqueue = (r: ProcessorItem): void => {
    const lane = r.level === 'critical' ? 2 : r.level === 'warning' ? 1 : 0;
    // work() classifies only while the lanes have room, so what one datagram gives is taken
    // whole (the bound is passed by that much at most). Items due without a datagram (damping
    // summaries) may find the lanes full: then lower lanes are shed first, and critical ones
    // may use twice the bound.
    if (queuedBytes >= d.queueBytes) {
      while (queuedBytes + r.size > d.queueBytes && shedBelow(lane));
      if (queuedBytes + r.size > d.queueBytes * (lane === 2 ? 2 : 1)) {
        dropsByLevel[lane]!++;
        return;
      }
    }
    lanes[lane]!.push(r.item, r.size);
    queued++;
    queuedBytes += r.size;
    if (inFlight >= IN_FLIGHT) return;
    // A critical event goes at once; others are batched for up to 2 ms.
    if (lane === 2 || queued >= BATCH) pump();
    else pumpTimer ??= setTimeout(pump, 2);
  };
  // Raw batches wait here and are worked through a slice at a time (setImmediate between), so the
  // main thread's acks (another port) are heard while a backlog is being classified.
  // Batches the receiver marked urgent (PRI warning or worse) are worked through first.
  const backlog: UdpBatch[] = [];
  const urgentBacklog: UdpBatch[] = [];
  let current: UdpBatch[] = backlog;
  let at = 0;
  let offset = 0;
  let working = false;
  /** Work stopped because the lanes were full; an ack from the main thread resumes it. */
  let stalled = false;
  let eof: number | null = null;
  let eofReasons: Record<string, number> | null = null;
  const SLICE = 256;
  const finish = (): void => {
    ws.rawDrops = eof!;
    if (eofReasons) ws.rawDropsByReason = eofReasons;
    clearInterval(statsTimer);
    clearInterval(tickTimer);
    governor?.stop();
    // What the processor still holds (damping windows) goes out with the rest.
    for (const r of proc.flush?.() ?? []) enqueue(r);
    if (pumpTimer) clearTimeout(pumpTimer);
    // Everything still queued goes to the main thread before it hears 'closed'.
    while (queued > 0) sendBatch();
    main.postMessage({ type: 'closed', queueDrops: ws.rawDrops, stats: stats() } satisfies FromWorker);
    d.in.close();
  };
  const work = (): void => {
    working = false;
    // Lanes full (the main thread behind): the rest waits raw, where the receiver's screen and
    // spill decide what overflows, instead of being classified only to be shed from the lanes.
    const full = (): boolean => queuedBytes >= d.queueBytes;
    let n = 0;
    while (n < SLICE && !full()) {
      // never switch queues in the middle of a batch
      if (at === 0) current = urgentBacklog.length > 0 ? urgentBacklog : backlog;
      const b = current[0];
      if (!b) break;
      ws.rawDrops = b.queueDrops;
      if (b.dropsByReason) ws.rawDropsByReason = b.dropsByReason;
      const data = Buffer.from(b.data);
      for (; at < b.n && n < SLICE && !full(); at++, n++) {
        const len = b.lens[at]!;
        onDatagram(data.subarray(offset, offset + len), b.orig[at]!, b.ips[at]!, b.times[at]!);
        offset += len;
      }
      if (at < b.n) break;
      current.shift();
      at = 0;
      offset = 0;
      d.in.postMessage({ type: 'ack', bytes: b.data.byteLength } satisfies ToWorker);
    }
    if (backlog.length === 0 && urgentBacklog.length === 0) {
      if (eof !== null) finish();
    } else if (full()) stalled = true;
    else {
      working = true;
      setImmediate(work);
    }
  };
  // Items due without a datagram (damping summaries), once a second.
  const tickTimer = setInterval(() => {
    try {
      for (const r of proc.tick?.() ?? []) enqueue(r);
    } catch (err) {
      log('error', `udp processor: tick failed: ${(err as Error).message}`);
    }
  }, 1000);
  // Counters reach the main thread even when nothing is handed over (e.g. only unknown messages).
  const statsTimer = setInterval(() => {
    memory = threadMemory();
    main.postMessage({ type: 'stats', stats: stats() } satisfies FromWorker);
  }, 250);

  d.in.on('message', (m: FromWorker) => {
    if (m.type === 'batch') (m.urgent ? urgentBacklog : backlog).push(m);
    else if (m.type === 'eof') {
      eof = m.queueDrops;
      eofReasons = m.dropsByReason ?? null;
    }
    else return;
    if (!working) {
      working = true;
      setImmediate(work);
    }
  });
  main.on('message', (m: ToWorker) => {
    if (m.type === 'control') {
      try {
        proc.control?.(m.data);
      } catch (err) {
        log('error', `udp processor: control message failed: ${(err as Error).message}`);
      }
      return;
    }
    if (m.type !== 'ack-items') return;
    inFlight--;
    queuedBytes -= m.bytes;
    pump();
    if (stalled && queuedBytes < d.queueBytes) {
      stalled = false;
      working = true;
      setImmediate(work);
    }
  });
  main.postMessage({ type: 'ready', bound: [], priority } satisfies FromWorker);
}

if (!isMainThread && (workerData as Partial<ProcessorData> | null)?.netopsUdpProcessor) void run(workerData as ProcessorData);
