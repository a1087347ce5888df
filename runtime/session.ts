/**
 * One task run as a process: SIGTERM (StackStorm's timeout or cancel, sent to the entry's
 * process session), SIGINT and SIGHUP abort the run instead of killing netops, so the run
 * stops Ansible itself, rolls back, releases its locks and still prints its result document.
 * A second signal while the rollback runs is ignored (the rollback is bounded, runtime/limits.ts).
 */

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** Run `fn` with an AbortSignal that the stop signals abort. */
export async function withStopSignals<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!ac.signal.aborted) {
      process.stderr.write(`netops: ${sig} received: stopping Ansible, rolling back, then reporting\n`);
      ac.abort(sig);
    }
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  try {
    return await fn(ac.signal);
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}
