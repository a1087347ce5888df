/**
 * The changes in progress the runtime announces (runtime/running.ts: `<state>/running/<id>.json`,
 * removed when the run ends): each scan returns the markers that appeared since the last one
 * and the ids of those that went away. A directory that does not exist holds none.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryEntry } from '../../sot/types.js';

export class RunningDir {
  /** Marker file name → change id. */
  private known = new Map<string, string>();

  constructor(readonly dir: string) {}

  async scan(): Promise<{ added: HistoryEntry[]; gone: string[] }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      names = [];
    }
    const present = new Map<string, string>();
    const added: HistoryEntry[] = [];
    for (const n of names) {
      const id = this.known.get(n);
      if (id !== undefined) { present.set(n, id); continue; }
      try {
        const e = JSON.parse(await readFile(join(this.dir, n), 'utf8')) as HistoryEntry;
        if (e && typeof e.id === 'string') { added.push(e); present.set(n, e.id); }
      } catch { /* gone meanwhile, or not ours: looked at again next scan */ }
    }
    const gone = [...this.known].filter(([n]) => !present.has(n)).map(([, id]) => id);
    this.known = present;
    return { added, gone };
  }
}
