/**
 * Where the CLI writes: results and help to stdout, problems to stderr. A reader that goes
 * away (`netops tasks | head`) ends the output quietly instead of crashing on EPIPE.
 */

/** Line writers of the CLI. */
export interface Io { out: (s: string) => void; err: (s: string) => void }

let closed = false;

/** Stop on a closed stdout: nothing more can be shown, and the reader has what it wanted. */
export function guardStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true;
    // exit as a pipeline member that was told to stop: the output so far was delivered
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

/** The process's own writers. */
export const io: Io = {
  out: (s) => { if (!closed) process.stdout.write(s + '\n'); },
  err: (s) => { process.stderr.write(s + '\n'); },
};
