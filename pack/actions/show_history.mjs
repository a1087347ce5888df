#!/usr/bin/env node
// netops.show_history: generated from actions/show-history.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("show_history", import.meta.url, process.argv.slice(2));
