/**
 * The real bridge CLI as a child process, for black-box tests: spawn it, wait for "ready", read
 * its stats file, stop it; plus small socket helpers (free ports, waiting for a condition).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The API key the tests' webhook double expects. */
export const KEY = 'e2e-secret-key-4f9a';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The product's entry: netops bridge (falls back to the command module run on its own). */
export function bridgeArgv(): string[] {
  const main = join(REPO, 'dist', 'cli', 'netops.js');
  return existsSync(main) ? [main, 'bridge'] : [join(REPO, 'dist', 'cli', 'commands', 'bridge.js')];
}

export interface Proc {
  child: ChildProcess;
  err: () => string;
  stats: () => Record<string, any>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export async function startBridge(args: string[], statsFile: string, env: Record<string, string> = {}): Promise<Proc> {
  // These tests count every classified event at the webhook: no forward set unless they ask for one.
  const forward = args.includes('--forward-set') ? [] : ['--forward-set', 'none'];
  const child = spawn(process.execPath, [...bridgeArgv(), ...forward, ...args, '--stats-json', statsFile, '--stats-interval', '100ms', '--stats-log', '0'], {
    env: { ...process.env, ST2_API_KEY: KEY, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  await Promise.race([
    (async () => {
      while (!/ ready: /.test(err)) await sleep(20);
    })(),
    exited.then((c) => {
      throw new Error(`bridge exited ${c} before ready:\n${err}`);
    }),
  ]);
  return {
    child,
    err: () => err,
    stats: () => {
      try {
        return JSON.parse(readFileSync(statsFile, 'utf8')) as Record<string, any>;
      } catch {
        return {};
      }
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

export async function freePort(kind: 'udp' | 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const p = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return p;
  }
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const p = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return p;
}

