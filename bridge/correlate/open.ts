/**
 * The correlator for `netops bridge`, on the source of truth the tasks use: the same settings
 * (NETOPS_SOT_BACKEND, NETOPS_SOT_DIR, NETOPS_STATE_DIR, NETOPS_CONFIG or the pack config's
 * sot_backend / sot_dir / state_dir, the Nautobot ones), read-only: the bridge never creates or
 * seeds the store.
 */
import { resolveOptions } from '../../runtime/options.js';
import { runningDir } from '../../runtime/running.js';
import { FileStore } from '../../sot/file/store.js';
import { openSot } from '../../sot/open.js';
import '../../sot/nautobot/register.js';
import { Correlator, type CorrelatorOptions } from './correlator.js';

/** Open (not start) the correlator on the configured source of truth; `repoRoot` supplies the lab's pack config from a checkout. */
export function openCorrelator(o: Pick<CorrelatorOptions, 'windowMs' | 'log' | 'pollMs'> & { packDir: string; repoRoot?: string }): Correlator {
  const opts = resolveOptions(o.packDir, {}, o.repoRoot);
  const sot = openSot({ ...opts.sot, seed: null });
  const historyFile = sot instanceof FileStore ? sot.historyFile : null;
  return new Correlator({ sot, historyFile, runningDir: runningDir(opts.stateDir), windowMs: o.windowMs, pollMs: o.pollMs, log: o.log });
}
