/**
 * One batch of `netops parse-syslog` input → its output text. The same function runs on the main
 * thread (small inputs) and in the worker threads (cli/commands/parse-syslog-worker.ts), so the
 * output cannot depend on where a batch ran.
 */
import type { Classifier, ClassifierStats } from '../../bridge/parse.js';

/** How events are printed. */
export interface BatchOptions {
  /** Indented JSON, events separated by a blank line. */
  pretty: boolean;
  /** The address the messages came from. */
  ip: string;
}

/** Line breaks as readline sees them (crlfDelay: Infinity). */
export const LINE_BREAK = /\r\n|\n|\r/;

/**
 * Classify every line of `text` (a batch cut right after a line break, or the input's last
 * piece): one JSON event per non-blank line, as UTF-8 bytes. A CR LF split between two batches
 * gives an empty line, skipped like every blank line.
 *
 * Each event's text is written into one buffer as it is made: joining a batch's texts first and
 * encoding the result measured ≈ 5× dearer (one "→" in a summary makes the joined string
 * two-byte, and the batch's strings all survive to the join), see docs/bridge-lanes.md.
 */
export function classifyBatch(classifier: Classifier, text: string, opts: BatchOptions): Buffer {
  const lines = text.split(LINE_BREAK);
  let buf = Buffer.allocUnsafeSlow(Math.max(64 * 1024, text.length * 8));
  let at = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const event = classifier.parse(line, opts.ip);
    const s = opts.pretty ? `${JSON.stringify(event, null, 2)}\n\n` : `${JSON.stringify(event)}\n`;
    if (buf.length - at < s.length * 3) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, at + s.length * 3));
      buf.copy(bigger, 0, 0, at);
      buf = bigger;
    }
    at += buf.write(s, at);
  }
  return buf.subarray(0, at);
}

/** An empty counter set, shaped like Classifier.stats. */
export function emptyStats(): ClassifierStats {
  return { messages: 0, matched: 0, unknown: 0, byOs: {}, byError: {}, setAside: 0 };
}

/**
 * Add one batch's counters to the total. Merged in input order, the keys of byOs and byError
 * appear in the order one classifier would have met them.
 */
export function addStats(into: ClassifierStats, from: ClassifierStats): void {
  into.messages += from.messages;
  into.matched += from.matched;
  into.unknown += from.unknown;
  into.setAside += from.setAside;
  for (const [k, v] of Object.entries(from.byOs)) into.byOs[k] = (into.byOs[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.byError)) into.byError[k] = (into.byError[k] ?? 0) + v;
}
