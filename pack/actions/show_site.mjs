#!/usr/bin/env node
// netops.show_site: generated from actions/show-site.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("show_site", import.meta.url, process.argv.slice(2));
