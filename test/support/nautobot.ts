/**
 * Test support for the throwaway Nautobot (scripts/nautobot/up.sh, down.sh).
 *
 * - `useNautobot(this)` in a mocha `before` hook: starts Nautobot once per test process when it
 *   is not already healthy (the first start on a fresh machine installs and migrates: minutes),
 *   remembers whether this process started it, and returns how to reach it. When it cannot be
 *   started the suite fails under `CI=true` and is skipped (with the reason) otherwise.
 * - `teardownNautobotIfStarted()` stops it again, only when this process started it; the
 *   Nautobot test files register it as a root `after` hook.
 * - `nbApi()` is a plain axios client for checking results through Nautobot's own REST API.
 */
import axios, { type AxiosInstance } from 'axios';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, inCI } from './lab.js';

export const NB_PORT = Number(process.env.NETOPS_NAUTOBOT_PORT ?? 58080);
export const NB_URL = `http://127.0.0.1:${NB_PORT}`;
export const NB_STATE = process.env.NETOPS_NAUTOBOT_STATE ?? join(REPO, '.nautobot');
export const NB_TOKEN_FILE = join(NB_STATE, 'token');
/** A view-only user's token (scripts/nautobot/bootstrap.py): object permissions are enforced for it. */
export const NB_VIEWER_TOKEN_FILE = join(NB_STATE, 'token-viewer');
const SCRIPTS = join(REPO, 'scripts', 'nautobot');

export interface NautobotInfo {
  url: string;
  tokenFile: string;
  startedByThisProcess: boolean;
}

let started = false;
let upPromise: Promise<NautobotInfo> | null = null;

/** Nautobot's /health/ answers 200, the token files exist, and it serves netops' App (else up.sh brings it there). */
export async function nautobotHealthy(): Promise<boolean> {
  try {
    const r = await axios.get(`${NB_URL}/health/`, { timeout: 5000, validateStatus: () => true });
    if (r.status !== 200 || readFileSync(NB_VIEWER_TOKEN_FILE, 'utf8').trim().length !== 40) return false;
    const token = readFileSync(NB_TOKEN_FILE, 'utf8').trim();
    const app = await axios.get(`${NB_URL}/api/plugins/netops-sot/`, { timeout: 5000, validateStatus: () => true, headers: { Authorization: `Token ${token}` } });
    return token.length === 40 && app.status === 200;
  } catch {
    return false;
  }
}

/** Bring Nautobot up if it is not healthy (once per process). */
export function ensureNautobot(): Promise<NautobotInfo> {
  if (!upPromise) {
    upPromise = (async () => {
      if (!(await nautobotHealthy())) {
        const r = await execa('bash', [join(SCRIPTS, 'up.sh')], { reject: false, all: true, stdin: 'ignore' });
        if (r.exitCode !== 0) throw new Error(`scripts/nautobot/up.sh failed (exit ${r.exitCode}):\n${r.all}`);
        started = true;
      }
      return { url: NB_URL, tokenFile: NB_TOKEN_FILE, startedByThisProcess: started };
    })();
    upPromise.catch(() => {
      upPromise = null;
    });
  }
  return upPromise;
}

/** For a mocha `before` hook: Nautobot up, or fail (CI) / skip (elsewhere) saying why. */
export async function useNautobot(ctx: Mocha.Context): Promise<NautobotInfo> {
  ctx.timeout(60 * 60_000);
  try {
    return await ensureNautobot();
  } catch (e) {
    if (inCI()) throw new Error(`Nautobot tests cannot run (CI=true: not skipping): ${(e as Error).message}`);
    console.warn(`skipping Nautobot tests: ${(e as Error).message}`);
    ctx.skip();
    throw e;
  }
}

/** Stop Nautobot if this process started it. */
export async function teardownNautobotIfStarted(): Promise<void> {
  if (!started) return;
  started = false;
  upPromise = null;
  await execa('bash', [join(SCRIPTS, 'down.sh')], { reject: false, stdin: 'ignore' });
}

/** A plain REST client with the test token, for checking results in Nautobot itself. */
export function nbApi(): AxiosInstance {
  return axios.create({
    baseURL: `${NB_URL}/api/`,
    headers: { Authorization: `Token ${readFileSync(NB_TOKEN_FILE, 'utf8').trim()}`, Accept: 'application/json' },
    timeout: 30_000,
  });
}

/** The lab's peer addresses the Nautobot tests add and remove. */
export const TEST_PEER_IPS = ['10.0.0.1', '10.0.0.5', '10.0.1.1'];

/** Delete every Peering on and IP Address of the lab's peer addresses (tests start clean). */
export async function resetNautobotPeers(ips: string[] = TEST_PEER_IPS): Promise<void> {
  const api = nbApi();
  for (const ip of ips) {
    const addrs = (await api.get('ipam/ip-addresses/', { params: { address: ip } })).data.results as Array<{ id: string }>;
    for (const a of addrs) {
      const eps = (await api.get('plugins/bgp/peer-endpoints/', { params: { source_ip: a.id } })).data.results as Array<{ peering: { id: string } }>;
      const peerings = [...new Set(eps.map((e) => e.peering.id))];
      if (peerings.length) await api.delete('plugins/bgp/peerings/', { data: peerings.map((id) => ({ id })) });
      await api.delete(`ipam/ip-addresses/${a.id}/`);
    }
  }
}
