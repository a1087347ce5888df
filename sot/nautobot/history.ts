/**
 * The audit log in Nautobot itself: each HistoryEntry is a Note whose text is
 * `netops-history <JSON>`, attached to the site's Location (or, for an entry without a site, to
 * the LocationType "Site"). Notes are append-only from netops' side and change-logged by
 * Nautobot; reading filters on the prefix (note__isw) and sorts oldest first.
 */
import { SotError, type HistoryEntry } from '../types.js';
import type { NautobotClient } from './client.js';
import { CT } from './notes.js';

/** Text every history Note starts with. */
export const HISTORY_MARK = 'netops-history ';

interface NoteRow { id: string; note: string; assigned_object_id: string }

async function anchor(client: NautobotClient, site: string | null): Promise<{ type: string; id: string }> {
  if (site) {
    const r = await client.get<{ results: Array<{ id: string }> }>('dcim/locations/', { name: site });
    if (r.results[0]) return { type: CT.location, id: r.results[0].id };
  }
  const t = await client.get<{ results: Array<{ id: string }> }>('dcim/location-types/', { name: 'Site' });
  if (!t.results[0]) throw new SotError('no LocationType "Site" in Nautobot to hold the history', client.url);
  return { type: CT.locationType, id: t.results[0].id };
}

/** Append one entry. */
export async function recordEntry(client: NautobotClient, entry: HistoryEntry): Promise<void> {
  const a = await anchor(client, entry.site);
  await client.post('extras/notes/', { assigned_object_type: a.type, assigned_object_id: a.id, note: HISTORY_MARK + JSON.stringify(entry) });
}

/** The entries, oldest first (optionally one site, the last `limit`). */
export async function readHistory(client: NautobotClient, filter: { site?: string; limit?: number } = {}): Promise<HistoryEntry[]> {
  const rows = await client.list<NoteRow>('extras/notes/', { note__isw: HISTORY_MARK.trim() });
  const entries: HistoryEntry[] = [];
  for (const r of rows) {
    if (!r.note.startsWith(HISTORY_MARK)) continue;
    try {
      entries.push(JSON.parse(r.note.slice(HISTORY_MARK.length)) as HistoryEntry);
    } catch {
      /* a hand-written note that merely starts with the mark */
    }
  }
  const picked = filter.site ? entries.filter((e) => e.site === filter.site) : entries;
  picked.sort((a, b) => (a.at === b.at ? a.id.localeCompare(b.id) : a.at.localeCompare(b.at)));
  return filter.limit !== undefined ? picked.slice(Math.max(0, picked.length - filter.limit)) : picked;
}
