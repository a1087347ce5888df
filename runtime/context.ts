/** The routers of a site as a task's hooks see them (pure; no Ansible, no I/O). */
import type { TaskContext } from './define.js';
import type { SiteView } from '../sot/types.js';

/** The task context of a site view. */
export function taskContext(view: SiteView, dryRun: boolean): TaskContext {
  const hosts = view.routers.map((r) => ({ name: r.name, site: r.site, platform: r.platform, address: r.address, localAs: r.localAs, mgmtInterface: r.mgmtInterface, interfaces: r.interfaces, ownAddresses: r.ownAddresses }));
  return { hosts, site: view, dryRun };
}
