/**
 * The Ansible inventory as netops reads it: sites are the child groups of the `sites`
 * group; each site's hosts are its routers. Host and group vars follow Ansible's
 * precedence for the few keys netops needs (host > site group > sites > all).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

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

/** Read an Ansible YAML inventory file into sites and hosts. */
export function loadInventory(path: string): Inventory {
  return parseInventory(readFileSync(path, 'utf8'), path);
}

/** Parse Ansible YAML inventory text into sites and hosts. */
export function parseInventory(text: string, path = '<inventory>'): Inventory {
  const doc = (parse(text) ?? {}) as { all?: Group };
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
