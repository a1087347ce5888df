/**
 * Where the CLI writes: results and help to stdout, problems to stderr. A reader that goes
 * away (`netops tasks | head`) ends the output quietly instead of crashing on EPIPE.
 *
 * The CLI's own lines go to the file descriptors directly (one write call per line, however
 * long): `process.stdout` on a pipe is a net.Socket, and creating it loads net and all of
 * Node's streams, ≈ 30 modules, on every start (docs/sot.md). Once a command (or the runtime)
 * has touched `process.stdout`/`process.stderr`, its lines go through that stream, so output
 * stays in order; so do they in a process that did not call guardStdout (tests, embedders).
 */
import { createRequire } from 'node:module';

const { writeSync } = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');

/** Line writers of the CLI. */
export interface Io { out: (s: string) => void; err: (s: string) => void }

let closed = false;
/** Whether process.stdout / process.stderr exist yet (created on first use, watched by guardStdout); until guardStdout runs (the CLI's process), as if they did. */
const made = { stdout: true, stderr: true };

/** A closed stdout: nothing more can be shown, and the reader has what it wanted. */
function stop(): never {
  closed = true;
  // exit as a pipeline member that was told to stop: the output so far was delivered
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
}

const onError = (name: 'stdout' | 'stderr') => (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  if (name === 'stdout') stop();
};

/**
 * Stop on a closed stdout (and ignore a closed stderr), for the streams too: each gets its
 * handler when something first uses it, so a run that never does, never creates them.
 */
export function guardStdout(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const d = Object.getOwnPropertyDescriptor(process, name);
    const get = d?.get;
    if (!get || !d.configurable) { process[name].on('error', onError(name)); continue; }
    made[name] = false;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: d.enumerable ?? true,
      get() {
        const s = get.call(process) as NodeJS.WriteStream;
        Object.defineProperty(process, name, { configurable: true, enumerable: d.enumerable ?? true, get: () => s });
        made[name] = true;
        s.on('error', onError(name));
        return s;
      },
    });
  }
}

/** Write all of `s` to fd 1 or 2 (or its stream, once there is one). */
function put(name: 'stdout' | 'stderr', s: string): void {
  if (made[name]) { process[name].write(s); return; }
  const b = Buffer.from(s, 'utf8');
  let at = 0;
  try {
    while (at < b.length) at += writeSync(name === 'stdout' ? 1 : 2, b, at);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // a non-blocking descriptor that is full: the stream waits for it
    if (code === 'EAGAIN') { process[name].write(b.subarray(at)); return; }
    if (code !== 'EPIPE') throw e;
    if (name === 'stdout') stop();
  }
}

/** The process's own writers. */
export const io: Io = {
  out: (s) => { if (!closed) put('stdout', s + '\n'); },
  err: (s) => { put('stderr', s + '\n'); },
};
