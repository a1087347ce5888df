/**
 * The change-log message of every write. Nautobot 2.x/3.x records an ObjectChange for each REST
 * write (user = the API token's user, plus a request id) but has no field for a free-text reason,
 * so netops attaches a Note (POST /api/extras/notes/, itself change-logged) to each object it
 * writes, naming the chat user, channel, command and transaction. Deletions are noted on the
 * Location, since a deleted object's notes go with it.
 */
import type { Actor } from '../types.js';
import type { NautobotClient } from './client.js';

/** Content types of the objects netops writes. */
export const CT = {
  ip: 'ipam.ipaddress',
  peering: 'nautobot_bgp_models.peering',
  location: 'dcim.location',
  locationType: 'dcim.locationtype',
} as const;

/** The one-line change message: `netops <phase> txn <id>: <user> (chat #chan): <command>`. */
export function changeMessage(actor: Actor, txn: string, phase: string, what: string): string {
  const where = actor.via === 'chat' ? `chat ${actor.channel ?? '(no channel)'}` : 'terminal';
  return `netops ${phase} txn ${txn}: ${what}; by ${actor.user} via ${where}; command: ${actor.command}`;
}

/** Attach the message to each object (one bulk request; nothing when the list is empty). */
export async function noteAll(client: NautobotClient, objects: Array<{ type: string; id: string }>, message: string): Promise<void> {
  if (!objects.length) return;
  await client.post('extras/notes/', objects.map((o) => ({ assigned_object_type: o.type, assigned_object_id: o.id, note: message })));
}
