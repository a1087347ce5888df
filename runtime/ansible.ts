/**
 * Running a playbook: user values go in a vars file where every string is `!unsafe`
 * (Ansible never templates them), mode 0600 in a run directory that is removed on every
 * exit path; ansible-playbook runs with the JSON stdout callback in its own session, every
 * process of the run marked with NETOPS_RUN_ID, so a timeout or a stop ends all of them —
 * the persistent ansible-connection daemons included (runtime/proc.ts); its output becomes
 * per-host outcomes.
 */
import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_ID_ENV, stopRun } from './proc.js';
import { Document, Scalar, isScalar, visit } from 'yaml';
import type { HostOutcome } from './define.js';
import { mark } from './trace.js';

/** Serialize vars with every string tagged `!unsafe`. */
export function unsafeVarsYaml(vars: Record<string, unknown>): string {
  const doc = new Document(vars);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string') {
        node.tag = '!unsafe';
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  void isScalar;
  return doc.toString({ lineWidth: 0 });
}

/** How a playbook run ended. */
export interface PlaybookRun {
  exitCode: number | undefined;
  timedOut: boolean;
  /** Stopped because the run was aborted (SIGTERM/SIGINT/SIGHUP to netops). */
  stopped: boolean;
  /** Parsed JSON callback document (null when ansible printed none, e.g. a syntax error). */
  json: AnsibleJson | null;
  stderr: string;
  stdout: string;
  argv: string[];
  elapsedMs: number;
  /** Run in check + diff mode. */
  check: boolean;
}

interface TaskHostResult {
  changed?: boolean; failed?: boolean; unreachable?: boolean; skipped?: boolean; msg?: unknown;
  commands?: string[]; updates?: string[]; diff?: unknown; results?: TaskHostResult[]; stderr?: string;
  [k: string]: unknown;
}
/** The subset of ansible's json stdout callback netops reads. */
export interface AnsibleJson {
  plays: { play: { name: string }; tasks: { task: { name: string }; hosts: Record<string, TaskHostResult> }[] }[];
  stats: Record<string, { ok: number; changed: number; failures: number; unreachable: number; skipped: number; rescued?: number }>;
}

/** Modules that write configuration to a router (a failure inside one may leave part of it applied). */
const PUSH_MODULE = /(^|\.)(cli_config|napalm_install_config|install_config)$/;
/** How netops' playbooks report a failure that left the router as it was (refused before pushing, or restored by their own rescue). */
const LEFT_AS_IT_WAS = /nothing (was )?changed|failed and was rolled back/;

/**
 * Whether a failed router may still carry (part of) the change, so that the run must undo it:
 * true unless ansible's report shows that nothing was written to it (no task changed it and no
 * push module failed on it) or the playbook itself says it left or restored the router. A router
 * without a report (timeout, stop, ansible killed) is of unknown state: true.
 */
export function mayCarryChange(run: PlaybookRun, o: HostOutcome): boolean {
  if (o.status === 'changed') return true;
  if (o.status !== 'failed') return false;
  if (!run.json?.stats[o.host]) return true;
  if (LEFT_AS_IT_WAS.test(o.message)) return false;
  const results = (run.json.plays ?? []).flatMap((p) => p.tasks.map((t) => t.hosts[o.host])).filter((r): r is TaskHostResult => !!r);
  return results.some((r) => r.changed === true || (r.failed === true && typeof r.action === 'string' && PUSH_MODULE.test(r.action)));
}

/** Settings of one playbook run. */
export interface PlaybookSpec {
  ansiblePlaybook: string;
  playbook: string;
  /** Inventory file, or the inventory's YAML text (written to the run directory). */
  inventory: string | { text: string };
  limit: string[];
  vars: Record<string, unknown>;
  check: boolean;
  timeoutSeconds: number;
  ansibleConfig: string;
  /** ansible-vault password file, for inventories with encrypted credentials. */
  vaultPasswordFile?: string | null;
  /** Marks every process of this run (NETOPS_RUN_ID). */
  runId: string;
  /** Private directory of this run (vars, inventory, ansible temp); created 0700, removed at the end. */
  runDir: string;
  /** Aborting stops the whole run. */
  signal?: AbortSignal;
  /** Extra variables set by netops itself (never user input): fault injection in tests, rollback settings. */
  extraVars?: Record<string, unknown>;
}

/** Run a playbook and collect its JSON output; never throws for a failed play. */
export async function runPlaybook(spec: PlaybookSpec): Promise<PlaybookRun> {
  const dir = spec.runDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    const varsFile = join(dir, 'vars.yml');
    writeFileSync(varsFile, unsafeVarsYaml(spec.vars), { mode: 0o600 });
    let inventory: string;
    if (typeof spec.inventory === 'string') inventory = spec.inventory;
    else { inventory = join(dir, 'inventory.yml'); writeFileSync(inventory, spec.inventory.text, { mode: 0o600 }); }
    const extra = spec.extraVars && Object.keys(spec.extraVars).length ? ['-e', JSON.stringify(spec.extraVars)] : [];
    const argv = ['-i', inventory, spec.playbook, '--limit', spec.limit.join(','), '-e', `@${varsFile}`, ...extra, ...(spec.check ? ['--check', '--diff'] : []),
      ...(spec.vaultPasswordFile ? ['--vault-password-file', spec.vaultPasswordFile] : [])];
    const t0 = Date.now();
    mark('spawn');
    const child = execa(spec.ansiblePlaybook, argv, {
      reject: false,
      detached: true,
      stdin: 'ignore',
      env: {
        [RUN_ID_ENV]: spec.runId,
        ANSIBLE_CONFIG: spec.ansibleConfig,
        ANSIBLE_STDOUT_CALLBACK: 'json',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
        ANSIBLE_PERSISTENT_CONTROL_PATH_DIR: join(dir, 'pc'),
      },
    });
    let timedOut = false;
    let stopped = false;
    let stopping: Promise<unknown> | null = null;
    const stop = () => { stopping ??= stopRun(spec.runId); };
    const timer = setTimeout(() => { timedOut = true; stop(); }, spec.timeoutSeconds * 1000);
    const onAbort = () => { stopped = true; stop(); };
    if (spec.signal?.aborted) onAbort(); else spec.signal?.addEventListener('abort', onAbort, { once: true });
    const res = await child;
    mark('exited');
    clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onAbort);
    // ansible-playbook is gone; persistent connections of the run must not outlive it.
    await (stopping ?? stopRun(spec.runId, 1000));
    let json: AnsibleJson | null = null;
    const out = String(res.stdout ?? '');
    const start = out.indexOf('{');
    if (start >= 0) { try { json = JSON.parse(out.slice(start)) as AnsibleJson; } catch { json = null; } }
    return { exitCode: res.exitCode, timedOut, stopped: stopped && !timedOut, json, stderr: String(res.stderr ?? ''), stdout: out, argv: [spec.ansiblePlaybook, ...argv], elapsedMs: Date.now() - t0, check: spec.check };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function diffText(d: unknown): string {
  if (!d) return '';
  if (Array.isArray(d)) return d.map(diffText).filter(Boolean).join('\n');
  if (typeof d === 'object') {
    const o = d as { prepared?: string; before?: string; after?: string };
    if (o.prepared) return String(o.prepared);
    if (o.before !== undefined || o.after !== undefined) return `--- before\n${String(o.before ?? '')}\n+++ after\n${String(o.after ?? '')}`;
  }
  return typeof d === 'string' ? d : '';
}

/**
 * network_cli reports a device it cannot reach as a failed task, not as unreachable;
 * these are the connection errors (paramiko, the persistent connection, a ProxyCommand).
 */
const UNREACHABLE = /Connection refused|Unable to connect to port|Indecipherable protocol version|command timeout triggered|persistent connection idle timeout|No route to host|Network is unreachable|timed out|Name or service not known|ssh connection failed/i;

/** Per-host outcomes from a run's JSON: status, the `netops result` dict, commands, diff, first failure message. */
export function outcomes(run: PlaybookRun, hosts: string[]): HostOutcome[] {
  return hosts.map((host) => {
    const o: HostOutcome = { host, status: 'ok', data: {}, commands: [], diff: '', message: '', dryRun: run.check };
    const st = run.json?.stats[host];
    const results = (run.json?.plays ?? []).flatMap((p) => p.tasks.map((t) => ({ name: t.task.name, r: t.hosts[host] }))).filter((x) => x.r);
    for (const { name, r } of results) {
      const res = r!;
      if (name === 'netops result' && res.msg && typeof res.msg === 'object') o.data = res.msg as Record<string, unknown>;
      for (const c of [...(res.commands ?? []), ...(res.updates ?? [])]) if (typeof c === 'string' && !o.commands.includes(c)) o.commands.push(c);
      const d = diffText(res.diff);
      if (d) o.diff += (o.diff ? '\n' : '') + d;
      if (res.failed || res.unreachable) {
        // The router's whole reason (every line), once per distinct message.
        const m = String(res.msg ?? res.stderr ?? 'failed').trim().slice(0, 4000);
        if (!o.message.includes(m)) o.message = o.message ? `${o.message}\n${m}` : m;
      }
    }
    if (Array.isArray(o.data.commands)) for (const c of o.data.commands) if (typeof c === 'string' && !o.commands.includes(c)) o.commands.push(c);
    if (!st) { o.status = 'failed'; o.message ||= run.timedOut ? 'timed out' : run.stopped ? 'stopped' : `no result from ansible-playbook (exit ${run.exitCode ?? 'signal'})`; }
    else if (st.unreachable > 0 || (st.failures > 0 && UNREACHABLE.test(o.message))) o.status = 'unreachable';
    else if (st.failures > 0) o.status = 'failed';
    else if (st.changed > 0) o.status = 'changed';
    return o;
  });
}
