#!/usr/bin/env node
// netops.show_config_diff: generated from actions/show-config-diff.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("show_config_diff", import.meta.url, process.argv.slice(2));
