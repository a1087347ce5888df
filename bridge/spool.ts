/** The spool's public surface (the modules live in bridge/spool/). */
export { Spool, LEVELS, type Level, type DropReason, type SpoolOptions, type SpoolRecord, type DropNote, type AppendResult, type SpoolStats, type LaneStats } from './spool/spool.js';
