/**
 * Command-line flags of every `netops` command: Node's util.parseArgs in strict mode (an
 * unknown or mistyped flag is an error, never ignored), with the closest known flag named.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest } from '../runtime/closest.js';

/** Flag definitions, as util.parseArgs takes them. */
export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** A bad command line: the message says what to type instead; exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly help: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parsed flags: values by flag name, and the positional arguments. */
export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** The first flag of argv that `options` does not define (found by a non-strict pass), with its spelling. */
function unknownFlag(argv: string[], options: FlagSpec): string | null {
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const known = new Set(Object.keys(options));
  for (const t of tokens ?? []) if (t.kind === 'option' && !known.has(t.name)) return t.rawName;
  return null;
}

/**
 * Parse `argv` strictly. `command` names the command in messages ("netops add-peer"),
 * `help` is how to get its help ("netops add-peer --help").
 */
export function parseFlags(argv: string[], options: FlagSpec, opts: { command: string; help: string; positionals?: boolean }): Parsed {
  try {
    const r = parseArgs({ args: argv, options, strict: true, allowPositionals: opts.positionals ?? false });
    return { values: r.values as Parsed['values'], positionals: r.positionals };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw e;
    const bad = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? unknownFlag(argv, options) : null;
    if (bad) {
      const flags = Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
      const near = closest(bad.replace(/=.*$/, ''), flags);
      throw new UsageError(`${opts.command}: unknown flag ${bad}${near ? `; did you mean ${near}?` : ''}`, opts.help);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = argv.find((a) => !a.startsWith('-'));
      throw new UsageError(`${opts.command}: unexpected argument ${JSON.stringify(arg ?? '')}; give values as --name value`, opts.help);
    }
    // missing or ambiguous value, a value for a switch: parseArgs says which flag and how
    throw new UsageError(`${opts.command}: ${(e as Error).message.replace(/ To specify .*$/s, '')}`, opts.help);
  }
}
