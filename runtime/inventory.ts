/**
 * An Ansible inventory as netops reads it (the bridge maps sender addresses with it): sites
 * are the child groups of the `sites` group; each site's hosts are its routers, nested groups
 * included. Read the way Ansible reads it — `ansible-inventory --list`, so INI, YAML, nested
 * groups, group_vars and vault all work — with a plain YAML reading (host > site group > sites
 * > all) when ansible-inventory is not installed. An inventory Ansible cannot parse, or one
 * without a `sites` group, is refused naming the file. netops' own inventory is derived from
 * the source of truth (sot/inventory.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { yaml } from '../sot/yaml-lib.js';

/** One router as netops sees it. */
export interface InventoryHost {
  name: string;
  site: string;
  /** Management address (`ansible_host`, else the name). */
  address: string;
  /** `ansible_network_os`, e.g. frr.frr.frr; null when unset. */
  platform: string | null;
  /** `netops_interfaces`: interfaces the router has, when the inventory lists them. */
  interfaces: string[] | null;
  /** All merged vars of the host (may hold credentials: never print them). */
  vars: Record<string, unknown>;
}

/** A parsed inventory: sites → routers. */
export interface Inventory {
  path: string;
  sites: Map<string, InventoryHost[]>;
  hosts: Map<string, InventoryHost>;
}

type Group = { hosts?: Record<string, Record<string, unknown> | null>; vars?: Record<string, unknown>; children?: Record<string, Group | null> };

/** An inventory netops cannot use. */
export class InventoryError extends Error {
  constructor(readonly path: string, message: string) { super(`${path}: ${message}`); this.name = 'InventoryError'; }
}

const ANSIBLE_INVENTORY = process.env.NETOPS_ANSIBLE_INVENTORY ?? '/usr/bin/ansible-inventory';

/** Read an Ansible inventory (any format Ansible reads) into sites and hosts. */
export function loadInventory(path: string): Inventory {
  if (!existsSync(path)) throw new InventoryError(path, 'no such file');
  if (!existsSync(ANSIBLE_INVENTORY)) return parseInventory(readFileSync(path, 'utf8'), path);
  let out: string;
  try {
    out = execFileSync(ANSIBLE_INVENTORY, ['-i', path, '--list'], {
      encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True', ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'True', ANSIBLE_NOCOLOR: '1' },
    });
  } catch (e) {
    const err = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n').filter((l) => /ERROR|unable|Unable|parse/.test(l)).slice(0, 3).join(' ');
    throw new InventoryError(path, `Ansible cannot read this inventory: ${err || (e as Error).message}`);
  }
  return fromAnsibleList(JSON.parse(out) as AnsibleList, path);
}

/** `ansible-inventory --list` output. */
export interface AnsibleList { _meta?: { hostvars?: Record<string, Record<string, unknown>> }; [group: string]: { hosts?: string[]; children?: string[] } | undefined | AnsibleList['_meta'] }

/** Sites and hosts from `ansible-inventory --list` (hosts of nested groups belong to their site). */
export function fromAnsibleList(list: AnsibleList, path = '<inventory>'): Inventory {
  const group = (n: string) => (n === '_meta' ? undefined : (list[n] as { hosts?: string[]; children?: string[] } | undefined));
  const sitesGroup = group('sites');
  if (!sitesGroup?.children?.length) throw new InventoryError(path, "has no group 'sites' whose child groups are the sites (all → sites → <site> → hosts)");
  const hostvars = list._meta?.hostvars ?? {};
  const members = (g: string, seen = new Set<string>()): string[] => {
    if (seen.has(g)) return [];
    seen.add(g);
    const x = group(g);
    return [...(x?.hosts ?? []), ...(x?.children ?? []).flatMap((c) => members(c, seen))];
  };
  const sites = new Map<string, InventoryHost[]>();
  const hosts = new Map<string, InventoryHost>();
  for (const site of [...sitesGroup.children].sort()) {
    const list2: InventoryHost[] = [];
    for (const name of [...new Set(members(site))].sort()) {
      const vars = hostvars[name] ?? {};
      const ifs = vars.netops_interfaces;
      const h: InventoryHost = { name, site, address: typeof vars.ansible_host === 'string' ? vars.ansible_host : name, platform: typeof vars.ansible_network_os === 'string' ? vars.ansible_network_os : null, interfaces: Array.isArray(ifs) ? ifs.map(String) : null, vars };
      list2.push(h);
      hosts.set(name, h);
    }
    sites.set(site, list2);
  }
  return { path, sites, hosts };
}

/** Parse Ansible YAML inventory text into sites and hosts. */
export function parseInventory(text: string, path = '<inventory>'): Inventory {
  const doc = (yaml().parse(text) ?? {}) as { all?: Group };
  const all = doc.all ?? {};
  const sitesGroup = all.children?.sites ?? null;
  const sites = new Map<string, InventoryHost[]>();
  const hosts = new Map<string, InventoryHost>();
  if (!sitesGroup?.children) return { path, sites, hosts };
  for (const [site, group] of Object.entries(sitesGroup.children).sort(([a], [b]) => a.localeCompare(b))) {
    const list: InventoryHost[] = [];
    for (const [name, hv] of Object.entries(group?.hosts ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      const vars = { ...(all.vars ?? {}), ...(sitesGroup.vars ?? {}), ...(group?.vars ?? {}), ...(hv ?? {}) };
      const ifs = vars.netops_interfaces;
      const host: InventoryHost = {
        name,
        site,
        address: typeof vars.ansible_host === 'string' ? vars.ansible_host : name,
        platform: typeof vars.ansible_network_os === 'string' ? vars.ansible_network_os : null,
        interfaces: Array.isArray(ifs) ? ifs.map(String) : null,
        vars,
      };
      list.push(host);
      hosts.set(name, host);
    }
    sites.set(site, list);
  }
  return { path, sites, hosts };
}
