/**
 * Parser throughput: Classifier.parse over message mixes, in this process, one core.
 *
 * 1. napalm-logs corpus mix: the 93 stored samples of shared/corpus/napalm-logs, round-robin
 *    (napalm-logs itself does about 2,100 msg/s). Target ≥ 200,000 msg/s.
 * 2. all fixtures: the corpus, the project's fixtures and the raw FRR capture (matched and
 *    unmatched lines).
 * 3. unrecognised: Linux daemon lines that no profile matches (the header fallback path).
 *
 * 4. adversarial: median µs per 16 KiB near-miss line, before and after the quadratic prefix
 *    patterns were rewritten (bench/adversarial.ts).
 *
 * Each figure is the median of BENCH_RUNS (default 7) runs of BENCH_MESSAGES (default 200,000)
 * messages after a warm-up. Rates are per CPU second of this process (user + system), so other
 * load on the machine does not count against the parser; the wall-clock median is in the note.
 * Run alone: `node dist/bench/parse.js`.
 */
import { median, type Figure } from './figure.js';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Classifier } from '../bridge/parse.js';
import { captureLines, corpusFixtures, ownFixtures } from '../test/syslog/fixtures.js';
import { benchAdversarial } from './adversarial.js';



function measure(c: Classifier, lines: string[], messages: number, runs: number): { cpu: number[]; wall: number[] } {
  const n = lines.length;
  // warm-up: let V8 optimise and the regexes tier up
  for (let i = 0; i < messages; i++) c.parse(lines[i % n]!, '10.0.0.1', 1_700_000_000 + i);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < runs; r++) {
    const u0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < messages; i++) c.parse(lines[i % n]!, '10.0.0.1', 1_700_000_000 + i);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const u = process.cpuUsage(u0);
    cpu.push(messages / ((u.user + u.system) / 1e6));
    wall.push(messages / seconds);
  }
  return { cpu, wall };
}

export function unrecognised(): string[] {
  const daemons = ['sshd[812]', 'systemd[1]', 'CRON[2231]', 'kernel', 'dhclient[77]', 'sudo'];
  const texts = [
    'Accepted publickey for ops from 192.0.2.10 port 50122 ssh2: ED25519 SHA256:Zm9vYmFy',
    'Started Session 42 of user ops.',
    '(root) CMD (run-parts /etc/cron.hourly)',
    '[12345.678901] eth0: renamed from veth1a2b3c',
    'DHCPREQUEST for 192.0.2.55 on eth0 to 192.0.2.1 port 67',
    'ops : TTY=pts/0 ; PWD=/home/ops ; USER=root ; COMMAND=/usr/bin/true',
  ];
  return texts.map((t, i) => `<${(i * 13) % 191}>Nov 24 22:${String(10 + i).padStart(2, '0')}:01 host${i} ${daemons[i]}: ${t}`);
}

/** Run the parser benchmarks; returns one Figure per mix. */
export async function benchParse(): Promise<Figure[]> {
  const messages = Number(process.env.BENCH_MESSAGES ?? 200_000);
  const runs = Math.max(5, Number(process.env.BENCH_RUNS ?? 7));
  const c = new Classifier();
  const corpus = corpusFixtures().map((f) => f.raw);
  const mixes: Array<{ name: string; lines: string[]; target?: number; note: string }> = [
    { name: 'parse: napalm-logs corpus mix', lines: corpus, target: 200_000, note: `${corpus.length} samples; napalm-logs: ~2,100 msg/s` },
    {
      name: 'parse: all fixtures + FRR capture',
      lines: [...corpus, ...ownFixtures().map((f) => f.raw), ...captureLines()],
      note: 'corpus, test/fixtures/syslog and the raw FRR 8.4 capture',
    },
    { name: 'parse: unrecognised lines', lines: unrecognised(), note: 'no profile matches: header fallback' },
  ];
  const out: Figure[] = [];
  for (const m of mixes) {
    if (m.lines.length === 0) {
      out.push({ name: m.name, median: 0, unit: 'msg/s', ok: false, note: 'no input (shared corpus not found? set NETOPS_SHARED)' });
      continue;
    }
    const r = measure(c, m.lines, messages, runs);
    const med = Math.round(median(r.cpu));
    out.push({
      name: m.name,
      median: med,
      unit: 'msg/s',
      min: Math.round(Math.min(...r.cpu)),
      max: Math.round(Math.max(...r.cpu)),
      runs,
      ...(m.target ? { target: `≥ ${m.target} msg/s on one core`, ok: med >= m.target } : {}),
      note: `${m.note}; ${runs} runs × ${messages} messages, per CPU second; wall-clock median ${Math.round(median(r.wall))} msg/s`,
    });
  }
  out.push(...cliWholeProcess([...corpus, ...unrecognised()]));
  out.push(...(await benchAdversarial()));
  return out;
}

/**
 * `netops parse-syslog --json` as a whole process (node start-up, profile loading included) on
 * 300,000 mixed messages from a file, output to /dev/null; median of BENCH_CLI_RUNS (default 3)
 * wall-clock runs, with the default split (worker threads) and on the main thread alone
 * (NETOPS_PARSE_WORKERS=0), and the start-up alone (empty input). Target ≥ 100,000 msg/s.
 */
export function cliWholeProcess(mix: string[]): Figure[] {
  const n = Number(process.env.BENCH_CLI_MESSAGES ?? 300_000);
  const runs = Math.max(1, Number(process.env.BENCH_CLI_RUNS ?? 3));
  const dir = mkdtempSync(join(tmpdir(), 'netops-bench-cli-'));
  const file = join(dir, 'in.log');
  const empty = join(dir, 'empty.log');
  try {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(mix[i % mix.length]!.replace(/[\r\n]+/g, ' '));
    writeFileSync(file, `${lines.join('\n')}\n`);
    writeFileSync(empty, '');
    const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'netops.js');
    /** Wall-clock seconds of each run. */
    const time = (input: string, workers?: string): number[] => {
      const out: number[] = [];
      for (let r = 0; r < runs; r++) {
        const fd = openSync(input, 'r');
        const t0 = process.hrtime.bigint();
        const env = workers === undefined ? process.env : { ...process.env, NETOPS_PARSE_WORKERS: workers };
        const res = spawnSync(process.execPath, [cli, 'parse-syslog', '--json'], { stdio: [fd, 'ignore', 'pipe'], env });
        out.push(Number(process.hrtime.bigint() - t0) / 1e9);
        closeSync(fd);
        if (res.status !== 0) throw new Error(`parse-syslog exited ${res.status}: ${res.stderr}`);
      }
      return out;
    };
    const figures: Figure[] = [];
    for (const [name, workers] of [['parse-syslog --json, whole process', undefined], ['parse-syslog --json, whole process, main thread only', '0']] as const) {
      const load = loadavg()[0]!.toFixed(2);
      const rates = time(file, workers).map((s) => n / s);
      const med = Math.round(median(rates));
      figures.push({
        name, median: med, min: Math.round(Math.min(...rates)), max: Math.round(Math.max(...rates)), runs, unit: 'msg/s',
        ...(workers === undefined ? { target: '≥ 100000 msg/s', ok: med >= 100_000 } : {}),
        note: `${n} messages (corpus + unrecognised lines), node start-up included, wall clock, ${runs} runs; load ${load}→${loadavg()[0]!.toFixed(2)}`,
      });
    }
    const load = loadavg()[0]!.toFixed(2);
    const start = time(empty).map((s) => s * 1000);
    figures.push({ name: 'parse-syslog start-up (empty input)', median: Math.round(median(start)), min: Math.round(Math.min(...start)), max: Math.round(Math.max(...start)), runs, unit: 'ms', note: `node start, module loading, profiles compiled; load ${load}` });
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Runnable on its own: node dist/bench/parse.js
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchParse().then(
    (results) => {
      for (const r of results) {
        const range = r.min !== undefined ? ` (min ${r.min}, max ${r.max})` : '';
        const verdict = r.ok === undefined ? '' : r.ok ? `  ok: ${r.target}` : `  BELOW TARGET ${r.target}`;
        process.stdout.write(`${r.name}: median ${r.median} ${r.unit}${range}${verdict}\n    ${r.note ?? ''}\n`);
      }
    },
    (e: unknown) => {
      process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
