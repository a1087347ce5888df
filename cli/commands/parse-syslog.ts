/**
 * `netops parse-syslog`: raw syslog messages on stdin, one per line → one JSON DeviceEvent per
 * line on stdout. Unrecognised messages are printed too (error: null).
 */
import { realpathSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { Classifier, ProfileError } from '../../bridge/parse.js';
import { parseFlags, UsageError, type FlagSpec } from '../args.js';

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

/** Flags of the command (util.parseArgs, strict). */
const FLAGS: FlagSpec = {
  json: { type: 'boolean' },
  pretty: { type: 'boolean' },
  stats: { type: 'boolean' },
  ip: { type: 'string' },
  profiles: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Line breaks as readline sees them (crlfDelay: Infinity). */
const LINE_BREAK = /\r\n|\n|\r/;

function write(out: NodeJS.WritableStream, s: string): Promise<void> | null {
  return out.write(s) ? null : new Promise((resolve) => out.once('drain', () => resolve()));
}

/** Run the command; resolves to the exit code (0 ok, 1 profiles broken, 2 bad usage). */
export default async function parseSyslogCommand(
  argv: string[],
  io: ParseSyslogIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let values;
  try {
    ({ values } = parseFlags(argv, FLAGS, { command: 'netops parse-syslog', help: 'netops parse-syslog --help' }));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts = { pretty: values.pretty === true, stats: values.stats === true, ip: typeof values.ip === 'string' ? values.ip : '127.0.0.1', profiles: typeof values.profiles === 'string' ? values.profiles : undefined };
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
  // Chunked input and batched output: stdin is split into lines here (CR LF, LF or CR, as
  // readline does), and events are written about 64 KiB at a time.
  let out: string[] = [];
  let outLength = 0;
  /** Classify one line into the output batch; true when the batch should be written. */
  const emit = (line: string): boolean => {
    if (line.trim() === '') return false;
    const event = classifier.parse(line, opts.ip);
    const text = opts.pretty ? `${JSON.stringify(event, null, 2)}\n\n` : `${JSON.stringify(event)}\n`;
    out.push(text);
    outLength += text.length;
    return outLength >= 64 * 1024;
  };
  const flush = async (): Promise<void> => {
    if (out.length === 0) return;
    const wait = write(io.stdout, out.join(''));
    out = [];
    outLength = 0;
    if (wait) await wait;
  };
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of io.stdin) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    const parts = text.split(LINE_BREAK);
    // (a CR LF split between chunks gives an empty line, skipped like every blank line)
    carry = parts.pop()!;
    for (const line of parts) if (emit(line)) await flush();
  }
  carry += decoder.end();
  for (const line of carry.split(LINE_BREAK)) if (emit(line)) await flush();
  await flush();
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
