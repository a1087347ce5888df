#!/usr/bin/env node
// netops.set_interface: generated from actions/set-interface.ts by `netops build`; do not edit.
import { runEntry } from './runtime/netops.mjs';
process.exitCode = await runEntry("set_interface", import.meta.url, process.argv.slice(2));
