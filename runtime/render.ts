/**
 * `netops chat "<text>" --render <platform>`: the exact configuration a change task would
 * send to a platform, without a device. The text comes from the same templates and the
 * same Python renderer the playbooks use (playbooks/filter_plugins/netops_render.py);
 * parameters are checked by the playbooks' own filter (netops_params) first.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory } from './inventory.js';

/** Platforms that have templates. */
export const PLATFORMS = ['frr', 'eos', 'junos', 'ios', 'iosxr', 'nxos'] as const;

/** Facts of a router the templates use. */
export interface RenderHost { name: string; local_as: number | null; router_id: string | null; mgmt_interface: string | null }

/** Bad input for a render (exit 2): unknown platform, task without templates, invalid parameters. */
export class RenderError extends Error {}

/** Render one task for one platform and host; returns the configuration text. */
export async function renderConfig(playbooksDir: string, task: string, platform: string, params: Record<string, unknown>, host: RenderHost): Promise<string> {
  if (!(PLATFORMS as readonly string[]).includes(platform)) throw new RenderError(`--render: unknown platform '${platform}'; type one of: ${PLATFORMS.join(', ')}`);
  const script = join(playbooksDir, 'filter_plugins', 'netops_render.py');
  // execa loads on use: it is most of a start-up chunk that a read never needs
  const { execa } = await import('execa');
  const r = await execa('/usr/bin/python3', [script], { input: JSON.stringify({ task, platform, params, host }), reject: false, env: { PYTHONDONTWRITEBYTECODE: '1' } });
  let doc: { config?: string; error?: string };
  try { doc = JSON.parse(String(r.stdout)) as typeof doc; } catch { throw new Error(`${script} failed (exit ${r.exitCode}): ${String(r.stderr).trim().slice(0, 400)}`); }
  if (doc.error !== undefined) throw new RenderError(`${task} --render ${platform}: ${doc.error}`);
  return doc.config ?? '';
}

/** The routers of a site in an inventory, as the templates see them. */
export function siteHosts(inventoryPath: string, site: string): RenderHost[] {
  if (!existsSync(inventoryPath)) throw new RenderError(`--render: no inventory at ${inventoryPath} (set NETOPS_INVENTORY)`);
  const hosts = loadInventory(inventoryPath).sites.get(site);
  if (!hosts?.length) throw new RenderError(`--render: site '${site}' has no routers in ${inventoryPath}`);
  const s = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return hosts.map((h) => ({ name: h.name, local_as: typeof h.vars.netops_local_as === 'number' ? h.vars.netops_local_as : null, router_id: s(h.vars.netops_router_id), mgmt_interface: s(h.vars.netops_mgmt_interface) }));
}

/** CLI hook: render a matched chat command for every router of its site; returns the exit code. */
export async function renderCommand(repo: string, task: string, params: Record<string, unknown>, platform: unknown, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  try {
    const inv = process.env.NETOPS_INVENTORY ?? join(repo, 'lab', 'inventory', 'hosts.yml');
    const hosts = siteHosts(inv, String(params.in ?? ''));
    for (const h of hosts) out(`# ${task} on ${h.name} (${String(platform)})\n${(await renderConfig(join(repo, 'playbooks'), task, String(platform), params, h)).replace(/\n$/, '')}`);
    return 0;
  } catch (e) {
    if (e instanceof RenderError) { err(e.message); return 2; }
    throw e;
  }
}
