/**
 * Opening the configured source of truth: the embedded file store (default) or Nautobot.
 * From a checkout, a file store that does not exist yet starts as a copy of the lab's
 * (lab/sot/), so the lab works out of the box without touching the checkout.
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileStore, type StoreSettings } from './file/store.js';
import { STORE_SCHEMA } from './file/schema.js';
import { readYamlData } from './file/yaml-file.js';
import { SotError, type SourceOfTruth } from './types.js';

/** Settings of the source of truth (runtime/options.ts resolves them). */
export interface SotOptions {
  backend: 'file' | 'nautobot';
  /** File store directory. */
  dir: string;
  /** Copied to `dir` when `dir` does not exist (the lab's store, from a checkout); null: none. */
  seed: string | null;
  /** Where the store's short write locks live. */
  lockDir: string;
  lockWait: number;
  /** Where the file store caches validated site data as JSON (optional; in-process only without it). */
  cacheDir?: string | null;
  nautobotUrl: string | null;
  nautobotTokenFile: string | null;
  /** A YAML file whose `ansible:` map holds the routers' connection vars (any backend; the file store's own netops.yml otherwise). */
  connectionFile?: string | null;
}

/** The backends other than the file store register here (sot/nautobot/ does). */
export const backends: Partial<Record<SotOptions['backend'], (o: SotOptions) => SourceOfTruth>> = {};

/** Open the source of truth. */
export function openSot(o: SotOptions): SourceOfTruth {
  if (o.backend === 'file') {
    if (!existsSync(o.dir) && o.seed && existsSync(o.seed)) {
      mkdirSync(dirname(o.dir), { recursive: true });
      cpSync(o.seed, o.dir, { recursive: true });
    }
    return new FileStore(o.dir, { lockDir: o.lockDir, lockWait: o.lockWait, cacheDir: o.cacheDir ?? null });
  }
  const make = backends[o.backend];
  if (!make) throw new SotError(`source-of-truth backend '${o.backend}' is not available in this build`, 'sot_backend');
  return make(o);
}

/** Ansible connection vars for the derived inventory: the connection file's, else the file store's netops.yml `ansible:`. */
export function connectionVars(sot: SourceOfTruth, o?: Pick<SotOptions, 'connectionFile'>): Record<string, unknown> {
  if (o?.connectionFile) return readYamlData<StoreSettings>(o.connectionFile, STORE_SCHEMA).data.ansible ?? {};
  if (sot instanceof FileStore) return sot.settings().ansible ?? {};
  return {};
}

