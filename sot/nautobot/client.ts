/**
 * REST client for Nautobot (axios): base URL from NETOPS_NAUTOBOT_URL, API token from
 * NETOPS_NAUTOBOT_TOKEN or a token file (NETOPS_NAUTOBOT_TOKEN_FILE). The token is sent in
 * the Authorization header only: it is never logged and never part of an error message.
 * Every failure becomes a SotError naming the URL and the request.
 */
import axios, { type AxiosInstance, type AxiosError } from 'axios';
import { readFileSync } from 'node:fs';
import { SotError } from '../types.js';

/** How to reach Nautobot. */
export interface NautobotOptions {
  /** e.g. http://127.0.0.1:58080 (default: NETOPS_NAUTOBOT_URL). */
  url?: string;
  /** API token (default: NETOPS_NAUTOBOT_TOKEN, else the file NETOPS_NAUTOBOT_TOKEN_FILE). */
  token?: string;
  tokenFile?: string;
  /** Per request, ms (default 30 000). */
  timeoutMs?: number;
  /** Called after every request with its method, path, status and duration (profiling; no body, no token). */
  onCall?: (c: CallTiming) => void;
  /** Use netops' Nautobot App: true (required), false (never: the stock REST path), 'auto' (default: NETOPS_NAUTOBOT_APP, else when the server has it). */
  app?: boolean | 'auto' | 'on' | 'off';
  /** Where the App's API is, under /api/ (default `plugins/netops-sot/`: the App's base_url). */
  appPath?: string;
}

/** One request as `onCall` sees it. */
export interface CallTiming { method: string; path: string; status: number | null; ms: number; items: number }

/** One page of a Nautobot list endpoint. */
interface Page<T> {
  count: number;
  next: string | null;
  results: T[];
}

/** A Nautobot object as the REST API returns it (id, url, display, and the model's fields). */
export type NbObject = Record<string, unknown> & { id: string; display?: string };

/** Resolve URL and token from options and environment; throws SotError when either is missing. */
export function resolveOptions(opts: NautobotOptions = {}): { url: string; token: string; timeoutMs: number } {
  const url = (opts.url ?? process.env.NETOPS_NAUTOBOT_URL ?? '').replace(/\/+$/, '');
  if (!url) throw new SotError('no Nautobot URL: set NETOPS_NAUTOBOT_URL (e.g. http://127.0.0.1:58080)', 'nautobot');
  let token = opts.token ?? process.env.NETOPS_NAUTOBOT_TOKEN ?? '';
  const file = opts.tokenFile ?? process.env.NETOPS_NAUTOBOT_TOKEN_FILE;
  if (!token && file) {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (e) {
      throw new SotError(`cannot read the token file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, url);
    }
  }
  if (!token) throw new SotError('no API token: set NETOPS_NAUTOBOT_TOKEN or NETOPS_NAUTOBOT_TOKEN_FILE', url);
  return { url, token, timeoutMs: opts.timeoutMs ?? 30_000 };
}

/** Thin typed wrapper over axios for Nautobot's REST API (paths relative to /api/). */
export class NautobotClient {
  readonly url: string;
  private readonly http: AxiosInstance;
  private readonly onCall: NautobotOptions['onCall'];

  constructor(opts: NautobotOptions = {}) {
    this.onCall = opts.onCall;
    const { url, token, timeoutMs } = resolveOptions(opts);
    this.url = url;
    this.http = axios.create({
      baseURL: `${url}/api/`,
      timeout: timeoutMs,
      headers: { Authorization: `Token ${token}`, 'Content-Type': 'application/json' },
      // ids and nested values as they are; 4xx/5xx handled below
      validateStatus: () => true,
    });
  }

  /** GET one path (with query), the body parsed. */
  async get<T = NbObject>(path: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.call<T>('GET', path, undefined, params);
  }

  /** All results of a list endpoint, following `next`. */
  async list<T = NbObject>(path: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const out: T[] = [];
    let offset = 0;
    for (;;) {
      const page = await this.call<Page<T>>('GET', path, undefined, { limit: 1000, ...params, offset });
      out.push(...page.results);
      if (!page.next || page.results.length === 0) return out;
      offset += page.results.length;
    }
  }

  /** POST (one object or a bulk list). */
  async post<T = NbObject>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  /** PATCH one object (path ends with its id) or a bulk list (`[{id, ...}]`). */
  async patch<T = NbObject>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }

  /** DELETE one object, or a bulk list of `{id}`; a 404 counts as already gone. */
  async delete(path: string, body?: unknown): Promise<void> {
    await this.call('DELETE', path, body, {}, [404]);
  }

  /** One request, any HTTP status: the status and the parsed body (network failures still throw SotError). */
  async raw(method: string, path: string, data?: unknown, params: Record<string, unknown> = {}): Promise<{ status: number; data: unknown }> {
    const where = `${method} ${this.url}/api/${path}`;
    let res;
    const t0 = performance.now();
    try {
      res = await this.http.request({ method, url: path, data, params, paramsSerializer: { indexes: null } });
    } catch (e) {
      const err = e as AxiosError;
      this.onCall?.({ method, path, status: null, ms: performance.now() - t0, items: Array.isArray(data) ? data.length : 1 });
      throw new SotError(`Nautobot unreachable at ${this.url} (${err.code ?? err.message})`, where);
    }
    this.onCall?.({ method, path, status: res.status, ms: performance.now() - t0, items: Array.isArray(data) ? data.length : 1 });
    return { status: res.status, data: res.data };
  }

  /** The SotError of an HTTP error answer (method, URL, status, a trimmed body; never the token). */
  httpError(method: string, path: string, status: number, body: unknown): SotError {
    return new SotError(`HTTP ${status}: ${describeBody(body)}`, `${method} ${this.url}/api/${path}`);
  }

  private async call<T>(method: string, path: string, data?: unknown, params: Record<string, unknown> = {}, okAlso: number[] = []): Promise<T> {
    const res = await this.raw(method, path, data, params);
    if (res.status >= 200 && res.status < 300) return res.data as T;
    if (okAlso.includes(res.status)) return undefined as T;
    throw this.httpError(method, path, res.status, res.data);
  }
}

/** A short, token-free summary of an error body (Nautobot returns field → [messages]). */
function describeBody(body: unknown): string {
  if (typeof body === 'string') return body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
  try {
    return JSON.stringify(body).slice(0, 500);
  } catch {
    return String(body);
  }
}
