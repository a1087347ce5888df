#!/usr/bin/env node
// netops.remove_peer: generated from actions/remove-peer.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("remove_peer", import.meta.url, process.argv.slice(2));
