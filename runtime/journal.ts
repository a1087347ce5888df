/**
 * The change journal: one file per transaction in progress (<state>/journal/<site>/<txn>.json),
 * written before the source of truth or any router is touched and removed only once the
 * change is committed or fully rolled back. A journal left behind (kill -9, a StackStorm
 * timeout, a router unreachable during rollback) is what `netops recover` and the next
 * change at that site finish.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../sot/types.js';
import { writeAtomic } from '../sot/file/yaml-file.js';

/** Where a transaction is. */
export type Phase = 'prepared' | 'pushing' | 'rolling-back' | 'completing';

/** One journal file. */
export interface JournalEntry {
  txn: string;
  task: string;
  site: string;
  phase: Phase;
  plan: Plan;
  /** Routers the push targets. */
  routers: string[];
  /** Routers that may carry the change (filled when a rollback starts). */
  applied: string[];
  /** The task's parameters without secrets (a recovery re-runs or undoes with them). */
  params: Record<string, unknown>;
  /** The netops process and run that own it (runtime/locks.ts holderAlive). */
  pid: number;
  start: number | null;
  run: string;
  user: string;
  since: string;
  /** Last problem met (why a rollback did not finish). */
  problem: string | null;
}

const siteDir = (stateDir: string, site: string) => join(stateDir, 'journal', site);

/** Write (or replace) a journal entry atomically. */
export function writeJournal(stateDir: string, e: JournalEntry): void {
  const d = siteDir(stateDir, e.site);
  mkdirSync(d, { recursive: true, mode: 0o750 });
  writeAtomic(join(d, `${e.txn}.json`), JSON.stringify(e, null, 2) + '\n', 0o640);
}

/** Remove a finished transaction's journal. */
export function clearJournal(stateDir: string, site: string, txn: string): void {
  rmSync(join(siteDir(stateDir, site), `${txn}.json`), { force: true });
}

/** Journal entries of a site (all sites when null), oldest first. A file that does not parse is an error naming it. */
export function readJournal(stateDir: string, site: string | null): JournalEntry[] {
  const root = join(stateDir, 'journal');
  let sites: string[];
  try { sites = site ? [site] : readdirSync(root).sort(); } catch { return []; }
  const out: JournalEntry[] = [];
  for (const s of sites) {
    let names: string[];
    try { names = readdirSync(siteDir(stateDir, s)).filter((n) => n.endsWith('.json')).sort(); } catch { continue; }
    for (const n of names) {
      const p = join(siteDir(stateDir, s), n);
      try { out.push(JSON.parse(readFileSync(p, 'utf8')) as JournalEntry); } catch (e) {
        throw new Error(`${p}: journal entry does not parse (${(e as Error).message}); inspect it, then remove it by hand`);
      }
    }
  }
  return out;
}
