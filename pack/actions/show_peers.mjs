#!/usr/bin/env node
// netops.show_peers: generated from actions/show-peers.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("show_peers", import.meta.url, process.argv.slice(2));
