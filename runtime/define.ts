/**
 * The authoring API of task, alias and rule files. The generator reads these calls
 * statically (ts-morph); the runtime imports the same objects to run tasks.
 */
import type { Change, SiteView, SourceOfTruth } from '../sot/types.js';

/** A whole number. Use it instead of `number` where a parameter must be an integer. */
export type Integer = number;
/** A string StackStorm must hide (stored encrypted, masked in the UI and in chat). */
export type Secret = string;

/** What a task does to the network: `read` never changes a device, `change` does. */
export type Risk = 'read' | 'change';

/** A router as a task's hooks see it (from the source of truth). */
export interface TaskHost {
  name: string;
  site: string;
  /** netops platform (frr, eos, junos, ios, iosxr, nxos). */
  platform: string;
  /** Management address. */
  address: string;
  localAs: number;
  /** Interface that carries management (tasks must never touch it); null: unknown. */
  mgmtInterface: string | null;
  interfaces: string[] | null;
  /** Addresses of the router itself (never valid as a neighbor). */
  ownAddresses: string[];
}

/** Context a task's hooks receive from the runtime. */
export interface TaskContext {
  /** Routers the task targets (the site's edge routers in the source of truth). */
  hosts: TaskHost[];
  /** What the source of truth holds for the site. */
  site: SiteView;
  /** True when the run only shows what would change. */
  dryRun: boolean;
}

/** Per-host outcome the runtime hands to a task's `summarize`. */
export interface HostOutcome {
  host: string;
  status: 'ok' | 'changed' | 'failed' | 'unreachable';
  /** The playbook's `netops result` dict for that host (empty when it failed early). */
  data: Record<string, unknown>;
  /** Config lines sent (or, in dry-run, that would be sent). */
  commands: string[];
  diff: string;
  message: string;
  /** True when nothing was changed on purpose (--dry-run: check + diff mode); `changed` then means "would change". */
  dryRun: boolean;
  /** Something the operator must know although the change went through (e.g. the session is not up). */
  warning?: string;
  /** Set when a failed or stopped change was rolled back on this router (what the rollback did). */
  rolledBack?: string;
}

/** What a read-only task that needs no router returns. */
export interface ReadResult { summary: string; data: Record<string, unknown> }

/** A task: metadata the generator reads statically plus hooks the runtime calls. */
export interface TaskDefinition<P> {
  /** One sentence for the StackStorm UI and chat help. */
  description: string;
  /** `change` tasks take the per-router lock and support --dry-run (check + diff mode). */
  risk: Risk;
  /** Playbook file in playbooks/ that does the work; null for a task that only reads the source of truth (`read`). */
  playbook: string | null;
  /** Seconds before the runtime stops the run (StackStorm's timeout is derived from it, runtime/limits.ts). */
  timeout: number;
  /** Parameter that names the site whose routers are targeted (default `in`). */
  siteParam?: keyof P & string;
  /** Checks against the source of truth before anything is touched; return an error text to refuse (exit 2). */
  precheck?: (params: P, ctx: TaskContext) => string | null;
  /** The source-of-truth change this run makes (planned, recorded pending, pushed, then committed or aborted). */
  change?: (params: P, ctx: TaskContext) => Change | null;
  /** How to put the routers back when the push fails or is stopped: the task to run and its parameters. */
  undo?: { task: string; params: (params: P, ctx: TaskContext) => Record<string, unknown> };
  /** A task with no playbook: answer from the source of truth (and, through `ctx`, the routers' recorded data). */
  read?: (params: P, ctx: TaskContext & { sot: SourceOfTruth }) => Promise<ReadResult>;
  /** Extra variables for the playbook, from the source of truth (e.g. the peers a router should have). */
  vars?: (params: P, ctx: TaskContext) => Record<string, unknown>;
  /** Combine the routers' outcomes with the source of truth (e.g. drift); its summary replaces the per-host lines. */
  report?: (params: P, ctx: TaskContext, outcomes: HostOutcome[]) => ReadResult | null;
  /** One line per host for chat; may set `outcome.warning`. */
  summarize?: (params: P, outcome: HostOutcome) => string;
}

/** Declare a task. `P` (an interface in the same file) is the single source of its parameters. */
export function defineTask<P>(definition: TaskDefinition<P>): TaskDefinition<P> {
  return definition;
}

/** One chat grammar form. */
export interface AliasFormat<P> {
  /** Text matched the way StackStorm does: `{{ name }}` placeholders, `{{ name=default }}` optional ones. */
  text: string;
  /** Parameters typed as trailing `key=value` pairs after the text (e.g. `add peer in=bma ip=…`). */
  keys?: (keyof P & string)[];
}

/** The chat grammar of a task. */
export interface AliasDefinition<P> {
  /** Help text shown by `!help`. */
  description: string;
  /** Where `help` lists the command, e.g. 'BGP peers' (default: 'Other'). */
  area?: string;
  formats: (AliasFormat<P> | string)[];
  /**
   * What the command is doing, for the acknowledgement and for failures, with `{{ name }}` for
   * parameters like the formats: 'adding peer {{ ip }} AS{{ as }} at {{ in }}'. The generator
   * builds the Slack ack and result formats around it (generator/emit/chat-formats.ts).
   */
  ack?: string;
  /** What the command did, for the result: 'added peer {{ ip }} AS{{ as }} at {{ in }}'. */
  result?: string;
  /** Answer in a thread (Slack `extra.slack.thread_response`): for long read-only output that would flood the channel. */
  threadResponse?: boolean;
}

/** Declare the chat grammar of the task of the same file name. */
export function defineAlias<P>(definition: AliasDefinition<P>): AliasDefinition<P> {
  return definition;
}

/** StackStorm's rule criteria operators (st2common/operators.py). */
export type Operator =
  | 'equals' | 'nequals' | 'iequals' | 'contains' | 'icontains' | 'ncontains' | 'incontains'
  | 'startswith' | 'istartswith' | 'endswith' | 'iendswith' | 'lessthan' | 'greaterthan'
  | 'matchwildcard' | 'regex' | 'iregex' | 'timediff_lt' | 'timediff_gt' | 'exists' | 'nexists'
  | 'inside' | 'ninside' | 'search';

/** Names of the flat fields of a device event that rules may test. */
export type EventField = keyof import('../bridge/event.js').DeviceEvent;

/** A reaction to device events: criteria on the event, and a chat message. */
export interface RuleDefinition {
  description: string;
  /** Every criterion must hold: field → [operator, pattern]. */
  when: Partial<Record<EventField, [Operator, string | number | boolean | string[]]>>;
  /** Message posted to the pack's chat channel (Jinja; `trigger.<field>` is the event). */
  post: string;
}

/** Declare a rule (rules/<name>.ts → pack/rules/<name>.yaml). */
export function defineRule(definition: RuleDefinition): RuleDefinition {
  return definition;
}
