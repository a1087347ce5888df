/**
 * Storm summaries, pure and clock-injected: when one kind of event (error, state, site) comes
 * from more than `threshold` distinct sources (router + interface or peer) inside a window
 * (default 10 s), the channel gets summaries instead of a flood. The first `threshold` events of
 * the window pass as they are (a lone BGP down is never held); the moment the threshold is
 * passed, one summary event goes out at once ("… so far"), further events of that kind are
 * absorbed (handed to `onMember` for the bridge's log, so each is still on record), and when the
 * window ends a final summary gives the totals. The summary is `<ERROR>_STORM` at the most severe
 * level seen among the events it stands for.
 */
import { createHash } from 'node:crypto';
import type { DeviceEvent } from './event.js';

/** Storm settings (times in milliseconds). */
export interface StormOptions {
  /** Distinct sources of one kind in a window before summarising (default 20). */
  threshold?: number;
  /** Window length (default 10000). */
  windowMs?: number;
  /** Most kinds tracked at once (default 1000); past it new kinds pass untouched. */
  maxKinds?: number;
  now?: () => number;
}

/** Counters. */
export interface StormStats {
  /** Events absorbed into summaries (still logged one by one). */
  absorbed: number;
  summaries: number;
  /** Kinds in a storm right now. */
  active: number;
}

interface Kind {
  key: string;
  first: DeviceEvent;
  start: number;
  sources: Set<string>;
  routers: Set<string>;
  count: number;
  absorbed: number;
  level: number;
  storming: boolean;
}

/** The id a storm's summaries share (before -so-far / -final). */
function baseId(k: Kind): string {
  return `storm-${createHash('sha256').update(`${k.key}|${k.start}`).digest('hex').slice(0, 20)}`;
}

const RANK: Record<string, number> = { info: 0, warning: 1, critical: 2 };
const LEVELS = ['info', 'warning', 'critical'] as const;

/** Groups event storms into summary events. */
export class StormSummarizer {
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly maxKinds: number;
  private readonly now: () => number;
  private readonly kinds = new Map<string, Kind>();
  private readonly s = { absorbed: 0, summaries: 0 };

  constructor(o: StormOptions = {}, private readonly onMember?: (ev: DeviceEvent, summaryId: string) => void) {
    this.threshold = Math.max(1, o.threshold ?? 20);
    this.windowMs = o.windowMs ?? 10_000;
    this.maxKinds = o.maxKinds ?? 1000;
    this.now = o.now ?? Date.now;
  }

  /** One event in; the events to post now (itself, nothing, or a summary). */
  push(ev: DeviceEvent): DeviceEvent[] {
    if (ev.error === null || ev.error.endsWith('_STORM')) return [ev];
    const now = this.now();
    const key = `${ev.error}|${ev.state ?? ''}|${ev.site ?? ''}`;
    let k = this.kinds.get(key);
    const out: DeviceEvent[] = [];
    if (k && now - k.start >= this.windowMs) {
      out.push(...this.end(k));
      k = undefined;
    }
    if (!k) {
      if (this.kinds.size >= this.maxKinds) return [...out, ev];
      k = { key, first: ev, start: now, sources: new Set(), routers: new Set(), count: 0, absorbed: 0, level: 0, storming: false };
      this.kinds.set(key, k);
    }
    const router = ev.router ?? ev.host ?? ev.ip;
    k.sources.add(`${router}|${ev.interface ?? ev.peer ?? ''}`);
    k.routers.add(router);
    k.count++;
    k.level = Math.max(k.level, RANK[ev.level] ?? 0);
    if (!k.storming && k.sources.size <= this.threshold) return [...out, ev];
    const first = !k.storming;
    k.storming = true;
    k.absorbed++;
    this.s.absorbed++;
    this.onMember?.(ev, baseId(k));
    if (first) out.push(this.summary(k, now, 'so far'));
    return out;
  }

  /** Windows that ended: their final summaries. Call about once a second. */
  tick(): DeviceEvent[] {
    const now = this.now();
    const out: DeviceEvent[] = [];
    for (const k of [...this.kinds.values()]) if (now - k.start >= this.windowMs) out.push(...this.end(k));
    return out;
  }

  /** Close every window (shutdown). */
  flush(): DeviceEvent[] {
    return [...this.kinds.values()].flatMap((k) => this.end(k));
  }

  /** Counters. */
  stats(): StormStats {
    return { ...this.s, active: [...this.kinds.values()].filter((k) => k.storming).length };
  }

  private end(k: Kind): DeviceEvent[] {
    this.kinds.delete(k.key);
    return k.storming ? [this.summary(k, this.now(), 'final')] : [];
  }

  private summary(k: Kind, now: number, phase: 'so far' | 'final'): DeviceEvent {
    this.s.summaries++;
    const f = k.first;
    const secs = Math.max(1, Math.round((Math.min(now, k.start + this.windowMs) - k.start) / 1000));
    const what = `${(f.error ?? '').toLowerCase().replace(/_/g, ' ')}${f.state ? ` (${f.state})` : ''}`;
    const routers = [...k.routers].sort();
    const shown = routers.slice(0, 5).join(', ') + (routers.length > 5 ? ` … (+${routers.length - 5})` : '');
    const scope = k.sources.size > routers.length ? `${k.sources.size} interfaces/peers on ${routers.length} routers` : `${routers.length} routers`;
    const text = `${what} on ${scope}${f.site ? ` at ${f.site}` : ''} in ${secs} s${phase === 'so far' ? ' so far' : ''}: ${k.count} events, ${shown}`;
    return {
      id: `${baseId(k)}-${phase === 'so far' ? 'so-far' : 'final'}`,
      error: `${f.error}_STORM`,
      os: null,
      host: null,
      ip: f.ip,
      timestamp: now / 1000,
      facility: null,
      severity: null,
      yang_model: null,
      yang_message: null,
      message_details: { storm: { kind: k.key, events: k.count, absorbed: k.absorbed, sources: k.sources.size, routers, window_seconds: secs, phase }, first_event: f.id },
      site: f.site,
      router: null,
      peer: null,
      interface: null,
      state: f.state,
      level: LEVELS[k.level]!,
      summary: text,
      raw: '',
      time: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
  }
}
