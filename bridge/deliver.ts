/**
 * Delivery of spooled events to StackStorm's webhook: `POST …/webhooks/st2` with
 * `{"trigger": "netops.device_event", "payload": <event>}` and the `St2-Api-Key` header.
 *
 * Records are taken from the spool by lane (critical first) and sent with up to `concurrency`
 * requests in flight (keep-alive). 2xx finishes a record. Only 400 and 422 (StackStorm refused
 * that payload) reject one event: counted, logged with the event id and the reason, finished so
 * it does not block the queue. Every other answer is a property of StackStorm or of the
 * configuration, never of the event, so the backlog is kept and retried with capped exponential
 * backoff and jitter: 5xx, 408, 429, timeouts, connection errors; 401/403 (key), 404 (URL) and
 * 3xx are logged loudly with the URL and what to fix. A redirect from http to https on the same
 * host (StackStorm's nginx) is followed once: the https URL is used from then on, and the log
 * says so. While failing, one request at a time probes StackStorm, most urgent lane first.
 * At-least-once: a redelivery carries the same event id; requests that may be redeliveries
 * (retries, records recovered from disk) carry the header `Netops-Redelivery: 1`.
 */
import { PostError, Poster, type PostAnswer } from './post.js';
import type { Spool, SpoolRecord } from './spool.js';

/**
 * Requests in flight by default. With one POST per event, the delivery rate is about this many
 * over the webhook's answer time: with axios, 8 drained ≈ 1,470 events/s at 25,000 msg/s in the
 * knee bench (16 of 60 criticals late), 32 drained 2,150/s; on undici (bridge/post.ts) 32 keep
 * up with the ≈ 3,900 events/s the mix posts at 45,000 msg/s (docs/bridge-lanes.md "12-02").
 */
export const DEFAULT_CONCURRENCY = 32;

/** Deliverer settings (times in milliseconds). */
export interface DeliverOptions {
  /** Full webhook URL (see `webhookUrl`). */
  url: string;
  /** API key for the `St2-Api-Key` header (never logged). */
  apiKey?: string | null;
  /** Auth token for `X-Auth-Token`, when no API key is given. */
  authToken?: string | null;
  /** Trigger reference (default netops.device_event). */
  trigger?: string;
  /** Requests in flight (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Request timeout (default 10000). */
  timeoutMs?: number;
  /** First retry delay (default 500). */
  retryMinMs?: number;
  /** Longest retry delay (default 30000). */
  retryMaxMs?: number;
  /** Accept any TLS certificate from StackStorm (default false). */
  insecure?: boolean;
  /** Records with seq below this were recovered from disk: flagged as possible redeliveries. */
  recoveredBelow?: number;
  log?: (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void;
  /** Called after each finished request (for latency figures). */
  onResult?: (rec: SpoolRecord, outcome: Outcome) => void;
}

/** Result of one POST. */
export type Outcome = 'delivered' | 'rejected' | 'retry';

/** Deliverer counters. */
export interface DeliverStats {
  delivered: number;
  /** Permanently rejected events, by HTTP status. */
  rejected: Record<string, number>;
  /** Failed attempts that will be retried, by cause (HTTP status or error code). */
  retries: Record<string, number>;
  inFlight: number;
  /** True while StackStorm is not accepting events. */
  failing: boolean;
  /** Seconds since the current failure began (0 when not failing). */
  failingSeconds: number;
  lastError: string | null;
}

/** The webhook URL for a StackStorm base URL (`https://st2`), API URL (`…/api`, `…:9101`) or full hook URL. */
export function webhookUrl(url: string, kind: 'base' | 'api' = 'base'): string {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, '');
  if (/\/webhooks\/[^/]+$/.test(path)) return u.toString();
  let tail: string;
  if (/\/v1$/.test(path)) tail = '/webhooks/st2';
  else if (/\/api$/.test(path) || kind === 'api') tail = '/v1/webhooks/st2';
  else tail = '/api/v1/webhooks/st2';
  u.pathname = path + tail;
  return u.toString();
}

/** The URL without user info, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}

/** Sends spooled records to StackStorm until stopped. */
export class Deliverer {
  private readonly http: Poster;
  private readonly concurrency: number;
  private readonly retryMin: number;
  private readonly retryMax: number;
  private readonly prefix: string;
  private running = false;
  private inFlight = 0;
  private retry: SpoolRecord[] = [];
  /** The URL requests go to (changes once when an http → https redirect is followed). */
  private url: string;
  private redirected = false;
  private failing = false;
  private failingSince = 0;
  private attempt = 0;
  private lastReminder = 0;
  /** Retry-After of the last 429/503, capped at retryMax. */
  private retryAfterMs = 0;
  private notify: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private sleepDone: (() => void) | null = null;
  /** Aborted to wake the loop out of a wait for new records (on failure or stop). */
  private interrupt = new AbortController();
  private readonly s = { delivered: 0, rejected: {} as Record<string, number>, retries: {} as Record<string, number>, lastError: null as string | null };

  constructor(
    private readonly spool: Spool,
    private readonly o: DeliverOptions,
  ) {
    this.url = o.url;
    this.concurrency = Math.max(1, o.concurrency ?? DEFAULT_CONCURRENCY);
    this.retryMin = o.retryMinMs ?? 500;
    this.retryMax = Math.max(this.retryMin, o.retryMaxMs ?? 30_000);
    this.prefix = `{"trigger":${JSON.stringify(o.trigger ?? 'netops.device_event')},"payload":`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.apiKey) headers['st2-api-key'] = o.apiKey;
    else if (o.authToken) headers['x-auth-token'] = o.authToken;
    this.http = new Poster({ connections: this.concurrency, timeoutMs: o.timeoutMs ?? 10_000, insecure: o.insecure ?? false, headers });
  }

  /** Start sending. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.interrupt = new AbortController();
    this.loop = this.run().catch((err: Error) => this.o.log?.('error', `delivery loop failed: ${err.message}`));
  }

  /** Stop taking records; wait up to graceMs for requests in flight. Unfinished records stay in the spool. */
  async stop(graceMs = 5000): Promise<void> {
    this.running = false;
    this.interrupt.abort();
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepDone?.();
    this.wake();
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
    clearTimeout(timer);
    await this.http.close();
  }

  /** Counters. */
  stats(): DeliverStats {
    return {
      delivered: this.s.delivered,
      rejected: { ...this.s.rejected },
      retries: { ...this.s.retries },
      inFlight: this.inFlight,
      failing: this.failing,
      failingSeconds: this.failing ? Math.round((Date.now() - this.failingSince) / 1000) : 0,
      lastError: this.s.lastError,
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.failing) {
        if (this.inFlight > 0) {
          await this.waitEvent();
          continue;
        }
        await this.sleep(this.backoff());
        if (!this.running) break;
        const rec = this.retry.shift();
        if (!rec) {
          this.failing = false;
          continue;
        }
        this.inFlight++;
        const outcome = await this.send(rec, true);
        this.inFlight--;
        if (outcome === 'retry') {
          this.retry.unshift(rec);
          this.attempt++;
        } else this.recovered();
        continue;
      }
      if (this.inFlight >= this.concurrency) {
        await this.waitEvent();
        continue;
      }
      let rec = this.retry.shift();
      const isRetry = rec !== undefined;
      if (!rec) {
        const next = await this.spool.next(this.interrupt.signal);
        if (next === null) {
          if (!this.running || this.spool.isClosed) break;
          continue;
        }
        rec = next;
        if (this.failing) {
          this.queueRetry(rec);
          continue;
        }
      }
      this.launch(rec, isRetry || rec.seq < (this.o.recoveredBelow ?? 0));
    }
  }

  private launch(rec: SpoolRecord, maybeRedelivery: boolean): void {
    this.inFlight++;
    void this.send(rec, maybeRedelivery).then((outcome) => {
      this.inFlight--;
      if (outcome === 'retry') {
        this.queueRetry(rec);
        if (!this.failing) {
          this.failing = true;
          this.failingSince = Date.now();
          this.attempt = 0;
          this.interrupt.abort();
          this.interrupt = new AbortController();
        }
      }
      this.wake();
    });
  }

  /** Keep the retry queue in delivery order: most urgent lane first, then seq. */
  private queueRetry(rec: SpoolRecord): void {
    const key = (r: SpoolRecord) => (2 - LEVEL_RANK[r.level]!) * 2 ** 50 + r.seq;
    let i = this.retry.length;
    while (i > 0 && key(this.retry[i - 1]!) > key(rec)) i--;
    this.retry.splice(i, 0, rec);
  }

  private recovered(): void {
    const secs = Math.round((Date.now() - this.failingSince) / 1000);
    this.o.log?.('info', `StackStorm accepts events again after ${secs} s; draining ${this.spool.stats().depth} spooled events`);
    this.failing = false;
    this.attempt = 0;
  }

  /** POST one record and finish it in the spool unless it must be retried. */
  private async send(rec: SpoolRecord, maybeRedelivery: boolean): Promise<Outcome> {
    const body = `${this.prefix}${rec.json}}`;
    const headers: Record<string, string> = {};
    if (maybeRedelivery) headers['netops-redelivery'] = '1';
    let outcome: Outcome;
    let cause: string;
    try {
      let res: PostAnswer = await this.http.post(this.url, body, headers);
      const to = res.status >= 300 && res.status < 400 ? httpsOnSameHost(this.url, res.location) : null;
      if (to && this.redirected && to === this.url) {
        // Sent before the redirect was learnt: send it where the others go now.
        res = await this.http.post(this.url, body, headers);
      } else if (to && !this.redirected) {
        this.redirected = true;
        this.o.log?.('warn', `StackStorm at ${redactUrl(this.url)} redirects to ${redactUrl(to)} (HTTP ${res.status}); following it once and using https from now on: set the bridge's StackStorm URL to ${redactUrl(to)}`);
        this.url = to;
        res = await this.http.post(this.url, body, headers);
      }
      const st = res.status;
      cause = String(st);
      if (st >= 200 && st < 300) outcome = 'delivered';
      else if (st === 400 || st === 422) outcome = 'rejected';
      else outcome = 'retry';
      if (outcome === 'rejected') {
        this.s.rejected[cause] = (this.s.rejected[cause] ?? 0) + 1;
        this.o.log?.('error', `StackStorm rejected event ${eventId(rec.json)} (${rec.level}) with HTTP ${st}: ${snippet(res.text)}; not retrying`);
      } else if (outcome === 'retry') {
        this.noteFailure(cause, `HTTP ${st}${hint(st, this.url, res.location)}: ${snippet(res.text)}`, res.retryAfter);
      }
    } catch (err) {
      // Only the reason and message (never the request, which carries the key).
      const e = err instanceof PostError ? err : new PostError('error', (err as Error).message);
      cause = e.reason;
      outcome = 'retry';
      const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(cause) ? ' (TLS: StackStorm\'s certificate is not trusted: give its CA in NODE_EXTRA_CA_CERTS, or --st2-insecure)' : '';
      this.noteFailure(cause, `${e.message && e.message !== cause ? `${cause} ${e.message}` : cause}${tls}`, undefined);
    }
    if (outcome !== 'retry') {
      this.spool.finish(rec.seq);
      if (outcome === 'delivered') this.s.delivered++;
    }
    this.o.onResult?.(rec, outcome);
    return outcome;
  }

  private noteFailure(cause: string, text: string, retryAfter: unknown): void {
    this.s.retries[cause] = (this.s.retries[cause] ?? 0) + 1;
    this.s.lastError = text;
    const ra = typeof retryAfter === 'string' ? Number(retryAfter) : NaN;
    this.retryAfterMs = Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, this.retryMax) : 0;
    const now = Date.now();
    if (!this.failing) {
      this.lastReminder = now;
      this.o.log?.(/^HTTP (3|40[134])/.test(text) ? 'error' : 'warn', `StackStorm at ${redactUrl(this.url)} not accepting events (${text}); keeping the backlog and retrying`);
    } else if (now - this.lastReminder >= 60_000) {
      this.lastReminder = now;
      this.o.log?.('warn', `StackStorm still not accepting events after ${Math.round((now - this.failingSince) / 1000)} s (${text}); ${this.spool.stats().depth} events spooled`);
    }
  }

  /** Capped exponential backoff with jitter: a random delay in [d/2, d], d = min(max, min·2^attempt). */
  private backoff(): number {
    const d = Math.min(this.retryMax, this.retryMin * 2 ** Math.min(this.attempt, 30));
    return Math.max(this.retryAfterMs, d / 2 + Math.random() * (d / 2));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        if (this.sleepTimer) clearTimeout(this.sleepTimer);
        this.sleepTimer = null;
        this.sleepDone = null;
        resolve();
      };
      this.sleepDone = done;
      this.sleepTimer = setTimeout(done, ms);
    });
  }

  private waitEvent(): Promise<void> {
    return new Promise((resolve) => (this.notify = resolve));
  }

  private wake(): void {
    const n = this.notify;
    this.notify = null;
    n?.();
  }
}

const LEVEL_RANK: Record<string, number> = { info: 0, warning: 1, critical: 2 };

/** The redirect target when it is the same host and port moved from http to https, else null. */
export function httpsOnSameHost(from: string, location: unknown): string | null {
  if (typeof location !== 'string' || !location) return null;
  try {
    const a = new URL(from);
    const b = new URL(location, from);
    return a.protocol === 'http:' && b.protocol === 'https:' && a.hostname === b.hostname ? b.toString() : null;
  } catch {
    return null;
  }
}

/** What to fix for an answer that is a configuration problem. */
function hint(st: number, url: string, location: unknown): string {
  if (st === 401 || st === 403) return ' (authentication: check ST2_API_KEY / --api-key-file)';
  if (st === 404) return ` (no webhook at ${redactUrl(url)}: check --st2-url — the webhook is <base>/api/v1/webhooks/st2 — and that the netops pack is installed)`;
  if (st >= 300 && st < 400) return ` (redirect to ${typeof location === 'string' ? redactUrl(new URL(location, url).toString()) : 'nowhere'}: set --st2-url to the URL StackStorm answers on)`;
  return '';
}

/** The event id inside event JSON, for logs. */
export function eventId(json: string): string {
  const m = /"id":"([^"\\]{1,128})"/.exec(json);
  return m ? m[1]! : '?';
}

function snippet(data: unknown): string {
  const s = typeof data === 'string' ? data : JSON.stringify(data ?? '');
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 200)}…` : one || '(empty body)';
}
