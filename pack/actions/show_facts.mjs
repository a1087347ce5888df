#!/usr/bin/env node
// netops.show_facts: generated from actions/show-facts.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("show_facts", import.meta.url, process.argv.slice(2));
