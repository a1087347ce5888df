/**
 * Result documents of the shapes runtime/run.ts and runtime/pack-entry.ts print, one per outcome
 * the chat must show: success, dry run, partial failure, failure, timeout, refusals, crash.
 */
import type { ChatResultDoc } from '../../runtime/chat/result-doc.js';
import type { HostOutcome } from '../../runtime/define.js';

const host = (h: Partial<HostOutcome> & { host: string }): HostOutcome =>
  ({ status: 'changed', data: {}, commands: [], diff: '', message: '', dryRun: false, ...h });

const PEER = { in: 'bma', ip: '10.0.0.1', as: 65100 };
const base = { task: 'add_peer', dry_run: false, user: 'alice', site: 'bma', params: PEER, error: null, elapsed_ms: 4211 };
const CMDS = ['router bgp 65000', ' neighbor 10.0.0.1 remote-as 65100'];
const DIFF = '--- running\n+++ candidate\n@@ -12,0 +13 @@\n+ neighbor 10.0.0.1 remote-as 65100';

/** A named document with the exit code the entry script ends with. */
export interface Case { name: string; doc: ChatResultDoc | string; exit: number; params: Record<string, unknown> }

export const CASES: Case[] = [
  { name: 'success', exit: 0, params: PEER, doc: { ...base, status: 'changed', exit_code: 0,
    hosts: [host({ host: 'bma-edge1', data: { state: 'Established' }, commands: CMDS, diff: DIFF }), host({ host: 'bma-edge2', data: { state: 'Established' }, commands: CMDS, diff: DIFF })],
    summary: 'alice: add peer in bma\nbma-edge1: peer 10.0.0.1 AS65100 added, session Established\nbma-edge2: peer 10.0.0.1 AS65100 added, session Established',
    sot: { backend: 'file', steps: ['bgp peer 10.0.0.1 AS65100 on bma-edge1', 'bgp peer 10.0.0.1 AS65100 on bma-edge2'], txn: 'c0ffee1', outcome: 'committed' }, next: null } },
  { name: 'unchanged', exit: 0, params: PEER, doc: { ...base, status: 'ok', exit_code: 0,
    hosts: [host({ host: 'bma-edge1', status: 'ok', data: {} })],
    summary: 'alice: add peer in bma\nbma-edge1: peer 10.0.0.1 AS65100 already present, session unknown',
    warnings: ['bma-edge1: the session is not Established yet'] } },
  { name: 'dry run', exit: 0, params: { ...PEER, dry_run: true }, doc: { ...base, dry_run: true, status: 'changed', exit_code: 0,
    hosts: [host({ host: 'bma-edge1', commands: CMDS, diff: DIFF, dryRun: true })],
    summary: 'alice: add peer in bma (dry run, nothing changed)\nbma-edge1: peer 10.0.0.1 AS65100 would be added, session unknown\n  would apply:\n    router bgp 65000\n     neighbor 10.0.0.1 remote-as 65100',
    sot: { backend: 'file', steps: ['would add bgp peer 10.0.0.1 AS65100 on bma-edge1'], txn: null, outcome: 'dry-run' } } },
  { name: 'partial failure', exit: 4, params: PEER, doc: { ...base, status: 'partial', exit_code: 4,
    hosts: [host({ host: 'bma-edge1', data: { state: 'Established' }, commands: CMDS, diff: DIFF }), host({ host: 'bma-edge2', status: 'unreachable', message: 'ssh: connect to host 192.0.2.6 port 22: Connection refused' })],
    summary: 'alice: add peer in bma\nbma-edge1: peer 10.0.0.1 AS65100 added, session Established\nbma-edge2: UNREACHABLE: ssh: connect to host 192.0.2.6 port 22: Connection refused',
    error: 'bma-edge2: ssh: connect to host 192.0.2.6 port 22: Connection refused', next: 'add peer in=bma ip=10.0.0.1 as=65100' } },
  { name: 'failure', exit: 3, params: PEER, doc: { ...base, status: 'failed', exit_code: 3,
    hosts: [host({ host: 'bma-edge1', status: 'failed', message: 'neighbor 10.0.0.1: % Unknown command' })],
    summary: 'alice: add peer in bma\nbma-edge1: FAILED: neighbor 10.0.0.1: % Unknown command', error: 'bma-edge1: neighbor 10.0.0.1: % Unknown command',
    sot: { backend: 'file', steps: ['rolled back: bgp peer 10.0.0.1 AS65100 on bma-edge1'], txn: null, outcome: 'aborted' } } },
  { name: 'stopped, left pending', exit: 130, params: PEER, doc: { ...base, status: 'stopped', exit_code: 130,
    hosts: [host({ host: 'bma-edge1', status: 'failed', message: 'stopped by SIGTERM' })],
    summary: 'alice: add peer in bma stopped\nbma-edge1: FAILED: stopped by SIGTERM', error: 'stopped by SIGTERM',
    sot: { backend: 'file', steps: ['bgp peer 10.0.0.1 AS65100 on bma-edge1'], txn: 't-42', outcome: 'pending' }, next: 'netops recover in=bma',
    warnings: ['bma-edge1 may hold half the change until netops recover runs'] } },
  { name: 'timeout', exit: 124, params: PEER, doc: { ...base, status: 'timeout', exit_code: 124, hosts: [],
    summary: 'alice: add peer in bma stopped after 180s', error: 'ansible-playbook did not finish within 180s and was stopped' } },
  { name: 'refusal', exit: 2, params: { ...PEER, in: 'xyz' }, doc: { ...base, params: { ...PEER, in: 'xyz' }, site: 'xyz', status: 'invalid', exit_code: 2, hosts: [],
    summary: "alice: add peer refused: unknown site 'xyz'; known sites: bma, gbg", error: "unknown site 'xyz'; known sites: bma, gbg", next: 'add peer in=bma ip=10.0.0.1 as=65100' } },
  { name: 'access denied', exit: 2, params: PEER, doc: { ...base, status: 'denied', exit_code: 2, hosts: [],
    summary: 'alice: add peer refused: alice may not run add_peer in #noc', error: 'alice may not run add_peer in #noc (change tasks need a grant)',
    next: 'ask a netops admin to add alice to access.grants for add_peer' } },
  { name: 'busy', exit: 5, params: PEER, doc: { ...base, status: 'busy', exit_code: 5, hosts: [],
    summary: 'alice: add peer refused: bma-edge1 is being changed by carol (remove_peer since 10:00)', error: 'bma-edge1 is being changed by carol (remove_peer since 10:00)' } },
  { name: 'early refusal (entry script)', exit: 2, params: PEER, doc: { task: 'add_peer', status: 'invalid', exit_code: 2,
    summary: 'add peer refused: as: "x" is not an integer', error: 'as: "x" is not an integer' } as unknown as ChatResultDoc },
  { name: 'long diff', exit: 0, params: PEER, doc: { ...base, status: 'changed', exit_code: 0,
    hosts: [host({ host: 'bma-edge1', data: { state: 'Established' }, diff: Array.from({ length: 200 }, (_, i) => `+ ip prefix-list pl-${i} seq ${i * 5} permit 10.${i}.0.0/16`).join('\n') })],
    summary: 'alice: add peer in bma\n' + Array.from({ length: 120 }, (_, i) => `bma-edge1: line ${i} of a long answer ${'x'.repeat(20)}`).join('\n') } },
  { name: 'answer from the source of truth', exit: 0, params: { in: 'bma' }, doc: { ...base, params: { in: 'bma' }, status: 'ok', exit_code: 0, hosts: [],
    summary: 'site bma (lab site bma): 1 router(s), 2 peering prefix(es), 0 peer(s)\n  router bma-edge1 frr AS65000 mgmt 192.0.2.2',
    sot: { backend: 'file', steps: [], txn: null, outcome: 'none' }, data: { site: 'bma' } } },
  { name: 'crash (no document)', exit: 1, params: PEER, doc: 'node:internal/modules/cjs/loader:1228\n  throw err;\nError: Cannot find module' },
];
