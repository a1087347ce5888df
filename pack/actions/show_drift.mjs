#!/usr/bin/env node
// netops.show_drift: generated from actions/show-drift.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("show_drift", import.meta.url, process.argv.slice(2));
