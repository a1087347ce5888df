/**
 * Time budgets shared by the runtime and the generator, so that netops' own deadlines fire
 * before StackStorm's: the action's st2 `timeout` is the task's timeout plus the lock wait,
 * the rollback budget and a margin. StackStorm then never stops a change mid-push in the
 * normal case; netops stops Ansible itself, rolls back and prints the result.
 */

/** Default seconds a change waits for another run's lock on the same router (NETOPS_LOCK_WAIT). */
export const LOCK_WAIT_SECONDS = 30;
/** Seconds allowed for rolling a failed or stopped change back on the routers. */
export const ROLLBACK_SECONDS = 90;
/** Seconds for everything else (start-up, source of truth, the result). */
export const MARGIN_SECONDS = 20;

/** The st2 action timeout of a task. */
export function st2Timeout(taskTimeout: number, risk: 'read' | 'change'): number {
  return taskTimeout + MARGIN_SECONDS + (risk === 'change' ? LOCK_WAIT_SECONDS + ROLLBACK_SECONDS : 0);
}
