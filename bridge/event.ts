/**
 * The structured device event: napalm-logs' vocabulary and shape (error, os, host, ip,
 * timestamp, facility, severity, yang_model, yang_message, message_details), plus flat
 * fields for StackStorm rule criteria and a one-line summary for chat.
 *
 * This type is the single source of truth for the pack's `netops.device_event`
 * trigger `payload_schema` (the generator derives the schema from it).
 */
export interface DeviceEvent {
  /** Stable id of this event (hex digest of source ip, receipt time and raw text); a redelivery carries the same id. */
  id: string;
  /** napalm-logs error tag, e.g. BGP_NEIGHBOR_STATE_CHANGED; null when no profile matched. */
  error: string | null;
  /** Device OS the message was classified as (napalm-logs names: junos, eos, ios, iosxr, nxos, frr …); null if unknown. */
  os: string | null;
  /** Host name the device put in the message (or the sender ip when it gave none). */
  host: string | null;
  /** Address the message came from. */
  ip: string;
  /** Event time, Unix seconds (the device's time when the message carried a full date, else receipt time). */
  timestamp: number;
  /** Syslog facility number 0–23; null when the message had no PRI. */
  facility: number | null;
  /** Syslog severity 0 (emergency) – 7 (debug); null when the message had no PRI. */
  severity: number | null;
  /** YANG model of yang_message, e.g. openconfig-bgp; NO_MODEL when the profile has none; null when unmatched. */
  yang_model: string | null;
  /** OpenConfig-shaped document, as napalm-logs publishes it; null when unmatched. */
  yang_message: Record<string, unknown> | null;
  /** The parsed syslog header and the values the profile extracted (napalm-logs' message_details). */
  message_details: Record<string, unknown>;
  /** Site of the router, from the inventory; null when the router is not in it. */
  site: string | null;
  /** Router name (inventory name when known, else host). */
  router: string | null;
  /** BGP neighbor address for BGP events, else null. */
  peer: string | null;
  /** Interface name for interface events, else null. */
  interface: string | null;
  /** New state in plain words for state changes (e.g. Established, Idle, up, down), else null. */
  state: string | null;
  /** How urgently a person should look: critical, warning or info. */
  level: 'critical' | 'warning' | 'info';
  /** One line a person reads at a glance in chat. */
  summary: string;
  /** The raw message as received (trimmed of framing), for forwarding unknown messages. */
  raw: string;
  /** Event time for people: ISO 8601 UTC, e.g. 2026-11-24T22:51:03Z. */
  time?: string;
  /** Who did it, for configuration and login events (device user name), else null. */
  user?: string | null;
  /** On a recovery (session Established again, interface up): the id of the failure event it pairs with. */
  recovers?: string | null;
  /** On a recovery: seconds since the failure it pairs with. */
  down_seconds?: number | null;
  /** On a flap summary: how many transitions were held back in the window. */
  flaps?: number | null;
  /**
   * Whether the sender's address is a known router's (the inventory's address → router mapping):
   * true (site and router come from it); false (unknown address: host and router are only what
   * the message claims, site is null); null when the bridge has no inventory to check against.
   */
  verified?: boolean | null;
  /**
   * The last change netops made on this router within the correlation window (from the audit
   * log; one touching the event's peer or interface preferred), null when there was none; absent
   * when the bridge does not correlate (bridge/correlate/, docs/correlation.md).
   */
  last_change?: LastChange | null;
}

/** A change from the audit log that may explain an event (`DeviceEvent.last_change`). */
export interface LastChange {
  /** Who asked for it: the chat user, or the OS user of a terminal run. */
  who: string;
  /** Where it was asked: chat or terminal. */
  via: 'chat' | 'terminal';
  /** The chat channel it was typed in; null from a terminal. */
  channel: string | null;
  /** The netops task, e.g. add_peer. */
  task: string;
  /** What it did, with its key parameters, e.g. "added peer 10.0.0.1 AS65100" (" (failed)" when it did not finish). */
  summary: string;
  /** How the run ended (changed, partial, failed, timeout, stopped). */
  status: string;
  /** When it was recorded, ISO 8601 UTC. */
  at: string;
  /** Seconds from the change to the event. */
  ago_s: number;
  /** The same for people, e.g. "12 min", "45 s", "1 h 5 min". */
  ago: string;
  /** Whether the change named the event's peer or interface (false: only the same router). */
  touches: boolean;
  /** The audit log entry (show history). */
  id: string;
}

/**
 * The JSON text of an object given as `json` (JSON.stringify's) with `key` added, as
 * JSON.stringify would write it after `obj[key] = value` for a key the object did not have
 * (a new key comes last): the main thread adds `last_change` to the processor's text this way
 * instead of serialising the whole event again.
 */
export function jsonWithKey(json: string, key: string, value: unknown): string {
  const v = JSON.stringify(value);
  if (v === undefined) return json;
  return json === '{}' ? `{${JSON.stringify(key)}:${v}}` : `${json.slice(0, -1)},${JSON.stringify(key)}:${v}}`;
}
