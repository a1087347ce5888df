/**
 * The few StackStorm API calls netops.decide makes (axios), with the URL and token StackStorm
 * gives every action: ST2_ACTION_API_URL (e.g. http://127.0.0.1:9101/v1) and
 * ST2_ACTION_AUTH_TOKEN (header X-Auth-Token).
 */
import axios, { type AxiosInstance } from 'axios';

/** The parts of an action execution netops reads. */
export interface St2Execution {
  id: string;
  status: string;
  action: { ref: string };
  parameters?: Record<string, unknown>;
  context?: Record<string, unknown>;
  parent?: string;
  result?: Record<string, unknown>;
}

/** The StackStorm API is missing, refused the call, or answered something else. */
export class St2ApiError extends Error {}

/** A client from the action's environment; throws St2ApiError when the environment lacks it. */
export function st2Client(env: NodeJS.ProcessEnv = process.env): St2Api {
  const url = env.ST2_ACTION_API_URL;
  const token = env.ST2_ACTION_AUTH_TOKEN;
  if (!url) throw new St2ApiError('ST2_ACTION_API_URL is not set: netops.decide runs as a StackStorm action (chat: approve <id>)');
  if (!token) throw new St2ApiError('ST2_ACTION_AUTH_TOKEN is not set: StackStorm gives actions a token unless the action runs without auth');
  return new St2Api(axios.create({ baseURL: url.replace(/\/+$/, ''), headers: { 'X-Auth-Token': token }, timeout: 15_000, proxy: false }));
}

/** GET/PUT against /executions and /inquiries. */
export class St2Api {
  constructor(private readonly http: AxiosInstance) {}

  private async call<T>(what: string, f: () => Promise<{ data: T }>): Promise<T> {
    try { return (await f()).data; } catch (e) {
      const r = (e as { response?: { status: number; data?: { faultstring?: string } } }).response;
      throw new St2ApiError(r ? `${what}: StackStorm answered ${r.status}${r.data?.faultstring ? ` (${r.data.faultstring})` : ''}` : `${what}: ${(e as Error).message}`);
    }
  }

  /** GET /executions/<id>. */
  execution(id: string): Promise<St2Execution> {
    return this.call(`GET /executions/${id}`, () => this.http.get<St2Execution>(`/executions/${encodeURIComponent(id)}`));
  }

  /** The pending core.ask executions (Inquiries) of a workflow execution. */
  async pendingAsks(parent: string): Promise<St2Execution[]> {
    const list = await this.call(`GET /executions?parent=${parent}`, () => this.http.get<St2Execution[]>('/executions', { params: { parent, action: 'core.ask', status: 'pending' } }));
    return Array.isArray(list) ? list : [];
  }

  /** PUT /inquiries/<id> with the response. */
  respond(inquiry: string, response: Record<string, unknown>): Promise<unknown> {
    return this.call(`PUT /inquiries/${inquiry}`, () => this.http.put(`/inquiries/${encodeURIComponent(inquiry)}`, { id: inquiry, response }));
  }
}
