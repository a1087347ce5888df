/**
 * A test double of StackStorm's webhook endpoint, keeping its contract:
 * `POST /api/v1/webhooks/st2` (also `/v1/webhooks/st2`, as st2api serves it without nginx),
 * auth by `St2-Api-Key` or `X-Auth-Token` header or `?st2-api-key=` (else 401), JSON body
 * `{"trigger": "<pack>.<name>", "payload": {...}}` ("Trigger not specified." → 400), the payload
 * validated against the trigger type's `payload_schema` (400 when invalid), answer 202 with the
 * body echoed. The schema is the pack's `pack/triggers/device_event.yaml` when it exists, else
 * the required fields of DeviceEvent. Events are counted by id.
 */
import http from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import AjvModule from 'ajv';

const Ajv = AjvModule as unknown as typeof AjvModule.default;
type Json = Record<string, unknown>;

/** The repository root (dist/test/support → ../../..). */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The pack's trigger type file for device events. */
export const TRIGGER_FILE = join(REPO, 'pack', 'triggers', 'device_event.yaml');

/** Required fields of DeviceEvent (bridge/event.ts), used until the pack's trigger file exists. */
const FALLBACK_SCHEMA: Json = {
  type: 'object',
  required: ['id', 'error', 'os', 'host', 'ip', 'timestamp', 'facility', 'severity', 'yang_model', 'yang_message', 'message_details', 'site', 'router', 'peer', 'interface', 'state', 'level', 'summary', 'raw'],
  properties: {
    id: { type: 'string' },
    error: { type: ['string', 'null'] },
    ip: { type: 'string' },
    timestamp: { type: 'number' },
    message_details: { type: 'object' },
    level: { enum: ['critical', 'warning', 'info'] },
    summary: { type: 'string' },
    raw: { type: 'string' },
  },
};

/** st2's dialect: `required: true` inside a property becomes the parent's `required` array. */
export function st2SchemaToAjv(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(st2SchemaToAjv);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === 'required' && typeof v === 'boolean') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      const props: Json = {};
      const req: string[] = Array.isArray((schema as Json).required) ? [...((schema as Json).required as string[])] : [];
      for (const [pk, pv] of Object.entries(v as Json)) {
        if (pv && typeof pv === 'object' && (pv as Json).required === true) req.push(pk);
        props[pk] = st2SchemaToAjv(pv);
      }
      out.properties = props;
      if (req.length > 0) out.required = [...new Set(req)];
      continue;
    }
    out[k] = st2SchemaToAjv(v);
  }
  return out;
}

/** The payload schema the double validates with, and where it came from. */
export function loadPayloadSchema(file = TRIGGER_FILE): { schema: Json; source: string } {
  if (existsSync(file)) {
    const doc = parse(readFileSync(file, 'utf8')) as { payload_schema?: Json };
    if (doc?.payload_schema) return { schema: st2SchemaToAjv(doc.payload_schema) as Json, source: file };
  }
  return { schema: FALLBACK_SCHEMA, source: 'DeviceEvent required fields (pack/triggers/device_event.yaml not generated yet)' };
}

/** What the double saw of one event id. */
export interface SeenEvent {
  /** Accepted deliveries of this id. */
  count: number;
  /** Deliveries that carried `Netops-Redelivery: 1`. */
  flagged: number;
  raw: string;
  level: string;
  error: string | null;
  summary: string;
  firstAt: number;
  payload?: Json;
}

/** Options of the double. */
export interface WebhookOptions {
  apiKey: string;
  port?: number;
  /** Trigger types that exist (default netops.device_event). */
  triggers?: Record<string, string>;
  /** Keep whole payloads (default false: id, raw and a few fields only). */
  keepPayloads?: boolean;
  /** Called for each accepted event, with the arrival time (ms, performance clock in epoch). */
  onEvent?: (payload: Json, arrivedAt: number) => void;
}

/** The running double. */
export interface WebhookDouble {
  /** Base URL, e.g. http://127.0.0.1:PORT (the bridge appends /api/v1/webhooks/st2). */
  readonly url: string;
  readonly port: number;
  readonly schemaSource: string;
  readonly events: Map<string, SeenEvent>;
  readonly counts: { posts: number; accepted: number; byStatus: Record<number, number>; invalid: string[] };
  /** Answer every request with this status (e.g. 500, 429) or delay it, instead of the contract. */
  behave(b: { status?: number | null; delayMs?: number }): void;
  /** Close the listening socket and every connection (StackStorm down). */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Resolve when pred() holds (checked every 20 ms); reject after timeoutMs. */
  waitFor(pred: () => boolean, timeoutMs: number, what?: string): Promise<void>;
}

/** Start the double on 127.0.0.1. */
export async function startSt2Webhook(o: WebhookOptions): Promise<WebhookDouble> {
  const { schema, source } = loadPayloadSchema();
  const ajv = new Ajv({ allErrors: true, strict: false });
  const schemas = o.triggers ? Object.entries(o.triggers).map(([k, file]) => [k, loadPayloadSchema(file).schema] as const) : [['netops.device_event', schema] as const];
  const validators = new Map(schemas.map(([k, s]) => [k, ajv.compile(s)]));
  const events = new Map<string, SeenEvent>();
  const counts = { posts: 0, accepted: 0, byStatus: {} as Record<number, number>, invalid: [] as string[] };
  let behaviour: { status?: number | null; delayMs?: number } = {};

  const answer = (res: http.ServerResponse, status: number, body: unknown): void => {
    counts.byStatus[status] = (counts.byStatus[status] ?? 0) + 1;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, text: string): void => {
    counts.posts++;
    if (behaviour.status) return answer(res, behaviour.status, { faultstring: `test double answers ${behaviour.status}` });
    const url = new URL(req.url ?? '/', 'http://st2');
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method !== 'POST' || !/^(\/api)?\/v1\/webhooks\/st2$/.test(path)) return answer(res, 404, { faultstring: `Webhook ${path} not registered with st2` });
    const key = req.headers['st2-api-key'] ?? req.headers['x-auth-token'] ?? url.searchParams.get('st2-api-key') ?? url.searchParams.get('x-auth-token');
    if (key !== o.apiKey) return answer(res, 401, { faultstring: 'Unauthorized - One of Token or API key required.' });
    let body: Json;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      return answer(res, 400, { faultstring: 'Failed to parse request body as JSON' });
    }
    const trigger = body?.trigger;
    if (!trigger) return answer(res, 400, { faultstring: 'Trigger not specified.' });
    const validate = validators.get(String(trigger));
    if (!validate) return answer(res, 400, { faultstring: `Trigger type "${String(trigger)}" doesn't exist` });
    const payload = body.payload as Json;
    if (!validate(payload)) {
      const msg = ajv.errorsText(validate.errors);
      counts.invalid.push(msg);
      return answer(res, 400, { faultstring: `Failed validating payload: ${msg}` });
    }
    const now = Date.now();
    const id = String(payload.id);
    const seen = events.get(id);
    const flagged = req.headers['netops-redelivery'] === '1' ? 1 : 0;
    if (seen) {
      seen.count++;
      seen.flagged += flagged;
    } else {
      events.set(id, {
        count: 1,
        flagged,
        raw: String(payload.raw),
        level: String(payload.level),
        error: (payload.error as string | null) ?? null,
        summary: String(payload.summary),
        firstAt: now,
        ...(o.keepPayloads ? { payload } : {}),
      });
    }
    counts.accepted++;
    o.onEvent?.(payload, now);
    answer(res, 202, body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      if (size > 1024 * 1024) return answer(res, 413, { faultstring: 'Request entity too large' });
      const run = () => handle(req, res, Buffer.concat(chunks).toString('utf8'));
      if (behaviour.delayMs) setTimeout(run, behaviour.delayMs);
      else run();
    });
  });
  server.keepAliveTimeout = 30_000;

  const listenOn = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  const port = await listenOn(o.port ?? 0);
  let up = true;

  const double: WebhookDouble = {
    url: `http://127.0.0.1:${port}`,
    port,
    schemaSource: source,
    events,
    counts,
    behave(b) {
      behaviour = b;
    },
    async stop() {
      if (!up) return;
      up = false;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
    async start() {
      if (up) return;
      await listenOn(port);
      up = true;
    },
    async close() {
      await double.stop();
    },
    async waitFor(pred, timeoutMs, what = 'condition') {
      const deadline = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  return double;
}
