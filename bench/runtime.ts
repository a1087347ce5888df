/**
 * Benchmarks of the task runtime:
 * 1. the Node layer's own overhead per task — process start to the ansible-playbook spawn,
 *    plus result parsing — measured with a stand-in ansible-playbook that only prints a real
 *    recorded JSON result (so the wall time is netops' own work plus one /bin/sh);
 * 2. with the lab up (root): `netops add-peer` wall time against a bare `ansible-playbook` of
 *    the same play and vars, both idempotent re-runs, alternated; the ratio of medians.
 */
import { execa } from 'execa';
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type Figure } from './figure.js';
import { unsafeVarsYaml } from '../runtime/ansible.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO, 'dist', 'cli', 'netops.js');
/** The lab's inventory, derived from lab/sot (for the bare ansible-playbook runs). */
const INVENTORY = join(REPO, 'lab', 'inventory', 'hosts.yml');

/** A json-callback document like the one add_peer.yml prints for one host. */
function recordedResult(host: string): string {
  const task = (name: string, r: Record<string, unknown>) => ({ task: { name }, hosts: { [host]: r } });
  return JSON.stringify({
    plays: [{ play: { name: 'netops add_peer' }, tasks: [
      task('Preflight', { changed: false }),
      task('Configure the neighbor', { changed: true, commands: ['router bgp 65000', 'neighbor 10.0.0.1 remote-as 65100', 'exit'] }),
      task('netops result', { changed: false, msg: { peer: '10.0.0.1', remote_as: 65100, state: 'Established', commands: ['router bgp 65000', 'neighbor 10.0.0.1 remote-as 65100'] } }),
    ] }],
    stats: { [host]: { ok: 3, changed: 1, failures: 0, unreachable: 0, skipped: 0 } },
  });
}

async function wall(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  return (await traced(cmd, args, env)).wall;
}

/** Run a command; its wall time, and the runtime's own marks when it prints them (NETOPS_TRACE=1). */
async function traced(cmd: string, args: string[], env: Record<string, string>): Promise<{ wall: number; marks: Record<string, number> }> {
  const t0 = process.hrtime.bigint();
  const r = await execa(cmd, args, { env: { ...env, NETOPS_TRACE: '1' }, reject: false });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.exitCode}: ${r.stderr || r.stdout}`);
  const line = String(r.stderr).split('\n').find((l) => l.startsWith('{"netops_trace"'));
  return { wall: ms, marks: line ? (JSON.parse(line) as { netops_trace: Record<string, number> }).netops_trace : {} };
}

/** Node's own time in a run: start → spawn, plus exit → result document. */
const own = (m: Record<string, number>) => (m.spawn ?? NaN) + ((m.result ?? NaN) - (m.exited ?? NaN));

/** Node overhead per task with a stand-in ansible-playbook. */
export async function benchOverhead(runs = Number(process.env.BENCH_RUNS ?? 15)): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-rt-'));
  try {
    const sample = join(dir, 'result.json');
    writeFileSync(sample, recordedResult('bma-edge1'));
    const fake = join(dir, 'ansible-playbook');
    writeFileSync(fake, `#!/bin/sh\nexec cat ${sample}\n`);
    chmodSync(fake, 0o755);
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    const env = { NETOPS_ANSIBLE_PLAYBOOK: fake, NETOPS_SOT_DIR: join(dir, 'sot'), NETOPS_STATE_DIR: join(dir, 'state') };
    const cli: number[] = [];
    const entry: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      cli.push(own((await traced('node', [CLI, 'add-peer', '--in', 'bma', '--ip', '10.0.0.1', '--as', '65100'], env)).marks));
      entry.push(own((await traced(join(REPO, 'pack', 'actions', 'add_peer.mjs'), ['--in=bma', '--ip=10.0.0.1', '--as=65100', '--chat_user=bench'], env)).marks));
      bare.push(await wall('node', ['-e', ''], {}));
    }
    return [
      { name: 'runtime overhead: netops add-peer (CLI), process start → spawn + result parsing', median: median(cli), unit: 'ms', runs, target: '≤ 150 ms' },
      { name: 'runtime overhead: pack entry add_peer.mjs, process start → spawn + result parsing', median: median(entry), unit: 'ms', runs, target: '≤ 150 ms' },
      { name: 'reference: bare `node -e ""` wall time on this machine', median: median(bare), unit: 'ms', runs },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** netops add-peer against bare ansible-playbook on the lab (needs root and `npm run lab:up`). */
export async function benchRatio(runs = Number(process.env.BENCH_RUNS_LAB ?? 7)): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-ratio-'));
  try {
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    const env = { NETOPS_SOT_DIR: join(dir, 'sot'), NETOPS_STATE_DIR: join(dir, 'state') };
    const args = ['add-peer', '--in', 'bma', '--ip', '10.0.0.1', '--as', '65100'];
    await wall('node', [CLI, ...args], env); // make it present: the measured runs are idempotent re-runs
    const vars = join(dir, 'vars.yml');
    writeFileSync(vars, unsafeVarsYaml({ params: { in: 'bma', ip: '10.0.0.1', as: 65100, backup_dir: join(dir, 'state', 'backups') } }));
    const bareEnv = { ANSIBLE_CONFIG: join(REPO, 'pack', 'playbooks', 'ansible.cfg'), ANSIBLE_STDOUT_CALLBACK: 'json' };
    const bareArgs = ['-i', INVENTORY, join(REPO, 'pack', 'playbooks', 'add_peer.yml'), '--limit', 'bma-edge1', '-e', `@${vars}`];
    const nt: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      nt.push(await wall('node', [CLI, ...args], env));
      bare.push(await wall('/usr/bin/ansible-playbook', bareArgs, bareEnv));
    }
    await wall('node', [CLI, 'remove-peer', '--in', 'bma', '--ip', '10.0.0.1'], env);
    return [
      { name: 'lab: netops add-peer wall time', median: median(nt), unit: 'ms', runs },
      { name: 'lab: bare ansible-playbook add_peer.yml wall time', median: median(bare), unit: 'ms', runs },
      { name: 'lab: ratio netops / bare ansible-playbook', median: median(nt) / median(bare), unit: 'x', runs, target: '≤ 1.10' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figs = [...(await benchOverhead()), ...(process.argv.includes('--lab') ? await benchRatio() : [])];
  for (const f of figs) console.log(`${f.name}: median ${f.median.toFixed(f.unit === 'x' ? 3 : 0)} ${f.unit} over ${f.runs} runs${f.target ? ` (target ${f.target})` : ''}`);
}
