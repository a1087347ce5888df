#!/usr/bin/env node
// netops.all_types: generated from actions/all-types.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("all_types", import.meta.url, process.argv.slice(2));
