/**
 * The result document as chat formats read it (`execution.result.stdout.*`): runtime/run.ts
 * ResultDoc, where every field may be missing (early refusals by the entry script, older
 * documents), plus the status the access policy adds.
 */
import type { ResultDoc, SotReport } from '../run.js';

/** What a task changed in the source of truth (runtime/run.ts SotReport). */
export type SotChange = SotReport;

/** A result document as the formats must expect it. */
export type ChatResultDoc = Omit<ResultDoc, 'status' | 'next' | 'warnings' | 'sot'> & {
  /** ResultDoc's statuses, plus `denied` (refused by the access policy, runtime/access.ts). */
  status: ResultDoc['status'] | 'denied';
  sot?: SotChange | null;
  next?: string | null;
  warnings?: string[];
};
