/**
 * Who sent an event. Syslog headers are unauthenticated: the host name in a message is a claim.
 * The sender's address, looked up in the address → router mapping of the source of truth (today
 * the Ansible inventory), decides the router and the site; the claimed name decides nothing.
 * A trusted relay (a syslog forwarder that only forwards its own network's routers, such as the
 * lab's) hides the routers' addresses; messages from it are identified by the name they carry.
 * Pure: the mapping is passed in, so its source can change.
 */
import { isIP } from 'node:net';
import type { DeviceEvent } from './event.js';

/** A router as the source of truth knows it. */
export interface Sender {
  router: string;
  site: string;
}

/** Sender address → router. */
export type Senders = Map<string, Sender>;

/** What verification decided for one event. */
export type Verdict =
  /** The address is a known router's: router and site come from it. */
  | 'verified'
  /** Unknown address, claiming the name of a known router (a forgery, or an inventory out of date). */
  | 'impersonation'
  /** Unknown address, unknown name. */
  | 'unknown';

/** Lower-case full names and short names (before the first dot) of the known routers. */
function knownNames(senders: Senders): Map<string, Sender> {
  const names = new Map<string, Sender>();
  for (const s of senders.values()) {
    const full = s.router.toLowerCase();
    names.set(full, s);
    const short = full.split('.')[0]!;
    if (!names.has(short)) names.set(short, s);
  }
  return names;
}

/** A verifier over one mapping (build it again when the mapping changes); `relays`: trusted relay addresses. */
export function senderVerifier(senders: Senders, relays: ReadonlySet<string> = new Set()): (ev: DeviceEvent) => Verdict {
  const names = knownNames(senders);
  const byName = (claimed: string): Sender | undefined => (claimed && !isIP(claimed) ? names.get(claimed) ?? names.get(claimed.split('.')[0]!) : undefined);
  return (ev) => {
    const claimed = ev.host?.toLowerCase() ?? '';
    const s = senders.get(ev.ip) ?? (relays.has(ev.ip) ? byName(claimed) : undefined);
    if (s) {
      const shown = ev.router ?? ev.host ?? '';
      ev.site = s.site;
      ev.router = s.router;
      ev.verified = true;
      ev.summary = withName(ev.summary, shown, s.router);
      return 'verified';
    }
    ev.verified = false;
    ev.site = null;
    const known = byName(claimed);
    if (known) {
      ev.summary = withName(ev.summary, ev.router ?? ev.host ?? '', `${ev.ip} (unverified, claims ${known.router})`);
      return 'impersonation';
    }
    return 'unknown';
  };
}

/** The summary with the leading "name:" replaced by `name` (or prefixed with it). */
export function withName(summary: string, shown: string, name: string): string {
  if (shown === name) return summary;
  if (shown && summary.startsWith(`${shown}:`)) return `${name}${summary.slice(shown.length)}`;
  return `${name}: ${summary}`;
}
