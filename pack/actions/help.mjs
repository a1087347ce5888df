#!/usr/bin/env node
// netops.help: generated from aliases/*.ts by `netops build`; do not edit.
import { helpEntry } from './runtime/netops.mjs';
process.exitCode = await helpEntry(import.meta.url, process.argv.slice(2));
