/**
 * Flap damping for BGP sessions and interfaces, pure and clock-injected.
 *
 * Per (router, peer | interface):
 * - the first failure goes out at once and opens a window (default 5 min);
 * - the first recovery after it goes out too, paired with the failure
 *   (`message_details.recovers` = the failure's id, `message_details.down_seconds`);
 * - any further transition inside the window marks the key as flapping: it is suppressed and
 *   counted, and when the window ends ONE summary event (`BGP_NEIGHBOR_FLAPPING` /
 *   `INTERFACE_FLAPPING`) says how often it flapped and the state it is in now. While it keeps
 *   flapping, windows follow each other, one summary each; a quiet window ends the episode.
 * - repeats of the current state inside a window are suppressed and counted too.
 * State is bounded: at most `maxKeys` keys (least recently used evicted, its summary emitted
 * first), idle keys forgotten after `idleMs`.
 */
import { createHash } from 'node:crypto';
import { completeEvent } from './deferred.js';
import type { DeviceEvent } from './event.js';

/** Damping settings; all times in milliseconds. */
export interface DampingOptions {
  /** Length of a damping window (default 300000 = 5 min). */
  windowMs?: number;
  /** Most keys remembered (default 10000). */
  maxKeys?: number;
  /** A key without a window is forgotten after this long (default 24 h): a recovery later than that is not paired. */
  idleMs?: number;
  /** Clock (default Date.now). */
  now?: () => number;
}

/** Counters the damper keeps. */
export interface DampingStats {
  /** Events held back (transitions while flapping, repeats of the current state). */
  suppressed: number;
  /** Summary events emitted. */
  summaries: number;
  /** Recoveries paired with their failure. */
  paired: number;
  /** Keys evicted because maxKeys was reached. */
  evicted: number;
  /** Keys currently tracked. */
  keys: number;
}

type Kind = 'bgp' | 'interface';

interface Window {
  start: number;
  end: number;
  /** Failures (transitions to a down state) seen in this window. */
  failures: number;
  /** State changes seen in this window. */
  transitions: number;
  suppressed: number;
  flapping: boolean;
  last: DeviceEvent;
}

interface KeyState {
  key: string;
  kind: Kind;
  /** Last known state class: true = up/Established, false = down, null = unknown. */
  up: boolean | null;
  /** Clock time of the latest up → down change (for down_seconds). */
  downSince: number | null;
  /** Id of the event people saw for the current outage (failure or summary). */
  downId: string | null;
  window: Window | null;
  touched: number;
}

/** States that count as "up" for a BGP session or an interface; anything else is "down". */
const UP_STATES = new Set(['established', 'up']);

/** Key and direction of an event the damper handles, or null when it passes untouched. */
export function classify(ev: DeviceEvent): { key: string; kind: Kind; up: boolean } | null {
  if (ev.state == null || ev.state === '') return null;
  // only a verified router is keyed by its name: a claimed name is keyed with its sender address
  const who = ev.verified === true ? ev.router : `${ev.router ?? ev.host ?? ''}@${ev.ip}`;
  const up = UP_STATES.has(ev.state.trim().toLowerCase());
  if (ev.peer) return { key: `${who}|bgp|${ev.peer}`, kind: 'bgp', up };
  if (ev.interface) return { key: `${who}|if|${ev.interface}`, kind: 'interface', up };
  return null;
}

/** Stateful flap damper: feed events with `push`, call `tick` periodically for summaries. */
export class Damper {
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  /** Insertion order = least recently used first. */
  private readonly keys = new Map<string, KeyState>();
  private readonly counters = { suppressed: 0, summaries: 0, paired: 0, evicted: 0 };

  constructor(opts: DampingOptions = {}) {
    this.windowMs = opts.windowMs ?? 300_000;
    this.maxKeys = Math.max(1, opts.maxKeys ?? 10_000);
    this.idleMs = opts.idleMs ?? 86_400_000;
    this.now = opts.now ?? Date.now;
  }

  /** Current counters. */
  stats(): DampingStats {
    return { ...this.counters, keys: this.keys.size };
  }

  /** Handle one event; returns what to deliver now (the event, maybe annotated; a due summary; or nothing). */
  push(ev: DeviceEvent): DeviceEvent[] {
    const c = classify(ev);
    if (!c) return [ev];
    const now = this.now();
    const out: DeviceEvent[] = [];
    let st = this.keys.get(c.key);
    if (st) {
      this.keys.delete(c.key);
      this.endWindowIfDue(st, now, out);
    } else {
      st = { key: c.key, kind: c.kind, up: null, downSince: null, downId: null, window: null, touched: now };
      while (this.keys.size >= this.maxKeys) this.evictOldest(out);
    }
    st.touched = now;
    this.keys.set(c.key, st);

    const w = st.window;
    if (w && st.up === c.up) {
      // A repeat of the current state inside a window.
      w.suppressed++;
      w.last = ev;
      this.counters.suppressed++;
      return out;
    }
    if (!c.up) {
      const wasUp = st.up !== false;
      st.up = false;
      if (wasUp || st.downSince === null) st.downSince = now;
      if (!w) {
        st.window = { start: now, end: now + this.windowMs, failures: 1, transitions: 1, suppressed: 0, flapping: false, last: ev };
        st.downId = completeEvent(ev).id;
        out.push(ev);
        return out;
      }
      w.failures++;
      w.transitions++;
      w.flapping = true;
      w.suppressed++;
      w.last = ev;
      this.counters.suppressed++;
      return out;
    }
    // Up.
    const wasDown = st.up === false;
    st.up = true;
    if (!w) {
      out.push(wasDown ? this.pair(st, ev, now) : ev);
      return out;
    }
    w.transitions++;
    w.last = ev;
    if (!w.flapping && w.failures === 1 && wasDown) {
      const paired = this.pair(st, ev, now);
      w.last = paired;
      out.push(paired);
      return out;
    }
    w.flapping = true;
    w.suppressed++;
    this.counters.suppressed++;
    return out;
  }

  /** Summaries of windows that ended by now; forgets idle keys. Call about once a second. */
  tick(): DeviceEvent[] {
    const now = this.now();
    const out: DeviceEvent[] = [];
    for (const st of [...this.keys.values()]) {
      this.endWindowIfDue(st, now, out);
      if (!st.window && now - st.touched >= this.idleMs) this.keys.delete(st.key);
    }
    return out;
  }

  /** Summaries of all open flapping windows, now (on shutdown). */
  flush(): DeviceEvent[] {
    const out: DeviceEvent[] = [];
    const now = this.now();
    for (const st of this.keys.values()) {
      if (st.window && summaryDue(st.window)) out.push(this.summary(st, st.window, now));
      st.window = null;
    }
    return out;
  }

  private endWindowIfDue(st: KeyState, now: number, out: DeviceEvent[]): void {
    // Loop: after a long silence several windows may have ended; only the first can hold anything.
    while (st.window && now >= st.window.end) {
      const w = st.window;
      if (summaryDue(w)) {
        const s = this.summary(st, w, w.end);
        out.push(s);
        if (st.up === false) st.downId = s.id;
      }
      if (w.flapping && w.transitions > 0) {
        // Still flapping: the next window starts quiet and suppresses from its first change.
        st.window = { start: w.end, end: w.end + this.windowMs, failures: 0, transitions: 0, suppressed: 0, flapping: true, last: w.last };
      } else {
        st.window = null;
      }
    }
  }

  private evictOldest(out: DeviceEvent[]): void {
    const first = this.keys.values().next();
    if (first.done) return;
    const st = first.value;
    if (st.window && summaryDue(st.window)) out.push(this.summary(st, st.window, this.now()));
    this.keys.delete(st.key);
    this.counters.evicted++;
  }

  /** Annotate a recovery with the failure it ends. */
  private pair(st: KeyState, ev: DeviceEvent, now: number): DeviceEvent {
    if (!st.downId || st.downSince === null) return ev;
    const downSeconds = Math.max(0, Math.round((now - st.downSince) / 1000));
    const recovers = st.downId;
    st.downId = null;
    completeEvent(ev);
    st.downSince = null;
    this.counters.paired++;
    return {
      ...ev,
      summary: `${ev.summary} (down ${formatDuration(downSeconds)})`,
      recovers,
      down_seconds: downSeconds,
      message_details: { ...ev.message_details, recovers, down_seconds: downSeconds },
    };
  }

  private summary(st: KeyState, w: Window, at: number): DeviceEvent {
    this.counters.summaries++;
    const last = completeEvent(w.last);
    const who = last.router ?? last.host ?? last.ip;
    const what = st.kind === 'bgp' ? last.peer : last.interface;
    const minutes = formatDuration(Math.round(this.windowMs / 1000));
    const now = last.state ?? (st.up ? 'up' : 'down');
    const changes = w.failures > 0 ? `flapped ${w.failures} time${w.failures === 1 ? '' : 's'}` : `changed state ${w.transitions} time${w.transitions === 1 ? '' : 's'}`;
    const id = createHash('sha256').update(`flap\0${st.key}\0${w.start}`).digest('hex').slice(0, 32);
    return {
      ...last,
      id,
      error: st.kind === 'bgp' ? 'BGP_NEIGHBOR_FLAPPING' : 'INTERFACE_FLAPPING',
      timestamp: Math.floor(at / 1000),
      level: st.up === false ? 'critical' : 'warning',
      summary: `${who}: ${what} ${changes} in ${minutes}, now ${now}`,
      flaps: w.transitions,
      message_details: {
        ...last.message_details,
        flap: {
          failures: w.failures,
          transitions: w.transitions,
          suppressed: w.suppressed,
          window_seconds: Math.round(this.windowMs / 1000),
          window_start: Math.floor(w.start / 1000),
        },
      },
      raw: '',
    };
  }
}

/** A window ends with a summary when the key flapped in it (repeats alone do not count). */
function summaryDue(w: Window): boolean {
  return w.flapping && w.transitions > 0 && w.suppressed > 0;
}

/** 300 → "5 min", 42 → "42 s", 3725 → "1 h 2 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return s ? `${m} min ${s} s` : `${m} min`;
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}
