/**
 * The bridge's UDP listener with its processor thread held at a gate (test/support/gated-processor.ts),
 * and what a flood test needs around it: the events handed to the main thread, and the kernel's
 * receive queue for pacing (so the kernel drops nothing and the test is deterministic).
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { DeviceEvent } from '../../bridge/event.js';
import { listen, type Listeners, type ListenOptions } from '../../bridge/listen.js';
import { Classifier } from '../../bridge/parse.js';
import { criticalScreen } from '../../bridge/screen.js';
import type { GatedOptions } from './gated-processor.js';

/** rx_queue (bytes waiting in the kernel) of a UDP port on 127.0.0.1. */
export function rxQueue(port: number): number {
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length > 4 && parseInt(cols[1]!.split(':')[1]!, 16) === port) return parseInt(cols[4]!.split(':')[1]!, 16);
  }
  return 0;
}

export interface Gated {
  ls: Listeners;
  /** Events the main thread received, in order. */
  items: DeviceEvent[];
  /** Datagrams that reached the processor (it blocks on the first). */
  reached(): number;
  open(): void;
  /** Send one datagram from a connected socket (waits for the send). */
  send(line: string): Promise<void>;
  /** Wait until the kernel holds at most `bytes` for the listener. */
  drain(bytes?: number): Promise<void>;
  close(): void;
}

/** The listener on 127.0.0.1 with the bridge's processor (no forward set, no damping) behind a closed gate. */
export async function gatedListen(o: Pick<ListenOptions, 'udpQueueBytes' | 'udpSpill'>, classifier = new Classifier()): Promise<Gated> {
  const gate = new SharedArrayBuffer(8);
  const flag = new Int32Array(gate);
  const items: DeviceEvent[] = [];
  const options: GatedOptions = { gate, inner: { budgetMs: 20, forwardUnknown: true, pipeline: { forward: null, damping: null, senders: null, relays: [], dropUnverified: false } } };
  const ls = await listen({
    udp: [{ host: '127.0.0.1', port: 0 }],
    ...o,
    onMessage: () => undefined,
    udpProcessor: {
      module: new URL('./gated-processor.js', import.meta.url).href,
      options,
      onItems: (got) => items.push(...got.map((t) => JSON.parse(t) as DeviceEvent)),
    },
    criticalScreen: criticalScreen(classifier.profiles),
  });
  const port = ls.addresses[0]!.port;
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.connect(port, '127.0.0.1', () => r()));
  const open = () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  return {
    ls,
    items,
    reached: () => Atomics.load(flag, 1),
    open,
    send: (line) => new Promise<void>((r) => sock.send(line, () => r())),
    drain: async (bytes = 0) => {
      while (rxQueue(port) > bytes) await new Promise((r) => setTimeout(r, bytes > 0 ? 1 : 5));
    },
    close: () => {
      open();
      sock.close();
    },
  };
}
