/** Coded diagnostics that point at the user's source: code, file:line:col, the line, a hint. */

/** Stable diagnostic codes. NO1xx tasks, NO2xx aliases, NO3xx rules, NO9xx project. */
export const Codes = {
  UnsupportedType: 'NO101',
  BadParamName: 'NO102',
  BadTaskMetadata: 'NO103',
  BadTag: 'NO104',
  BooleanDefaultTrue: 'NO105',
  NeverMatches: 'NO201',
  UnknownPlaceholder: 'NO202',
  UnreachableRequired: 'NO203',
  Ambiguous: 'NO204',
  AliasWithoutTask: 'NO205',
  UnknownKey: 'NO206',
  BadAlias: 'NO207',
  BadRule: 'NO301',
  UnknownEventField: 'NO302',
  BadProject: 'NO901',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];

/** Where in a source file a diagnostic points (1-based line and column). */
export interface Location {
  file: string;
  line: number;
  col: number;
  length: number;
  /** The full text of the offending line. */
  text: string;
}

/** One problem found in the user's source. */
export interface Diagnostic {
  code: Code;
  message: string;
  hint: string;
  at: Location;
}

/** The error the generator throws: one or more diagnostics. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n\n'));
    this.name = 'DiagnosticError';
  }
}

/** Render a diagnostic the way compilers do: `file:line:col - error CODE: message`, the line, a caret, the hint. */
export function formatDiagnostic(d: Diagnostic): string {
  const { file, line, col, length, text } = d.at;
  const gutter = String(line);
  const caret = ' '.repeat(Math.max(0, col - 1)) + '^'.repeat(Math.max(1, Math.min(length, text.length - col + 1)));
  return [
    `${file}:${line}:${col} - error ${d.code}: ${d.message}`,
    '',
    `${gutter} | ${text}`,
    `${' '.repeat(gutter.length)} | ${caret}`,
    '',
    `hint: ${d.hint}`,
  ].join('\n');
}
