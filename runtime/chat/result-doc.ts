/**
 * The result document as chat formats read it (`execution.result.stdout.*`): runtime/run.ts
 * ResultDoc plus the optional fields the chat shows when a run provides them.
 */
import type { ResultDoc } from '../run.js';

/** What a task changed in the source of truth (the integrator's `sot` field). */
export interface SotChange {
  /** Backend name, e.g. `file` or `nautobot`. */
  backend: string;
  /** One line per change, e.g. "bgp peer 10.0.0.1 AS65100 added to bma-edge1". */
  steps: string[];
  /** Transaction or commit id, null when nothing was committed. */
  txn: string | null;
}

/** A result document with the optional chat fields. Every field may be missing in older or early-refusal documents. */
export type ChatResultDoc = Omit<ResultDoc, 'status'> & {
  /** ResultDoc's statuses, plus `denied` (refused by the access policy, runtime/access.ts). */
  status: ResultDoc['status'] | 'denied';
  sot?: SotChange | null;
  /** On failure or refusal: the command to type next. */
  next?: string | null;
};
