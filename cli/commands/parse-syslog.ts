/**
 * `netops parse-syslog`: raw syslog messages on stdin, one per line → one JSON DeviceEvent per
 * line on stdout. Unrecognised messages are printed too (error: null).
 */
import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Classifier, ProfileError } from '../../bridge/parse.js';

/** Streams the command reads and writes (tests pass their own). */
export interface ParseSyslogIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `usage: netops parse-syslog [--json] [--pretty] [--ip ADDR] [--stats] [--profiles DIR]
  Reads raw syslog messages, one per line, on stdin; prints one JSON event per line.
  --json          compact JSON, one event per line (the default)
  --pretty        indented JSON instead (events separated by a blank line)
  --ip ADDR       the address the messages came from (default 127.0.0.1)
  --stats         print counts per OS and error to stderr at the end
  --profiles DIR  device profiles to use (default: the repository's profiles/)`;

interface Options {
  pretty: boolean;
  ip: string;
  stats: boolean;
  profiles?: string;
}

function parseArgs(argv: string[]): Options | string {
  const o: Options = { pretty: false, ip: '127.0.0.1', stats: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '--json': break;
      case '--pretty': o.pretty = true; break;
      case '--stats': o.stats = true; break;
      case '--ip': {
        const v = value();
        if (!v) return '--ip needs an address, e.g. --ip 10.0.0.1';
        o.ip = v;
        break;
      }
      case '--profiles': {
        const v = value();
        if (!v) return '--profiles needs a directory';
        o.profiles = v;
        break;
      }
      case '-h': case '--help': return '';
      default: return `unknown argument "${a}"`;
    }
  }
  return o;
}

function write(out: NodeJS.WritableStream, s: string): Promise<void> | null {
  return out.write(s) ? null : new Promise((resolve) => out.once('drain', () => resolve()));
}

/** Run the command; resolves to the exit code (0 ok, 1 profiles broken, 2 bad usage). */
export default async function parseSyslogCommand(
  argv: string[],
  io: ParseSyslogIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const opts = parseArgs(argv);
  if (typeof opts === 'string') {
    io.stderr.write(opts === '' ? `${USAGE}\n` : `netops parse-syslog: ${opts}\n${USAGE}\n`);
    return opts === '' ? 0 : 2;
  }
  let classifier: Classifier;
  try {
    classifier = new Classifier(opts.profiles ? { profilesDir: opts.profiles } : {});
  } catch (e) {
    if (e instanceof ProfileError) {
      io.stderr.write(`${e.message}\nnetops parse-syslog: ${e.diagnostics.length} problem(s) in the device profiles\n`);
      return 1;
    }
    throw e;
  }
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const event = classifier.parse(line, opts.ip);
    const text = opts.pretty ? `${JSON.stringify(event, null, 2)}\n\n` : `${JSON.stringify(event)}\n`;
    const wait = write(io.stdout, text);
    if (wait) await wait;
  }
  if (opts.stats) io.stderr.write(`${JSON.stringify(classifier.stats)}\n`);
  return 0;
}

// Runnable on its own too: node dist/cli/commands/parse-syslog.js [--ip ADDR] < messages
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  parseSyslogCommand(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`netops parse-syslog: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
