/** The generator's model: what analysis extracts from actions/, aliases/ and rules/, and emitters read. */
import type { Location } from './diagnostics.js';

export type ScalarType = 'string' | 'integer' | 'number' | 'boolean';

/** One task parameter, typed as StackStorm can carry it. */
export interface ParamModel {
  name: string;
  type: ScalarType | 'array';
  /** Item schema of an array parameter. */
  items?: { type: ScalarType; enum?: string[]; pattern?: string };
  enum?: string[];
  /** JSON-schema format named in JSDoc (ipv4, ipv6, cidr …); emitted to st2 as an equivalent `pattern`. */
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  required: boolean;
  secret: boolean;
  description: string;
  /** An example value as a person would type it in chat. */
  example?: string;
  at: Location;
}

/** One task (actions/<verb>.ts). */
export interface TaskModel {
  /** kebab-case verb = file name, e.g. add-peer. */
  verb: string;
  /** st2 name, snake_case, e.g. add_peer. */
  name: string;
  file: string;
  description: string;
  risk: 'read' | 'change';
  /** Playbook in playbooks/, or null for a task that only reads the source of truth. */
  playbook: string | null;
  timeout: number;
  siteParam: string;
  params: ParamModel[];
  at: Location;
}

/** One chat form of an alias. */
export interface FormatModel {
  text: string;
  keys: string[];
  at: Location;
}

/** One alias (aliases/<verb>.ts). */
export interface AliasModel {
  verb: string;
  name: string;
  file: string;
  description: string;
  /** Help group, e.g. 'BGP peers'. */
  area: string;
  formats: FormatModel[];
  ack?: string;
  result?: string;
  threadResponse: boolean;
  at: Location;
}

/** One criterion of a rule: trigger field, st2 operator, pattern. */
export interface CriterionModel {
  field: string;
  op: string;
  pattern: string | number | boolean | string[];
}

/** One rule (rules/<name>.ts). */
export interface RuleModel {
  name: string;
  file: string;
  description: string;
  criteria: CriterionModel[];
  /** Chat message (Jinja over `trigger`). */
  message: string;
  at: Location;
}

/** Everything the emitters need. */
export interface PackModel {
  tasks: TaskModel[];
  aliases: AliasModel[];
  rules: RuleModel[];
  /** JSON schema of the device event payload (from bridge/event.ts). */
  eventSchema: Record<string, unknown> | null;
}
