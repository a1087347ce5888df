#!/usr/bin/env node
// netops.backup_config: generated from actions/backup-config.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("backup_config", import.meta.url, process.argv.slice(2));
