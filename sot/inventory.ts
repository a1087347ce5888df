/**
 * The Ansible inventory derived from the source of truth (never edited by hand): sites are
 * the child groups of `sites`, each router a host with the vars the playbooks read.
 */
import { yaml } from './yaml-lib.js';
import type { Platform, Router, SiteView } from './types.js';

/** ansible_network_os of each platform. */
export const NETWORK_OS: Record<Platform, string> = {
  frr: 'frr.frr.frr',
  eos: 'arista.eos.eos',
  junos: 'junipernetworks.junos.junos',
  ios: 'cisco.ios.ios',
  iosxr: 'cisco.iosxr.iosxr',
  nxos: 'cisco.nxos.nxos',
};

/** Host vars of one router. */
export function hostVars(r: Router, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ansible_host: r.address,
    ansible_network_os: NETWORK_OS[r.platform],
    netops_site: r.site,
    netops_platform: r.platform,
    netops_local_as: r.localAs,
    netops_router_id: r.routerId,
    napalm_driver: r.napalmDriver,
    netops_mgmt_interface: r.mgmtInterface,
    ...(r.interfaces ? { netops_interfaces: r.interfaces } : {}),
    ...extra,
  };
}

/** The inventory document: all.vars (connection settings), sites → site → hosts. */
export function inventoryDoc(connection: Record<string, unknown>, sites: SiteView[], perRouter: (r: Router) => Record<string, unknown> = () => ({})) {
  const children: Record<string, { hosts: Record<string, Record<string, unknown>> }> = {};
  for (const s of [...sites].sort((a, b) => a.site.name.localeCompare(b.site.name))) {
    children[s.site.name] = { hosts: Object.fromEntries([...s.routers].sort((a, b) => a.name.localeCompare(b.name)).map((r) => [r.name, hostVars(r, perRouter(r))])) };
  }
  return { all: { vars: { ...connection }, children: { sites: { children } } } };
}

/** The inventory as YAML text for ansible-playbook -i. */
export function inventoryYaml(connection: Record<string, unknown>, sites: SiteView[], perRouter?: (r: Router) => Record<string, unknown>): string {
  return '# Derived from the netops source of truth (npx netops inventory); do not edit.\n' + yaml().stringify(inventoryDoc(connection, sites, perRouter), { lineWidth: 0 });
}
