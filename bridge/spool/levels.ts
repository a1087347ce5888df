/** Event levels and drop reasons shared by the spool's modules. */

/** Event levels in order of severity (index = rank = lane). */
export const LEVELS = ['info', 'warning', 'critical'] as const;
/** A DeviceEvent level. */
export type Level = (typeof LEVELS)[number];

/**
 * Why the spool did not keep an event:
 * `spool_full` (soft bound, lower lanes only), `spool_hard_full` (hard bound, critical),
 * `write_buffer_full` (bytes waiting for the disk over their bound while the disk keeps up too slowly),
 * `spool_io_error` (the disk refuses writes), `spool_closed` (after close).
 */
export type DropReason = 'spool_full' | 'spool_hard_full' | 'write_buffer_full' | 'spool_io_error' | 'spool_closed';

/** Every drop reason, for zeroed counters. */
export const DROP_REASONS: readonly DropReason[] = ['spool_full', 'spool_hard_full', 'write_buffer_full', 'spool_io_error', 'spool_closed'];

/** Rank of a level name (unknown names are info). */
export function rankOf(level: unknown): number {
  return level === 'critical' ? 2 : level === 'warning' ? 1 : 0;
}
