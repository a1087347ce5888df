/** The spool directory's small files: the lock (pid of the owner) and the cursor (`{"next":N}`, written atomically). */
import { promises as fsp, constants as fsc } from 'node:fs';
import { join } from 'node:path';

/** Take the directory's lock, replacing a stale one (its process is gone); throws when a live process holds it. */
export async function lockDir(dir: string): Promise<void> {
  const path = join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fsp.open(path, fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await fsp.readFile(path, 'utf8').catch(() => '')).trim());
      if (pid > 0 && pid !== process.pid && alive(pid)) throw new Error(`spool ${dir} is in use by process ${pid}`);
      await fsp.rm(path, { force: true });
    }
  }
  throw new Error(`cannot lock spool ${dir}`);
}

/** Release the directory's lock. */
export async function unlockDir(dir: string): Promise<void> {
  await fsp.rm(join(dir, 'lock'), { force: true });
}

/** The cursor (first seq not finished), 0 when absent; `onBad` hears about an unreadable file. */
export async function readCursor(dir: string, onBad: () => void): Promise<number> {
  const text = await fsp.readFile(join(dir, 'cursor.json'), 'utf8').catch(() => null);
  await fsp.rm(join(dir, 'cursor.json.tmp'), { force: true });
  if (text === null) return 0;
  try {
    const n = (JSON.parse(text) as { next?: unknown }).next;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) return n;
  } catch {
    // fall through
  }
  onBad();
  return 0;
}

/** Write the cursor atomically: temp file, fsync, rename, fsync of the directory. */
export async function writeCursorFile(dir: string, next: number, fsync: boolean): Promise<void> {
  const path = join(dir, 'cursor.json');
  await writeAtomic(path, `${JSON.stringify({ next })}\n`, fsync);
  if (fsync) await syncDir(dir);
}

/** Write a file through a temp file and a rename (fsynced when asked). */
export async function writeAtomic(path: string, text: string, fsync: boolean): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(text);
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path);
}

/** fsync a directory (ignored where the file system refuses). */
export async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on directories.
  } finally {
    await fh.close();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
