/**
 * Changes in progress, for observers: `<state>/running/<id>.json` holds the audit entry a change
 * run will write (status `running`, the routers it pushes to), written before any router is
 * touched and removed once the run has ended. The bridge reads it so an event the push itself
 * causes (a session down during `remove peer`, a link down during `set interface`) names that
 * change although its audit entry is not written yet. Best effort: never fails a run.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEntry } from '../sot/types.js';

/** A change in progress: its audit entry to be, and the routers it touches. */
export type RunningChange = HistoryEntry & { routers: string[] };

/** The directory of the markers. */
export const runningDir = (stateDir: string): string => join(stateDir, 'running');

const markerPath = (stateDir: string, id: string): string => join(runningDir(stateDir), `${id.replace(/[^\w.-]/g, '_')}.json`);

/** Remove the marker a run killed before its end left behind (recovery calls this). */
export function clearRunning(stateDir: string, id: string): void {
  try { rmSync(markerPath(stateDir, id), { force: true }); } catch { /* best effort, like the marker itself */ }
}

/** Write the marker; returns the function that removes it. */
export function markRunning(stateDir: string, c: RunningChange): () => void {
  const p = markerPath(stateDir, c.id);
  try {
    mkdirSync(runningDir(stateDir), { recursive: true, mode: 0o755 });
    // Replaced atomically (a reader never sees half of it); not fsynced: it only matters while the run lives.
    writeFileSync(`${p}.${process.pid}.tmp`, JSON.stringify(c), { mode: 0o644 });
    renameSync(`${p}.${process.pid}.tmp`, p);
  } catch { return () => undefined; }
  return () => rmSync(p, { force: true });
}
