/**
 * Benchmarks of the built-in lab (root): lab/up.sh from clean, lab/up.sh on a healthy lab,
 * lab/down.sh, and the wall time of each playbook through the real ansible-playbook
 * (json callback, vars file as the runtime writes it). Leaves the lab as it found it.
 *
 *   node dist/bench/lab.js [--runs N]
 */
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, type Figure } from './figure.js';
import { LAB_DIR, labHealthy, labUnavailableReason, runPlaybook, vtysh, type ParamValue } from '../test/support/lab.js';

async function timed(cmd: string, args: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await execa(cmd, args, { reject: false, stdin: 'ignore', all: true });
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.exitCode}: ${r.all}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function clearEdges(): Promise<void> {
  for (const [r, as] of [['bma-edge1', 65000], ['gbg-edge1', 65001]] as const) {
    const run = await vtysh(r, 'show running-config');
    const nbrs = [...new Set([...run.matchAll(/^ neighbor (\S+) /gm)].map((m) => m[1]!))];
    await vtysh(r, ['configure terminal', `router bgp ${as}`, ...nbrs.map((n) => `no neighbor ${n}`)]);
  }
}

export async function benchLab(runs = Number(process.env.BENCH_RUNS ?? 3)): Promise<Figure[]> {
  const why = labUnavailableReason();
  if (why) throw new Error(`lab benchmark: ${why}`);
  const wasUp = await labHealthy();
  const up: number[] = [];
  const upHealthy: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < runs; i++) {
    down.push(await timed('bash', [join(LAB_DIR, 'down.sh'), '--quiet']));
    up.push(await timed('bash', [join(LAB_DIR, 'up.sh')]));
    upHealthy.push(await timed('bash', [join(LAB_DIR, 'up.sh')]));
  }
  const figs: Figure[] = [
    { name: 'lab: up from clean', median: median(up), unit: 'ms', runs },
    { name: 'lab: up when already healthy', median: median(upHealthy), unit: 'ms', runs },
    { name: 'lab: down', median: median(down), unit: 'ms', runs },
  ];

  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-lab-'));
  try {
    const limit = ['bma-edge1'];
    const pb = async (name: string, task: string, params: Record<string, ParamValue>, check = false, before?: () => Promise<void>) => {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        if (before) await before();
        const r = await runPlaybook(task, params, { limit, check });
        if (Object.keys(r.failures).length) throw new Error(`${task}: ${JSON.stringify(r.failures)}`);
        ms.push(r.durationMs);
      }
      figs.push({ name: `playbook: ${name}`, median: median(ms), unit: 'ms', runs });
    };
    await clearEdges();
    const add = { in: 'bma', ip: '10.0.0.1', as: 65100, description: 'bench' };
    await pb('add_peer --check --diff', 'add_peer', add, true);
    await pb('add_peer (new neighbor, wait for Established)', 'add_peer', add, false, clearEdges);
    await pb('add_peer (unchanged)', 'add_peer', add);
    await pb('show_peers', 'show_peers', { in: 'bma' });
    await pb('show_facts', 'show_facts', { in: 'bma' });
    await pb('set_interface down/up', 'set_interface', { in: 'bma', name: 'to-peer2', state: 'down' });
    await runPlaybook('set_interface', { in: 'bma', name: 'to-peer2', state: 'up' }, { limit });
    await pb('backup_config', 'backup_config', { in: 'bma', backup_dir: join(dir, 'b') });
    await pb('config_diff', 'config_diff', { in: 'bma', backup_dir: join(dir, 'b') });
    await pb('remove_peer', 'remove_peer', { in: 'bma', ip: '10.0.0.1' }, false, async () => {
      await runPlaybook('add_peer', add, { limit });
    });
    await clearEdges();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (!wasUp) await execa('bash', [join(LAB_DIR, 'down.sh'), '--quiet'], { reject: false, stdin: 'ignore' });
  }
  return figs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const figs = await benchLab(i > 0 ? Number(process.argv[i + 1]) : undefined);
  for (const f of figs) console.log(`${f.name}: median ${f.median.toFixed(0)} ${f.unit} over ${f.runs} runs`);
}
