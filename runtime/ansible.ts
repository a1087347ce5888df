/**
 * Running a playbook: user values go in a vars file where every string is `!unsafe`
 * (Ansible never templates them), ansible-playbook runs with the JSON stdout callback in
 * its own process group (a timeout stops all of it), and its output becomes per-host outcomes.
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Settings of one playbook run. */
export interface PlaybookSpec {
  ansiblePlaybook: string;
  playbook: string;
  inventory: string;
  limit: string[];
  vars: Record<string, unknown>;
  check: boolean;
  timeoutSeconds: number;
  ansibleConfig: string;
  /** ansible-vault password file, for inventories with encrypted credentials. */
  vaultPasswordFile?: string | null;
}

/** Run a playbook and collect its JSON output; never throws for a failed play. */
export async function runPlaybook(spec: PlaybookSpec): Promise<PlaybookRun> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-'));
  const varsFile = join(dir, 'vars.yml');
  writeFileSync(varsFile, unsafeVarsYaml(spec.vars), { mode: 0o600 });
  const argv = ['-i', spec.inventory, spec.playbook, '--limit', spec.limit.join(','), '-e', `@${varsFile}`, ...(spec.check ? ['--check', '--diff'] : []),
    ...(spec.vaultPasswordFile ? ['--vault-password-file', spec.vaultPasswordFile] : [])];
  const t0 = Date.now();
  mark('spawn');
  const child = execa(spec.ansiblePlaybook, argv, {
    reject: false,
    detached: true,
    stdin: 'ignore',
    env: {
      ANSIBLE_CONFIG: spec.ansibleConfig,
      ANSIBLE_STDOUT_CALLBACK: 'json',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
      ANSIBLE_PERSISTENT_CONTROL_PATH_DIR: join(dir, 'pc'),
    },
  });
  let timedOut = false;
  const kill = (sig: NodeJS.Signals) => { try { if (child.pid) process.kill(-child.pid, sig); } catch { /* already gone */ } };
  const timer = setTimeout(() => {
    timedOut = true;
    kill('SIGTERM');
    setTimeout(() => kill('SIGKILL'), 5000).unref();
  }, spec.timeoutSeconds * 1000);
  const res = await child;
  mark('exited');
  clearTimeout(timer);
  rmSync(dir, { recursive: true, force: true });
  let json: AnsibleJson | null = null;
  const out = String(res.stdout ?? '');
  const start = out.indexOf('{');
  if (start >= 0) { try { json = JSON.parse(out.slice(start)) as AnsibleJson; } catch { json = null; } }
  return { exitCode: res.exitCode, timedOut, json, stderr: String(res.stderr ?? ''), stdout: out, argv: [spec.ansiblePlaybook, ...argv], elapsedMs: Date.now() - t0, check: spec.check };
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
      if ((res.failed || res.unreachable) && !o.message) o.message = String(res.msg ?? res.stderr ?? 'failed').split('\n')[0]!.slice(0, 400);
    }
    if (Array.isArray(o.data.commands)) for (const c of o.data.commands) if (typeof c === 'string' && !o.commands.includes(c)) o.commands.push(c);
    if (!st) { o.status = 'failed'; o.message ||= run.timedOut ? 'timed out' : `no result from ansible-playbook (exit ${run.exitCode ?? 'signal'})`; }
    else if (st.unreachable > 0 || (st.failures > 0 && UNREACHABLE.test(o.message))) o.status = 'unreachable';
    else if (st.failures > 0) o.status = 'failed';
    else if (st.changed > 0) o.status = 'changed';
    return o;
  });
}
