#!/usr/bin/env node
// netops.add_peer: generated from actions/add-peer.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("add_peer", import.meta.url, process.argv.slice(2));
