#!/usr/bin/env node
// netops.show_compliance: generated from actions/show-compliance.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("show_compliance", import.meta.url, process.argv.slice(2));
