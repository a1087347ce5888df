/**
 * The authoring API of task, alias and rule files. The generator reads these calls
 * statically (ts-morph); the runtime imports the same objects to run tasks.
 */

/** A whole number. Use it instead of `number` where a parameter must be an integer. */
export type Integer = number;
/** A string StackStorm must hide (stored encrypted, masked in the UI and in chat). */
export type Secret = string;

/** What a task does to the network: `read` never changes a device, `change` does. */
export type Risk = 'read' | 'change';

/** Context a task's hooks receive from the runtime. */
export interface TaskContext {
  /** Routers the task targets (resolved from the inventory). */
  hosts: { name: string; site: string; platform: string | null; interfaces: string[] | null }[];
  /** Per-host records kept by netops in the inventory state (e.g. configured peers). */
  state: (host: string) => Record<string, unknown>;
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
}

/** A task: metadata the generator reads statically plus hooks the runtime calls. */
export interface TaskDefinition<P> {
  /** One sentence for the StackStorm UI and chat help. */
  description: string;
  /** `change` tasks take the per-router lock and support --dry-run (check + diff mode). */
  risk: Risk;
  /** Playbook file in playbooks/ that does the work. */
  playbook: string;
  /** Seconds before StackStorm and the runtime stop the run. */
  timeout: number;
  /** Parameter that names the site whose routers are targeted (default `in`). */
  siteParam?: keyof P & string;
  /** Checks against the inventory before any device is touched; return an error text to refuse. */
  precheck?: (params: P, ctx: TaskContext) => string | null;
  /** After a successful change: update the inventory state of each changed host. */
  record?: (params: P, state: Record<string, unknown>, outcome: HostOutcome) => Record<string, unknown>;
  /** One line per host for chat. */
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
