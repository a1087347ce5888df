/**
 * Test support for the built-in FRR lab (lab/up.sh, lab/down.sh).
 *
 * - `ensureLab()` brings the lab up once per test process when it is not already healthy,
 *   and remembers whether this process started it; `teardownLabIfStarted()` (called by
 *   test/support/hooks.ts after all tests) takes it down again only in that case.
 * - `labAvailable()` says whether this machine can run the lab (root + the Debian tools).
 *   `useLab(this)` in a mocha `before` hook: when the lab is unavailable, the suite FAILS
 *   under `CI=true` and is skipped otherwise.
 * - `runPlaybook()` runs playbooks/<task>.yml through the real /usr/bin/ansible-playbook the
 *   way the runtime does (json callback, vars file with a single `params` key whose strings
 *   are all `!unsafe`) and lifts the `netops result` of each host.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (dist/test/support → ../../..). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const LAB_DIR = join(REPO, 'lab');
export const LAB_RUN = '/run/netops-lab';
export const LAB_INVENTORY = join(LAB_DIR, 'inventory', 'hosts.yml');
export const PLAYBOOKS_DIR = join(REPO, 'playbooks');
export const ANSIBLE_CONFIG = join(PLAYBOOKS_DIR, 'ansible.cfg');
export const ANSIBLE_PLAYBOOK = '/usr/bin/ansible-playbook';
/** The namespace that holds the management side of the lab (192.0.2.1, 192.0.2.5). */
export const MGMT_NETNS = 'no-mgmt';

export interface LabRouter {
  name: string;
  /** Network namespace = FRR pathspace (vtysh -N). */
  netns: string;
  site: string;
  as: number;
  /** Managed (in the inventory, reachable over ssh) or a pre-configured peer. */
  edge: boolean;
  /** Management address (edges only). */
  mgmtAddress: string | null;
}

/** The lab's topology (mirrors lab/lib.sh). */
export const LAB_ROUTERS: Record<string, LabRouter> = {
  'bma-edge1': { name: 'bma-edge1', netns: 'no-bma-edge1', site: 'bma', as: 65000, edge: true, mgmtAddress: '192.0.2.2' },
  'bma-peer1': { name: 'bma-peer1', netns: 'no-bma-peer1', site: 'bma', as: 65100, edge: false, mgmtAddress: null },
  'bma-peer2': { name: 'bma-peer2', netns: 'no-bma-peer2', site: 'bma', as: 65200, edge: false, mgmtAddress: null },
  'gbg-edge1': { name: 'gbg-edge1', netns: 'no-gbg-edge1', site: 'gbg', as: 65001, edge: true, mgmtAddress: '192.0.2.6' },
  'gbg-peer1': { name: 'gbg-peer1', netns: 'no-gbg-peer1', site: 'gbg', as: 65300, edge: false, mgmtAddress: null },
};

/** Peers of the edges: edge → [{peer address, peer AS, peer router, edge address}]. */
export const LAB_LINKS = [
  { edge: 'bma-edge1', edgeIf: 'to-peer1', edgeAddress: '10.0.0.2', peer: 'bma-peer1', peerAddress: '10.0.0.1', peerAs: 65100 },
  { edge: 'bma-edge1', edgeIf: 'to-peer2', edgeAddress: '10.0.0.6', peer: 'bma-peer2', peerAddress: '10.0.0.5', peerAs: 65200 },
  { edge: 'gbg-edge1', edgeIf: 'to-peer1', edgeAddress: '10.0.1.2', peer: 'gbg-peer1', peerAddress: '10.0.1.1', peerAs: 65300 },
] as const;

export interface LabInfo {
  root: string;
  /** Absolute path of lab/inventory/hosts.yml. */
  inventory: string;
  sshKey: string;
  knownHosts: string;
  playbooksDir: string;
  ansibleConfig: string;
  runDir: string;
  mgmtNetns: string;
  routers: Record<string, LabRouter>;
  /** UDP ports the edges send syslog to, and where the relay delivers them on this host (null: no relay). */
  syslog: { port3164: number; port5424: number; relayTarget: string | null };
  /** True when this test process brought the lab up (and will take it down). */
  startedByThisProcess: boolean;
  /** `vtysh -N <netns> -c <command>...` → stdout. `router` is a router name or its netns. */
  vtysh(router: string, command: string | string[]): Promise<string>;
  /** vtysh with a `... json` command, parsed. */
  vtyshJson<T = Record<string, unknown>>(router: string, command: string): Promise<T>;
  /** bgpState of a neighbor on a router ("absent" when not configured). */
  bgpState(router: string, peer: string): Promise<string>;
  /** Poll until the neighbor's state is one of `want` (default timeout 30 s); returns the state reached. */
  waitForBgpState(router: string, peer: string, want: string | string[], timeoutMs?: number): Promise<string>;
}

// ---------------------------------------------------------------- availability
const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;
const REQUIRED = ['/usr/bin/vtysh', '/usr/lib/frr/frrinit.sh', '/usr/sbin/sshd', '/usr/sbin/rsyslogd', ANSIBLE_PLAYBOOK, '/usr/bin/python3'];

/** Why the lab cannot run on this machine, or null when it can. */
export function labUnavailableReason(): string | null {
  if (!isRoot()) return 'the lab needs root (network namespaces, FRR, sshd)';
  const missing = REQUIRED.filter((p) => !existsSync(p));
  if (missing.length) return `missing ${missing.join(', ')} (Debian packages frr, openssh-server, rsyslog, ansible)`;
  return null;
}

/** Whether the lab can run here (root and the Debian tools installed). */
export function labAvailable(): boolean {
  return labUnavailableReason() === null;
}

/** True when running under CI (`CI=true`/`1`): lab tests must not be skipped there. */
export function inCI(): boolean {
  return /^(1|true|yes)$/i.test(process.env.CI ?? '');
}

/**
 * For a mocha `before` hook of a suite that needs the lab: fails the suite under CI when
 * the lab is unavailable, skips it otherwise; else brings the lab up (once) and returns it.
 */
export async function useLab(ctx: Mocha.Context): Promise<LabInfo> {
  const why = labUnavailableReason();
  if (why) skipOrFail(ctx, `lab tests cannot run: ${why}`);
  return ensureLab();
}

/**
 * The only way a lab test may skip: under CI (`CI=true`) it fails with the reason instead,
 * so a CI run never passes with lab tests silently left out.
 */
export function skipOrFail(ctx: Pick<Mocha.Context, 'skip'>, why: string): never {
  if (inCI()) throw new Error(`${why} (CI=true: not skipping)`);
  console.warn(`    (skipped: ${why})`);
  return ctx.skip();
}

// ---------------------------------------------------------------- up / down
let labPromise: Promise<LabInfo> | null = null;
/** Whether the lab was up when this process first looked (null: not looked yet). */
let foundUp: boolean | null = null;
/** This process brought the lab up and has to take it down at the end. */
let startedByUs = false;

async function recordInitialState(): Promise<void> {
  if (foundUp === null) foundUp = await labHealthy();
}

/** Exit 0 when the lab is up and healthy (lab/status.sh --check). */
export async function labHealthy(): Promise<boolean> {
  if (!existsSync(join(LAB_RUN, 'state', 'signature'))) return false;
  const r = await execa('bash', [join(LAB_DIR, 'status.sh'), '--check'], { reject: false, stdin: 'ignore' });
  return r.exitCode === 0;
}

/** Bring the lab up if it is not healthy (once per process) and describe it. */
export function ensureLab(): Promise<LabInfo> {
  if (!labPromise) {
    labPromise = (async () => {
      const why = labUnavailableReason();
      if (why) throw new Error(`the lab cannot run: ${why}`);
      await recordInitialState();
      if (!(await labHealthy())) {
        const r = await execa('bash', [join(LAB_DIR, 'up.sh')], { reject: false, all: true, stdin: 'ignore' });
        if (r.exitCode !== 0) throw new Error(`lab/up.sh failed (exit ${r.exitCode}):\n${r.all}`);
        startedByUs = foundUp === false;
      }
      return describeLab();
    })();
    labPromise.catch(() => {
      labPromise = null;
    });
  }
  return labPromise;
}

/** Run lab/down.sh now (e.g. to test it); a later ensureLab() brings the lab up again. */
export async function labDown(): Promise<{ durationMs: number; output: string }> {
  await recordInitialState();
  const t0 = Date.now();
  const r = await execa('bash', [join(LAB_DIR, 'down.sh')], { reject: false, all: true, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`lab/down.sh failed (exit ${r.exitCode}):\n${r.all}`);
  labPromise = null;
  startedByUs = false;
  return { durationMs: Date.now() - t0, output: r.all ?? '' };
}

/** Run lab/up.sh now (its own health check makes it quick when the lab is up). */
export async function labUp(args: string[] = []): Promise<{ durationMs: number; output: string }> {
  await recordInitialState();
  const t0 = Date.now();
  const r = await execa('bash', [join(LAB_DIR, 'up.sh'), ...args], { reject: false, all: true, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`lab/up.sh failed (exit ${r.exitCode}):\n${r.all}`);
  // the lab is up now; it is ours to take down unless it was already up when we came
  startedByUs = foundUp === false;
  labPromise = null;
  return { durationMs: Date.now() - t0, output: r.all ?? '' };
}

/**
 * Take the lab down if this process brought it up (mocha root afterAll). A lab that was
 * already up when the tests started is left up (and brought back if a test took it down).
 */
export async function teardownLabIfStarted(): Promise<void> {
  if (startedByUs) {
    await labDown();
  } else if (foundUp === true && !(await labHealthy())) {
    await execa('bash', [join(LAB_DIR, 'up.sh')], { reject: false, stdin: 'ignore' });
  }
}

// ---------------------------------------------------------------- helpers
function netnsOf(router: string): string {
  if (LAB_ROUTERS[router]) return LAB_ROUTERS[router].netns;
  if (Object.values(LAB_ROUTERS).some((r) => r.netns === router)) return router;
  throw new Error(`unknown lab router ${router}`);
}

export async function vtysh(router: string, command: string | string[]): Promise<string> {
  const cmds = Array.isArray(command) ? command : [command];
  const r = await execa('vtysh', ['-N', netnsOf(router), ...cmds.flatMap((c) => ['-c', c])], { stdin: 'ignore' });
  return r.stdout;
}

export async function vtyshJson<T = Record<string, unknown>>(router: string, command: string): Promise<T> {
  const out = await vtysh(router, command);
  return JSON.parse(out.trim() || '{}') as T;
}

export async function bgpState(router: string, peer: string): Promise<string> {
  const d = await vtyshJson<Record<string, { bgpState?: string }>>(router, `show bgp neighbors ${peer} json`);
  return d[peer]?.bgpState ?? 'absent';
}

export async function waitForBgpState(router: string, peer: string, want: string | string[], timeoutMs = 30_000): Promise<string> {
  const wanted = Array.isArray(want) ? want : [want];
  const end = Date.now() + timeoutMs;
  let state = await bgpState(router, peer);
  while (!wanted.includes(state) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    state = await bgpState(router, peer);
  }
  return state;
}

async function describeLab(): Promise<LabInfo> {
  const { readFile } = await import('node:fs/promises');
  let syslog: LabInfo['syslog'] = { port3164: 5514, port5424: 5515, relayTarget: '127.0.0.1' };
  try {
    const [p1, p2, target] = (await readFile(join(LAB_RUN, 'state', 'syslog'), 'utf8')).trim().split(/\s+/);
    syslog = { port3164: Number(p1), port5424: Number(p2), relayTarget: target === 'off' ? null : target ?? null };
  } catch {
    /* defaults */
  }
  return {
    root: REPO,
    inventory: LAB_INVENTORY,
    sshKey: join(LAB_RUN, 'ssh', 'id_ed25519'),
    knownHosts: join(LAB_RUN, 'ssh', 'known_hosts'),
    playbooksDir: PLAYBOOKS_DIR,
    ansibleConfig: ANSIBLE_CONFIG,
    runDir: LAB_RUN,
    mgmtNetns: MGMT_NETNS,
    routers: LAB_ROUTERS,
    syslog,
    startedByThisProcess: startedByUs,
    vtysh,
    vtyshJson,
    bgpState,
    waitForBgpState,
  };
}

// ---------------------------------------------------------------- playbooks
/** One value of a task's params document. */
export type ParamValue = string | number | boolean | null;

/** A YAML double-quoted scalar that any YAML parser reads back exactly (ASCII only, escapes for the rest). */
function yamlQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

/** The vars file the runtime writes: `params:` with every string `!unsafe`. */
export function paramsYaml(params: Record<string, ParamValue>): string {
  const lines = ['params:'];
  for (const [k, v] of Object.entries(params)) {
    const key = yamlQuoted(k);
    if (typeof v === 'string') lines.push(`  ${key}: !unsafe ${yamlQuoted(v)}`);
    else if (typeof v === 'number' && Number.isFinite(v)) lines.push(`  ${key}: ${v}`);
    else if (typeof v === 'boolean') lines.push(`  ${key}: ${v}`);
    else lines.push(`  ${key}: null`);
  }
  return lines.join('\n') + '\n';
}

export interface PlaybookRun {
  exitCode: number;
  durationMs: number;
  /** PLAY RECAP per host. */
  stats: Record<string, { ok: number; changed: number; failures: number; unreachable: number; skipped: number; rescued: number; ignored: number }>;
  /** The `netops result` msg per host. */
  results: Record<string, Record<string, unknown>>;
  /** The msg of the (last) failed task per host, rescued ones excluded. */
  failures: Record<string, string>;
  /** Names of the failed tasks per host (rescued ones included). */
  failedTasks: Record<string, string[]>;
  json: unknown;
  stdout: string;
  stderr: string;
}

interface JsonCallback {
  plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, Record<string, unknown>> }> }>;
  stats: PlaybookRun['stats'];
}

/**
 * Run playbooks/<task>.yml as the runtime does:
 * `ANSIBLE_CONFIG=playbooks/ansible.cfg ANSIBLE_STDOUT_CALLBACK=json ansible-playbook -i <inv>
 *  playbooks/<task>.yml --limit <hosts> -e @<vars> [--check --diff]`.
 */
export async function runPlaybook(
  task: string,
  params: Record<string, ParamValue>,
  opts: { limit?: string[]; check?: boolean; inventory?: string; extraVars?: Record<string, string> } = {},
): Promise<PlaybookRun> {
  const dir = await mkdtemp(join(tmpdir(), 'netops-pb-'));
  try {
    const varsFile = join(dir, 'vars.yml');
    await writeFile(varsFile, paramsYaml(params), { mode: 0o600 });
    const args = ['-i', opts.inventory ?? LAB_INVENTORY, join(PLAYBOOKS_DIR, `${task}.yml`), '-e', `@${varsFile}`];
    if (opts.limit?.length) args.push('--limit', opts.limit.join(','));
    if (opts.check) args.push('--check', '--diff');
    for (const [k, v] of Object.entries(opts.extraVars ?? {})) args.push('-e', `${k}=${v}`);
    const t0 = Date.now();
    const r = await execa(ANSIBLE_PLAYBOOK, args, {
      reject: false,
      stdin: 'ignore',
      env: { ANSIBLE_CONFIG, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1' },
    });
    const durationMs = Date.now() - t0;
    let json: JsonCallback;
    try {
      json = JSON.parse(r.stdout) as JsonCallback;
    } catch {
      throw new Error(`ansible-playbook ${task} printed no JSON (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
    }
    const results: PlaybookRun['results'] = {};
    const failures: PlaybookRun['failures'] = {};
    const failedTasks: PlaybookRun['failedTasks'] = {};
    for (const play of json.plays ?? []) {
      for (const t of play.tasks ?? []) {
        for (const [host, res] of Object.entries(t.hosts ?? {})) {
          if (t.task.name === 'netops result' && res.msg && typeof res.msg === 'object') results[host] = res.msg as Record<string, unknown>;
          if (res.failed || res.unreachable) {
            (failedTasks[host] ??= []).push(t.task.name);
            failures[host] = String(res.msg ?? res.module_stderr ?? 'failed');
          }
        }
      }
    }
    // a rescued failure is not a failure of the run
    for (const host of Object.keys(failures)) if ((json.stats?.[host]?.failures ?? 0) === 0 && !json.stats?.[host]?.unreachable) delete failures[host];
    return { exitCode: r.exitCode ?? -1, durationMs, stats: json.stats ?? {}, results, failures, failedTasks, json, stdout: r.stdout, stderr: r.stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
