/**
 * Profile files as YAML documents that remember where every value came from, and the
 * coded diagnostics that point back at them (file:line:col, the line, what to write instead).
 */
import jsyaml from 'js-yaml';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';

/**
 * The `yaml` package (Documents with source positions) is needed only to locate a problem:
 * required on first use, it is not loaded at every start-up (≈ 40 ms of `parse-syslog`'s).
 */
let yamlLib: typeof import('yaml') | null = null;
const yaml = (): typeof import('yaml') => (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

/** A profile problem, located in its file. */
export interface Diagnostic {
  /** Stable code, e.g. NP003. */
  code: string;
  file: string;
  line: number;
  col: number;
  message: string;
  /** The offending source line. */
  source: string;
  /** What to write instead, when we know. */
  hint?: string;
}

/** Raised when profiles fail to load; carries every diagnostic found, not just the first. */
export class ProfileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'ProfileError';
  }
}

/** "file:line:col: CODE message", the source line with a caret, then the hint. */
export function formatDiagnostic(d: Diagnostic): string {
  const caret = d.source ? `\n    ${d.source}\n    ${' '.repeat(Math.max(0, d.col - 1))}^` : '';
  return `${d.file}:${d.line}:${d.col}: ${d.code} ${d.message}${caret}${d.hint ? `\n    hint: ${d.hint}` : ''}`;
}

type PathSeg = string | number;

/**
 * One YAML profile file. Its data is read on a fast path (js-yaml, core schema: ≈ 8× cheaper
 * than building a Document, which was a third of every start-up); the Document, which knows
 * where each value came from, is built only to locate a problem, or when the fast path refuses
 * the file (then the Document's own errors are the diagnostics). test/syslog/profile-yaml.test.ts
 * checks both give the same data for every profile.
 */
export class SourceFile {
  /** The file's data; undefined when it has a YAML syntax error. */
  readonly data: unknown;
  /** Whether the file parsed (else syntaxDiagnostics() says why). */
  readonly parsed: boolean;
  private full: { doc: Document; counter: LineCounter; lines: string[] } | null = null;

  constructor(readonly path: string, readonly display: string, readonly text: string) {
    let data: unknown;
    let fast = true;
    try {
      data = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, filename: display });
    } catch {
      fast = false; // duplicate keys, syntax errors, several documents…: the Document decides
    }
    if (fast) {
      this.parsed = true;
      this.data = data === undefined ? null : data; // an empty file: null, as Document.toJS() gives
    } else {
      this.parsed = this.doc.errors.length === 0;
      this.data = this.parsed ? this.doc.toJS() : undefined;
    }
  }

  /** The parsed Document (built on first use). */
  get doc(): Document {
    return this.located().doc;
  }

  private get counter(): LineCounter {
    return this.located().counter;
  }

  private get lines(): string[] {
    return this.located().lines;
  }

  private located(): { doc: Document; counter: LineCounter; lines: string[] } {
    if (this.full === null) {
      const { LineCounter, parseDocument } = yaml();
      const counter = new LineCounter();
      const doc = parseDocument(this.text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
      this.full = { doc, counter, lines: this.text.split(/\r?\n/) };
    }
    return this.full;
  }

  /** Read a file; `root` only shortens the name shown in diagnostics. */
  static read(path: string, root: string): SourceFile {
    return new SourceFile(path, relative(root, path) || path, readFileSync(path, 'utf8'));
  }

  /** Line and column (1-based) of a value (or of its key when `key`), plus an offset inside a scalar. */
  locate(path: PathSeg[], key = false, offset = 0): { line: number; col: number } {
    const { isMap, isScalar, isSeq } = yaml();
    let node: unknown = this.doc.contents;
    let at = 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
        if (!pair) break;
        const last = i === path.length - 1;
        if (last && key && isScalar(pair.key)) { node = pair.key; break; }
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (!item) break;
        node = item;
      } else {
        break;
      }
    }
    const n = node as YamlNode | null;
    if (n && n.range) {
      at = n.range[0];
      if (offset > 0 && isScalar(n)) {
        const quoted = n.type === 'QUOTE_SINGLE' || n.type === 'QUOTE_DOUBLE';
        at += offset + (quoted ? 1 : 0);
      }
    }
    const p = this.counter.linePos(at);
    return { line: p.line, col: p.col };
  }

  /** A diagnostic at a path in this file. */
  diag(code: string, path: PathSeg[], message: string, hint?: string, opts: { key?: boolean; offset?: number } = {}): Diagnostic {
    const { line, col } = this.locate(path, opts.key ?? false, opts.offset ?? 0);
    return { code, file: this.display, line, col, message, source: this.lines[line - 1] ?? '', hint };
  }

  /** Diagnostics for YAML syntax errors. */
  syntaxDiagnostics(): Diagnostic[] {
    return this.doc.errors.map((e) => {
      const p = this.counter.linePos(e.pos[0]);
      return {
        code: 'NP001',
        file: this.display,
        line: p.line,
        col: p.col,
        message: `YAML: ${e.message.split('\n')[0]}`,
        source: this.lines[p.line - 1] ?? '',
      };
    });
  }
}
