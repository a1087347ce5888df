/**
 * A task's flags from its action metadata: which parameters a terminal user types, and how.
 * Apart from task-help.ts, which loads only for --help.
 */
import type { ActionMeta } from '../../runtime/run.js';
import type { St2Param } from '../../runtime/params.js';

/** The flag of a parameter (`peer_as` → `--peer-as`; `--peer_as` works too). */
export const flagOf = (name: string): string => `--${name.replace(/_/g, '-')}`;

/** The parameters a terminal user gives as flags: `typeable` (runtime/params.ts typeableParams) without dry_run. */
export function flagParams(meta: ActionMeta, typeable: string[]): [string, St2Param][] {
  return typeable.filter((n) => n !== 'dry_run').map((n) => [n, meta.parameters[n]!]);
}
