/**
 * The source of truth: one small interface over sites, routers, peering prefixes, address
 * allocations (IPAM), BGP peers and the audit history. Two backends implement it: the
 * embedded YAML file store (sot/file/) and Nautobot with its BGP Models app (sot/nautobot/).
 * The runtime, the tasks and the derived Ansible inventory use only this interface.
 *
 * A change is two-phase: `plan` checks it (IPAM, AS, conflicts) and says what it would do,
 * `prepare` records it as pending, the routers are pushed, then `commit` makes it current,
 * or `abort` removes every trace of it. Both `commit` and `abort` are idempotent, so a
 * journal replayed after a crash can call either again.
 */

/** Platforms netops renders configuration for (one template per change task and platform). */
export type Platform = 'frr' | 'eos' | 'junos' | 'ios' | 'iosxr' | 'nxos';
export const PLATFORMS: readonly Platform[] = ['frr', 'eos', 'junos', 'ios', 'iosxr', 'nxos'];

/** A site: a group of edge routers that share peering prefixes. */
export interface Site {
  name: string;
  description: string | null;
}

/** An edge router netops manages. */
export interface Router {
  name: string;
  site: string;
  platform: Platform;
  /** Management address Ansible connects to (`ansible_host`). */
  address: string;
  /** The router's own BGP AS. */
  localAs: number;
  routerId: string | null;
  /** NAPALM driver (`frr`, `eos`, `junos`, `ios`, `iosxr`, `nxos`, `nxos_ssh`; `iosxr_netconf` takes XML only: reads work, changes are refused); null: network_cli path. */
  napalmDriver: string | null;
  /** Interface that carries management; tasks never touch it. */
  mgmtInterface: string | null;
  /** Interfaces the router has (null: unknown). */
  interfaces: string[] | null;
  /** Addresses configured on the router itself (management, links, loopbacks): never valid as a peer. */
  ownAddresses: string[];
  /** Extra Ansible host vars (e.g. ansible_port); optional, backends may not have any. */
  vars?: Record<string, unknown>;
}

/** A prefix at a site from which peer addresses are taken. */
export interface PeeringPrefix {
  prefix: string;
  site: string;
  description: string | null;
}

/** Where a record came from. */
export type Via = 'chat' | 'terminal';

/** Who asks for a change, from where, with what command. Every write carries it. */
export interface Actor {
  user: string;
  channel: string | null;
  via: Via;
  /** The command as typed (chat text, or the terminal command line); secrets already masked. */
  command: string;
}

/** Lifecycle of a record written by a change. */
export type RecordStatus = 'pending' | 'active';

/** One allocated address in IPAM. */
export interface Allocation {
  address: string;
  prefix: string;
  site: string;
  /** What holds it, e.g. `bgp-peer AS65100`. */
  owner: string;
  description: string | null;
  status: RecordStatus;
  by: string;
  at: string;
  via: Via;
  /** Transaction that wrote it. */
  txn: string | null;
}

/** One BGP peer (external neighbor) of a site's edge routers. */
export interface Peer {
  ip: string;
  as: number;
  site: string;
  routers: string[];
  description: string | null;
  status: RecordStatus;
  by: string;
  at: string;
  via: Via;
  channel: string | null;
  txn: string | null;
}

/** A prefix with its usage. */
export interface PrefixUsage extends PeeringPrefix {
  size: number;
  used: number;
  free: number;
}

/** Everything the source of truth holds for one site. */
export interface SiteView {
  site: Site;
  routers: Router[];
  prefixes: PrefixUsage[];
  allocations: Allocation[];
  peers: Peer[];
}

/** A change to the source of truth, as a task asks for it. */
export type Change =
  | { kind: 'add_peer'; site: string; ip: string; as: number; description: string | null; routers: string[] }
  | { kind: 'remove_peer'; site: string; ip: string; routers: string[] };

/** A checked change: what would be written, in words, plus what the backend needs to do it. */
export interface Plan {
  /** Transaction id (also in the journal and the history). */
  txn: string;
  change: Change;
  actor: Actor;
  /** Human lines, e.g. "record 10.0.0.1 in IPAM (prefix 10.0.0.0/30, site bma)". */
  steps: string[];
  /** What the records were before (for undo and for the history). */
  before: { peer: Peer | null; allocation: Allocation | null };
  /** The peering prefix the address lies in. */
  prefix: string | null;
}

/** One line of the append-only audit log. */
export interface HistoryEntry {
  id: string;
  at: string;
  user: string;
  channel: string | null;
  via: Via;
  task: string;
  site: string | null;
  /** Parameters with secrets masked. */
  params: Record<string, unknown>;
  /** The planned source-of-truth steps and router config lines. */
  plan: string[];
  status: string;
  summary: string;
  txn: string | null;
}

/** A change the source of truth refuses (bad input, IPAM conflict): exit 2, nothing touched. */
export class Refusal extends Error {
  constructor(message: string, readonly hint: string | null = null) {
    super(hint ? `${message}; ${hint}` : message);
    this.name = 'Refusal';
  }
}

/** The source of truth could not be read or written (a broken file, Nautobot down): nothing was changed. */
export class SotError extends Error {
  constructor(message: string, readonly where: string | null = null) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'SotError';
  }
}

/** The one interface the runtime uses. */
export interface SourceOfTruth {
  readonly kind: 'file' | 'nautobot';
  /** Where it lives (a directory, a URL), for messages. */
  readonly location: string;
  sites(): Promise<Site[]>;
  /** Everything about one site; null when the site does not exist. */
  site(name: string): Promise<SiteView | null>;
  /**
   * Check a change against IPAM and the recorded peers; throws Refusal. Writes nothing.
   * `basis`: the view of the site this run has just read with site(); a backend may plan
   * against it instead of reading the site again (Nautobot does: one round trip less).
   */
  plan(change: Change, actor: Actor, basis?: SiteView): Promise<Plan>;
  /** Record a planned change as pending (the address reserved, the peer planned). */
  prepare(plan: Plan): Promise<void>;
  /** Make a prepared change current. Idempotent. */
  commit(plan: Plan): Promise<void>;
  /** Remove every trace of a prepared change, restoring `plan.before`. Idempotent. */
  abort(plan: Plan): Promise<void>;
  /** Append to the audit log. */
  record(entry: HistoryEntry): Promise<void>;
  /** The audit log, oldest first (optionally one site, the last `limit` entries). */
  history(filter?: { site?: string; limit?: number }): Promise<HistoryEntry[]>;
}
