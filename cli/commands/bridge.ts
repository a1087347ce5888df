/**
 * `netops bridge`: the syslog → StackStorm event bridge, a long-running service.
 * Thin layer: flags and environment → BridgeOptions → startBridge; signals → close / stats / reload.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBridge, type BridgeOptions, type Log } from '../../bridge/bridge.js';
import { redactUrl, webhookUrl } from '../../bridge/deliver.js';
import { ProfileError } from '../../bridge/parse.js';
import { openCorrelator } from '../../bridge/correlate/open.js';
import type { Correlator } from '../../bridge/correlate/correlator.js';
import { defaultForwardSet } from '../../bridge/forward.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const USAGE = `usage: netops bridge [options]

Listens for syslog, turns each message into a netops.device_event and posts it to StackStorm's
webhook (POST <st2>/api/v1/webhooks/st2). Events wait in an on-disk spool while StackStorm is
down or slow and are delivered in order, at least once (a redelivery carries the same id).

listen (without --udp/--tcp/--tls: UDP and TCP on 0.0.0.0:5514, plus TLS on 0.0.0.0:6514 with a certificate)
  --udp ADDR              UDP address, repeatable: PORT, HOST:PORT, [IPV6]:PORT
  --tcp ADDR              TCP address, repeatable (octet counting and LF framing, auto-detected)
  --tls ADDR              TLS address (RFC 5425), repeatable
  --tls-cert FILE         PEM certificate (chain) for TLS
  --tls-key FILE          PEM private key for TLS
  --max-frame SIZE        longest message kept (default 64KiB; longer ones are truncated and counted)
  --max-connections N     TCP+TLS connections at once from addresses that are not known routers
                          (default 1024); routers of --inventory are never refused for it
  --max-per-source N      TCP+TLS connections at once from one address (default 16)
  --idle-timeout DURATION close TCP/TLS connections that send nothing this long (default 5m; 0: never)
                          An octet count no message can have (over 16x --max-frame, at least 1MiB)
                          closes the connection; refusals, idle closes and framing errors are counted
  --udp-rcvbuf SIZE       UDP SO_RCVBUF to ask for (default 8MiB; Linux caps it at net.core.rmem_max)
  --udp-spill SIZE        disk room under --spool for UDP datagrams while classification is far
                          behind (default 1GiB, at most half of it for those that cannot be
                          critical; 0: shed and count them)

events
  --inventory FILE        Ansible inventory: its address → router mapping decides who sent an event
                          (verified: true, site and router from it); other senders get verified: false
  --drop-unverified       with --inventory: do not post events from addresses it does not list (counted)
  --trusted-relay ADDR    a syslog relay that forwards only its network's routers (repeatable): its
                          messages are identified by the router name they carry
  --forward-unknown       also deliver messages no profile recognises (error: null, raw kept)
  --profiles DIR          device message profiles (default: the package's profiles/, or $NETOPS_PROFILES);
                          the bridge refuses to start when they do not load
  --classify-budget DURATION  per-message classification budget (default 20ms; 0: none); over it, the message
                          is set aside: left unclassified, counted (set_aside) and logged
  --flap-window DURATION  flap damping window (default 5m; 0 turns damping off)
  --forward-set FILE|none post only events the pack's rules can match plus --forward-level, count
                          the rest (default: the package's pack/bridge/forward.json, written by
                          netops build, when it exists; none posts every classified event)
  --forward-level LEVEL   with --forward-set, also post events at this level and above (default critical; none)
  --storm-threshold N     one kind of event from more than N routers/interfaces in --storm-window
                          becomes one summary (default 20; 0 turns summaries off)
  --storm-window DURATION (default 10s)
  --correlate-window DURATION  name the last netops change on the event's router within this window
                          (last_change: who, what, when, from where; default 60m; 0 turns it off),
                          read from the audit log of the source of truth the tasks use
                          ($NETOPS_SOT_BACKEND, $NETOPS_SOT_DIR, $NETOPS_STATE_DIR, $NETOPS_CONFIG)

StackStorm
  --st2-url URL           StackStorm base URL (default $ST2_API_URL, else $ST2_BASE_URL)
  --api-key-file FILE     file holding the API key (default $ST2_API_KEY; $ST2_AUTH_TOKEN also works)
  --st2-insecure          accept any TLS certificate from StackStorm
  --trigger REF           trigger type (default netops.device_event)
  --concurrency N         requests in flight (default 32)
  --timeout DURATION      request timeout (default 10s)
  --retry-min DURATION    first retry delay (default 500ms); doubles, with jitter,
  --retry-max DURATION    up to this (default 30s)

spool
  --spool DIR             spool directory (default $NETOPS_SPOOL_DIR, else $STATE_DIRECTORY/spool, else ./.netops/bridge-spool)
  --spool-max-bytes SIZE  soft bound on pending events (default 256MiB)
  --spool-max-events N    soft bound on pending events (default 200000)
  --spool-hard-bytes SIZE hard bound, only critical events go past the soft one (default 2x)
  --spool-hard-events N   (default 2x)
  --spool-mem SIZE        pending events kept in memory, the rest is read back from disk (default 8MiB)
  --spool-no-fsync        do not fsync each batch (faster, loses the last batch on power loss)
  Full spool: the oldest info events are dropped first, then the oldest warnings; an event never
  pushes out a more severe one; critical events are never dropped for room, and are accepted
  past the soft bound up to the hard bound. Every drop is counted by level and logged.

counters
  --stats-json FILE       write the counters here (atomically) every --stats-interval (default 10s)
  --stats-log DURATION    one-line counters in the log this often (default 60s; 0: never)
  --log-level LEVEL       debug, info, warn, error (default info)
  --gc-above SIZE         run a full GC when the JS heap passes this (default 32MiB; 0: leave it to V8)
  SIGUSR1 prints the counters (JSON) on stderr; SIGHUP re-reads the inventory; SIGTERM/SIGINT stop
  (in-flight requests get 5 s, the spool is flushed).`;

const BOOLEANS = ['forward-unknown', 'drop-unverified', 'st2-insecure', 'spool-no-fsync', 'help', 'h'];
const REPEATABLE = ['udp', 'tcp', 'tls', 'trusted-relay'];
const VALUED = [
  ...REPEATABLE, 'tls-cert', 'tls-key', 'max-frame', 'max-connections', 'max-per-source', 'idle-timeout', 'udp-rcvbuf', 'udp-spill', 'inventory', 'flap-window', 'forward-set', 'forward-level', 'storm-threshold', 'storm-window', 'correlate-window',
  'st2-url', 'api-key-file', 'trigger', 'concurrency', 'timeout', 'retry-min', 'retry-max',
  'spool', 'spool-max-bytes', 'spool-max-events', 'spool-hard-bytes', 'spool-hard-events', 'spool-mem',
  'stats-json', 'stats-interval', 'stats-log', 'log-level', 'gc-above', 'profiles', 'classify-budget', 'trusted-relay',
];

/** Thrown for a bad command line. */
class UsageError extends Error {}

/** `64KiB`, `8MiB`, `1g`, `1000` (bytes). */
export function parseSize(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(i?b)?$/i.exec(s.trim());
  if (!m) throw new UsageError(`--${flag}: "${s}" is not a size (e.g. 64KiB, 256MiB, 1GiB)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * mult);
}

/** `500ms`, `10s`, `5m`, `1h`, `30` (seconds) → milliseconds. */
export function parseDuration(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/i.exec(s.trim());
  if (!m) throw new UsageError(`--${flag}: "${s}" is not a duration (e.g. 500ms, 10s, 5m)`);
  const mult = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }[(m[2] ?? 's').toLowerCase() as 'ms'];
  return Math.round(Number(m[1]) * mult);
}

function parseInt10(s: string, flag: string): number {
  if (!/^\d+$/.test(s.trim())) throw new UsageError(`--${flag}: "${s}" is not a whole number`);
  return Number(s);
}

/** Split argv into flags; repeatable flags collect every value. */
function parseArgs(argv: string[]): Map<string, string[]> {
  const f = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--?([^=]+)(?:=([\s\S]*))?$/.exec(a);
    if (!m) throw new UsageError(`unexpected argument "${a}"`);
    const name = m[1]!;
    if (!VALUED.includes(name) && !BOOLEANS.includes(name)) throw new UsageError(`unknown option ${a.replace(/=.*/, '')}`);
    let value: string;
    if (m[2] !== undefined) value = m[2];
    else if (BOOLEANS.includes(name)) value = 'true';
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw new UsageError(`--${name} needs a value`);
    if (f.has(name) && !REPEATABLE.includes(name)) throw new UsageError(`--${name} given twice`);
    f.set(name, [...(f.get(name) ?? []), value]);
  }
  return f;
}

/** Flags + environment → bridge options (the API key is read here and only passed on). */
export function resolveBridgeOptions(argv: string[], env: NodeJS.ProcessEnv, log: Log): BridgeOptions & { correlateWindowMs: number } {
  const f = parseArgs(argv);
  const one = (k: string): string | undefined => f.get(k)?.[0];
  const size = (k: string): number | undefined => (one(k) === undefined ? undefined : parseSize(one(k)!, k));
  const dur = (k: string): number | undefined => (one(k) === undefined ? undefined : parseDuration(one(k)!, k));
  const int = (k: string): number | undefined => (one(k) === undefined ? undefined : parseInt10(one(k)!, k));

  const urlFlag = one('st2-url');
  const base = urlFlag ?? env.ST2_API_URL ?? env.ST2_BASE_URL;
  if (!base) throw new UsageError('no StackStorm URL: give --st2-url or set ST2_API_URL / ST2_BASE_URL');
  let hook: string;
  try {
    hook = webhookUrl(base, !urlFlag && env.ST2_API_URL ? 'api' : 'base');
  } catch {
    throw new UsageError(`--st2-url: not a URL: ${redactUrl(base)}`);
  }

  let apiKey: string | null = null;
  const keyFile = one('api-key-file');
  if (keyFile) {
    try {
      apiKey = readFileSync(keyFile, 'utf8').trim();
    } catch (e) {
      throw new UsageError(`--api-key-file: cannot read ${keyFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!apiKey) throw new UsageError(`--api-key-file: ${keyFile} is empty`);
  } else apiKey = env.ST2_API_KEY?.trim() || null;
  const authToken = apiKey ? null : env.ST2_AUTH_TOKEN?.trim() || null;
  if (!apiKey && !authToken) log('warn', 'no ST2_API_KEY, --api-key-file or ST2_AUTH_TOKEN: StackStorm will answer 401 and events will wait in the spool');

  const readPem = (k: string): Buffer | null => {
    const p = one(k);
    if (!p) return null;
    try {
      return readFileSync(p);
    } catch (e) {
      throw new UsageError(`--${k}: cannot read ${p} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const tlsCert = readPem('tls-cert');
  const tlsKey = readPem('tls-key');
  if (!!tlsCert !== !!tlsKey) throw new UsageError('--tls-cert and --tls-key go together');
  const udp = f.get('udp') ?? [];
  const tcp = f.get('tcp') ?? [];
  let tls = f.get('tls') ?? [];
  if (tls.length > 0 && !tlsCert) throw new UsageError('--tls needs --tls-cert and --tls-key');
  // No listen address at all: UDP and TCP on 5514 (and TLS on 6514 when a certificate is given).
  const defaults = udp.length === 0 && tcp.length === 0 && tls.length === 0;
  if (tlsCert && defaults) tls = ['0.0.0.0:6514'];

  const logLevel = one('log-level') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new UsageError('--log-level: debug, info, warn or error');

  if (f.has('drop-unverified') && !one('inventory')) throw new UsageError('--drop-unverified needs --inventory (the addresses that count as verified)');
  const spoolDir = resolve(one('spool') ?? env.NETOPS_SPOOL_DIR ?? (env.STATE_DIRECTORY ? join(env.STATE_DIRECTORY.split(':')[0]!, 'spool') : join('.netops', 'bridge-spool')));
  const flap = dur('flap-window');
  return {
    udp: defaults ? ['0.0.0.0:5514'] : udp,
    tcp: defaults ? ['0.0.0.0:5514'] : tcp,
    tls,
    tlsCert,
    tlsKey,
    inventory: one('inventory') ?? null,
    spoolDir,
    spoolMaxBytes: size('spool-max-bytes'),
    spoolMaxEvents: int('spool-max-events'),
    spoolHardBytes: size('spool-hard-bytes'),
    spoolHardEvents: int('spool-hard-events'),
    spoolMemBytes: size('spool-mem'),
    spoolFsync: !f.has('spool-no-fsync'),
    webhookUrl: hook,
    apiKey,
    authToken,
    trigger: one('trigger'),
    concurrency: int('concurrency'),
    timeoutMs: dur('timeout'),
    retryMinMs: dur('retry-min'),
    retryMaxMs: dur('retry-max'),
    insecure: f.has('st2-insecure'),
    forwardUnknown: f.has('forward-unknown'),
    dropUnverified: f.has('drop-unverified'),
    trustedRelays: f.get('trusted-relay') ?? [],
    profilesDir: one('profiles') ? resolve(one('profiles')!) : undefined,
    classifyBudgetMs: dur('classify-budget'),
    flapWindowMs: flap ?? 300_000,
    forwardSet: forwardSetFile(one('forward-set')),
    forwardMinLevel: forwardLevel(one('forward-level')),
    stormThreshold: int('storm-threshold'),
    stormWindowMs: dur('storm-window'),
    maxFrame: size('max-frame'),
    maxConnections: int('max-connections'),
    maxPerSource: int('max-per-source'),
    idleTimeoutMs: dur('idle-timeout'),
    recvBufferSize: size('udp-rcvbuf'),
    udpSpillBytes: size('udp-spill'),
    statsJson: one('stats-json') ? resolve(one('stats-json')!) : null,
    statsIntervalMs: dur('stats-interval'),
    statsLogMs: dur('stats-log') ?? 60_000,
    gcAboveBytes: size('gc-above'),
    correlateWindowMs: dur('correlate-window') ?? 3_600_000,
    log,
  };
}

/** --forward-level: info, warning, critical or none. */
/** --forward-set: a file, `none` (post every classified event), or by default the package's generated one when it exists. */
function forwardSetFile(v: string | undefined): string | null {
  if (v === 'none') return null;
  if (v !== undefined) return resolve(v);
  return defaultForwardSet();
}

function forwardLevel(v: string | undefined): 'info' | 'warning' | 'critical' | 'none' | undefined {
  if (v === undefined) return undefined;
  if (v === 'info' || v === 'warning' || v === 'critical' || v === 'none') return v;
  throw new UsageError(`--forward-level: info, warning, critical or none (not ${JSON.stringify(v)})`);
}

/** A logger writing `time level message` lines to stderr, from `min` up. */
export function stderrLog(min: string): Log {
  const order = { debug: 0, info: 1, warn: 2, error: 3 };
  const floor = order[min as keyof typeof order] ?? 1;
  return (level, msg) => {
    if (order[level] >= floor) process.stderr.write(`${new Date().toISOString()} bridge ${level}: ${msg}\n`);
  };
}

/** `netops bridge …`: runs until SIGTERM/SIGINT; returns the exit code. */
export default async function bridgeCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const lvl = argv.find((a, i) => argv[i - 1] === '--log-level') ?? /^--log-level=(.*)$/.exec(argv.find((a) => a.startsWith('--log-level=')) ?? '')?.[1] ?? 'info';
  const log = stderrLog(lvl);
  let opts: ReturnType<typeof resolveBridgeOptions>;
  try {
    opts = resolveBridgeOptions(argv, process.env, log);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`netops bridge: ${e.message}\n(netops bridge --help for the options)\n`);
      return 2;
    }
    throw e;
  }
  let stop!: (signal: string) => void;
  const stopped = new Promise<string>((r) => (stop = r));
  let bridge;
  let correlator: Correlator | null = null;
  try {
    // Correlation is an addition: when the source of truth cannot be opened, events go out without it.
    if (opts.correlateWindowMs > 0) {
      try {
        correlator = openCorrelator({ packDir: process.env.NETOPS_PACK_DIR ?? join(REPO, 'pack'), repoRoot: REPO, windowMs: opts.correlateWindowMs, log });
        await correlator.start();
      } catch (e) {
        log('warn', `not correlating events with changes (last_change): ${(e as Error).message.split('\n')[0]}`);
        await correlator?.close();
        correlator = null;
      }
    }
    bridge = await startBridge({ ...opts, correlator, onFatal: () => stop('fatal') });
  } catch (e) {
    await correlator?.close();
    if (e instanceof ProfileError) {
      process.stderr.write(`netops bridge: not starting: the device profiles do not load (${e.diagnostics.length} problem${e.diagnostics.length === 1 ? '' : 's'}):\n${e.message}\n`);
      return 2;
    }
    log('error', `cannot start: ${(e as Error).message}`);
    return 1;
  }
  for (const a of bridge.addresses) log('info', `listening ${a.transport} ${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`);
  log('info', `ready: delivering to ${redactUrl(opts.webhookUrl)} (trigger ${opts.trigger ?? 'netops.device_event'}), spool ${opts.spoolDir}`);

  const onUsr1 = () => process.stderr.write(`${JSON.stringify(bridge.stats())}\n`);
  const onHup = () => bridge.reloadInventory();
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  process.on('SIGUSR1', onUsr1);
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  const signal = await stopped;
  log(signal === 'fatal' ? 'error' : 'info', `${signal}: stopping`);
  // A second signal while stopping: leave at once (the spool keeps what was written).
  const hard = () => {
    log('warn', 'second signal: exiting without waiting');
    process.exit(1);
  };
  process.on('SIGTERM', hard);
  process.on('SIGINT', hard);
  try {
    await bridge.close(5000);
    if (correlator) {
      const cs = correlator.stats();
      log('info', `correlation: ${cs.lookups} lookups, ${cs.found} named a change; ${cs.held} changes held on ${cs.routers} routers; ${cs.bad_lines} bad lines, ${cs.rotations} rotations, ${cs.truncations} truncations, ${cs.errors} read errors`);
    }
    await correlator?.close();
  } finally {
    for (const [s, h] of [['SIGUSR1', onUsr1], ['SIGHUP', onHup], ['SIGTERM', onTerm], ['SIGINT', onInt], ['SIGTERM', hard], ['SIGINT', hard]] as const) process.off(s, h);
  }
  return signal === 'fatal' ? 1 : 0;
}

// Runnable on its own too: node dist/cli/commands/bridge.js …
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  bridgeCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`netops bridge: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
