/**
 * One HTTP POST to StackStorm, as the deliverer needs it: the status, the two headers it reads
 * (`location`, `retry-after`) and the body as text; nothing follows redirects. On undici's Pool
 * (keep-alive, `connections` sockets per origin): StackStorm's webhook takes one event per
 * request, so the client's cost per request sets how fast the bridge can deliver. Measured on
 * this machine, 1.2 KB bodies, 32 in flight to a local server: axios ≈ 467 µs of client CPU per
 * request, Node's http.request ≈ 111–133 µs, undici ≈ 69–77 µs (README "Measured").
 * Failures are thrown as a `PostError` whose `reason` is a stable word for the counters: the
 * socket's errno (`ECONNREFUSED`, `ECONNRESET`…), `timeout`, or `error`.
 */
import { Pool } from 'undici';

/** What the deliverer reads from an answer. */
export interface PostAnswer {
  status: number;
  location: string | undefined;
  retryAfter: string | undefined;
  /** The body (read only when the status is not 2xx; '' otherwise). */
  text: string;
}

/** A request that got no answer; `reason` names why (errno, `timeout`, `error`). */
export class PostError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Poster settings. */
export interface PosterOptions {
  /** Sockets per origin. */
  connections: number;
  /**
   * No answer (headers, or the next piece of the body) within this long is a timeout; also the
   * connect timeout. undici checks these timers about once a second, so a timeout fires up to ≈ 1 s late.
   */
  timeoutMs: number;
  /** Accept any TLS certificate. */
  insecure: boolean;
  /** Headers on every request (names in lower case). */
  headers: Record<string, string>;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/**
 * The counter word for a failed request: the code of the socket's or TLS's error (`ECONNREFUSED`,
 * `DEPTH_ZERO_SELF_SIGNED_CERT`…; undici wraps it), `timeout`, undici's own code, or `error`.
 */
export function failureCause(err: unknown): string {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) {
    const code = typeof e.code === 'string' ? e.code : null;
    if (code && TIMEOUTS.has(code)) return 'timeout';
    if (code && !code.startsWith('UND_ERR_')) return code;
  }
  const top = (err as { code?: unknown } | undefined)?.code;
  return typeof top === 'string' && top ? top : 'error';
}

/** POSTs to one or more origins, a keep-alive pool each. */
export class Poster {
  private readonly pools = new Map<string, Pool>();
  private closed = false;

  constructor(private readonly o: PosterOptions) {}

  /** POST `body` to `url` with the common headers plus `extra`. */
  async post(url: string, body: string, extra: Record<string, string> = {}): Promise<PostAnswer> {
    const u = new URL(url);
    let res;
    try {
      res = await this.pool(u.origin).request({
        path: `${u.pathname}${u.search}`,
        method: 'POST',
        headers: { ...this.o.headers, ...extra },
        body,
        headersTimeout: this.o.timeoutMs,
        bodyTimeout: this.o.timeoutMs,
      });
    } catch (err) {
      if (err instanceof PostError) throw err;
      const reason = failureCause(err);
      throw new PostError(reason, (err as Error).message || reason);
    }
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    let text = '';
    try {
      if (ok) await res.body.dump();
      else text = await res.body.text();
    } catch (err) {
      // the answer's status is known; a body cut short does not change what it means
      text = `(body not read: ${(err as Error).message})`;
    }
    return { status: res.statusCode, location: first(res.headers.location), retryAfter: first(res.headers['retry-after']), text };
  }

  /** Close every socket; requests in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }

  private pool(origin: string): Pool {
    if (this.closed) throw new PostError('closed', 'the deliverer is stopped');
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, {
        connections: this.o.connections,
        connect: { timeout: this.o.timeoutMs, rejectUnauthorized: !this.o.insecure },
        pipelining: 1,
      });
      this.pools.set(origin, p);
    }
    return p;
  }
}
