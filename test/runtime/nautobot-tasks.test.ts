/**
 * The seed command through the whole runtime with the Nautobot backend, on the real lab: the
 * generated entry script spawned with StackStorm's argv (and `netops`), real ansible-playbook
 * against FRR, the real throwaway Nautobot. Every result is read back from Nautobot's own REST
 * API and from the router (vtysh): add, remove, a config the router rejects, an IP outside the
 * prefixes or already held, kill -9 mid-push then `netops recover`.
 */
import { expect } from 'chai';
import type { AxiosInstance } from 'axios';
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO, bgpState, useLab, vtysh, waitForBgpState } from '../support/lab.js';
import { NB_TOKEN_FILE, NB_URL, nbApi, resetNautobotPeers, teardownNautobotIfStarted, useNautobot } from '../support/nautobot.js';
import { untilRunGone, waitForPushing } from '../support/runs.js';

after(teardownNautobotIfStarted);

const CLI = join(REPO, 'dist', 'cli', 'netops.js');
let stateDir = '';
const env = (extra: Record<string, string> = {}) => ({
  NETOPS_STATE_DIR: stateDir, NETOPS_CONFIG: join(REPO, 'lab', 'netops.yaml'), NETOPS_LOCK_WAIT: '1', NETOPS_USER: 'tester',
  NETOPS_SOT_BACKEND: 'nautobot', NETOPS_NAUTOBOT_URL: NB_URL, NETOPS_NAUTOBOT_TOKEN_FILE: NB_TOKEN_FILE,
  NETOPS_CONNECTION_VARS: join(REPO, 'lab', 'sot', 'netops.yml'), ...extra,
});
const running = () => vtysh('bma-edge1', 'show running-config');
const neighbors = async () => [...(await running()).matchAll(/^ neighbor (\S+) remote-as/gm)].map((m) => m[1]).sort();

interface Doc { status: string; exit_code: number; summary: string; error: string | null; warnings: string[]; sot: { outcome: string; txn: string | null; backend: string; steps: string[] } | null; hosts: { host: string; status: string }[] }

async function netops(args: string[], extra: Record<string, string> = {}) {
  const r = await execa('node', [CLI, ...args, '--json'], { env: env(extra), reject: false });
  let doc: Doc | null = null;
  try { doc = JSON.parse(r.stdout) as Doc; } catch { doc = null; }
  return { code: r.exitCode ?? -1, doc, out: r.stdout, err: r.stderr };
}

/** The generated entry script with the argv StackStorm's local-shell-script runner builds. */
async function st2Command(task: string, values: Record<string, unknown>): Promise<string> {
  const entry = join(REPO, 'pack', 'actions', `${task}.mjs`);
  const meta = parse(readFileSync(join(REPO, 'pack', 'actions', `${task}.yaml`), 'utf8')) as { parameters: unknown };
  return (await execa('python3', [join(REPO, 'test', 'support', 'st2_command.py')], { input: JSON.stringify({ entry, parameters: meta.parameters, values }) })).stdout;
}

/** An object's change messages: its Notes (stock REST path) and its ObjectChanges' change-context detail (netops' App). */
async function messages(api: AxiosInstance, id: string): Promise<string[]> {
  const notes = ((await api.get('extras/notes/', { params: { assigned_object_id: id } })).data.results as Array<{ note: string }>).map((n) => n.note);
  return [...notes, ...((await api.get('extras/object-changes/', { params: { changed_object_id: id } })).data.results as Array<{ change_context_detail: string }>).map((c) => c.change_context_detail)];
}

/** What Nautobot holds for one address: its IP Address, the Peerings on it with their endpoints, the change messages. */
async function inNautobot(api: AxiosInstance, ip: string) {
  const ips = (await api.get('ipam/ip-addresses/', { params: { address: ip, depth: 1 } })).data.results as Array<{ id: string; status: { name: string }; parent: { prefix: string } | null }>;
  const a = ips[0];
  if (!a) return { ip: null, peerings: [], notes: [] as string[] };
  const eps = (await api.get('plugins/bgp/peer-endpoints/', { params: { source_ip: a.id } })).data.results as Array<{ peering: { id: string } }>;
  const peerings = [];
  for (const id of new Set(eps.map((e) => e.peering.id))) {
    const p = (await api.get(`plugins/bgp/peerings/${id}/`, { params: { depth: 1 } })).data as { id: string; status: { name: string } };
    const endpoints = (await api.get('plugins/bgp/peer-endpoints/', { params: { peering: id, depth: 2 } })).data.results as Array<{ routing_instance: { device: { name: string } } | null; autonomous_system: { asn: number } | null; source_ip: { address: string } | null }>;
    const notes = await messages(api, id);
    peerings.push({ ...p, endpoints, notes });
  }
  const notes = await messages(api, a.id);
  return { ip: a, peerings, notes };
}

const pushing = () => waitForPushing(stateDir, 'bma', 30_000);

describe('tasks on the lab with the Nautobot source of truth (entry script, ansible-playbook, FRR, Nautobot)', function () {
  this.timeout(600_000);
  let api: AxiosInstance;

  before(async function () {
    await useNautobot(this);
    await useLab(this);
    api = nbApi();
    stateDir = mkdtempSync(join(tmpdir(), 'netops-nb-'));
    await resetNautobotPeers(['10.0.0.1', '10.0.0.5']);
    for (const ip of ['10.0.0.1', '10.0.0.5']) if ((await neighbors()).includes(ip)) await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', `no neighbor ${ip}`]);
  });
  after(async () => {
    await resetNautobotPeers(['10.0.0.1', '10.0.0.5']).catch(() => undefined);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('add peer from the StackStorm entry script: IP Address, a Peering with two endpoints, change notes naming user, channel and command; Established', async () => {
    const dry = await netops(['chat', 'add peer in=bma ip=10.0.0.1 as=65100', '--dry-run']);
    expect(dry.code, dry.err + dry.out).to.equal(0);
    expect(dry.doc!.summary).to.contain('would record 10.0.0.1 in IPAM (prefix 10.0.0.0/30, site bma)');
    expect((await inNautobot(api, '10.0.0.1')).ip, 'a dry run records nothing').to.equal(null);

    const command = await st2Command('add_peer', { in: 'bma', ip: '10.0.0.1', as: 65100, description: 'transit-a' });
    const r = await execa('/bin/sh', ['-c', command], { env: env(), reject: false });
    const doc = JSON.parse(r.stdout) as Doc;
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    expect(doc.status).to.equal('changed');
    expect(doc.sot).to.include({ backend: 'nautobot', outcome: 'committed' });
    expect(await waitForBgpState('bma-edge1', '10.0.0.1', 'Established')).to.equal('Established');

    const nb = await inNautobot(api, '10.0.0.1');
    expect(nb.ip!.status.name).to.equal('Active');
    expect(nb.ip!.parent?.prefix).to.equal('10.0.0.0/30');
    expect(nb.peerings).to.have.length(1);
    const p = nb.peerings[0]!;
    expect(p.status.name).to.equal('Active');
    expect(p.endpoints.map((e) => e.routing_instance?.device.name ?? `AS${e.autonomous_system?.asn} ${e.source_ip?.address}`).sort()).to.deep.equal(['AS65100 10.0.0.1/30', 'bma-edge1']);
    // written through netops' Nautobot App (one request per phase; NETOPS_NAUTOBOT_APP=off: the stock REST path), change-logged as the token's user
    const logged = (await api.get('extras/object-changes/', { params: { changed_object_id: nb.ip!.id } })).data.results as Array<{ user_name: string; change_context_detail: string }>;
    const via = process.env.NETOPS_NAUTOBOT_APP === 'off' ? /^ipam-api:ipaddress-list$/ : /^netops prepare txn /;
    expect(logged.some((c) => c.user_name === 'netops-admin' && via.test(c.change_context_detail)), JSON.stringify(logged)).to.equal(true);
    for (const notes of [nb.notes, p.notes]) {
      expect(notes.some((n) => /^netops prepare txn /.test(n)), notes.join('\n')).to.equal(true);
      expect(notes.some((n) => /^netops commit txn .*; by chatuser via chat ops; command: add peer /.test(n)), notes.join('\n')).to.equal(true);
    }
    const site = await netops(['show-site', '--in', 'bma']);
    expect(site.doc!.summary).to.match(/peer 10\.0\.0\.1 AS65100 "transit-a" on bma-edge1, added by chatuser \(chat\)/);
  });

  it('refused before anything is touched: an IP outside the prefixes, an IP held by something else', async () => {
    const held = (await api.post('ipam/ip-addresses/', { address: '10.0.0.5/30', namespace: { name: 'Global' }, status: { name: 'Active' }, description: 'customer x' })).data as { id: string };
    try {
      const count = (await api.get('ipam/ip-addresses/', { params: { limit: 1 } })).data.count as number;
      const before = await running();
      const out = await netops(['chat', 'add peer in=bma ip=10.0.9.1 as=65200']);
      expect(out.code).to.equal(2);
      expect(out.doc!.summary).to.match(/10\.0\.9\.1 is outside every peering prefix of site bma \(10\.0\.0\.0\/30, 10\.0\.0\.4\/30\); type an address inside/);
      const taken = await netops(['chat', 'add peer in=bma ip=10.0.0.5 as=65200']);
      expect(taken.code).to.equal(2);
      expect(taken.doc!.summary).to.match(/10\.0\.0\.5 .*customer x/);
      for (const x of [out, taken]) expect(x.doc!.hosts, 'no router touched').to.deep.equal([]);
      expect(await running()).to.equal(before);
      expect((await api.get('ipam/ip-addresses/', { params: { limit: 1 } })).data.count).to.equal(count);
    } finally {
      await api.delete(`ipam/ip-addresses/${held.id}/`);
    }
  });

  it('a config the router rejects: routers rolled back, nothing kept in Nautobot', async () => {
    const before = await running();
    const ases = async () => (await api.get('plugins/bgp/autonomous-systems/', { params: { limit: 1 } })).data.count as number;
    const asBefore = await ases();
    const r = await netops(['run', 'add_peer', 'in=bma', 'ip=10.0.0.5', 'as=65200'], { NETOPS_FAULT_INJECT: 'mid_push' });
    expect(r.code, r.out + r.err).to.equal(3);
    expect(r.doc!.error).to.match(/no-such-keyword/);
    expect(r.doc!.sot!.outcome).to.equal('aborted');
    expect(await running()).to.equal(before);
    const nb = await inNautobot(api, '10.0.0.5');
    expect([nb.ip, nb.peerings]).to.deep.equal([null, []]);
    expect(await ases(), 'an AS this change created is gone too').to.equal(asBefore);
  });

  it('kill -9 mid-push, then netops recover: rolled back on the router and in Nautobot', async () => {
    const child = execa('node', [CLI, 'run', 'add_peer', 'in=bma', 'ip=10.0.0.5', 'as=65200', '--json'], { env: env(), reject: false });
    const j = await pushing();
    child.kill('SIGKILL');
    await child;
    await untilRunGone(j.run);
    const pending = await inNautobot(api, '10.0.0.5');
    expect(pending.ip?.status.name, 'the killed change is left pending').to.equal('Reserved');
    const r = await execa('node', [CLI, 'recover', 'in=bma'], { env: env(), reject: false });
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/bma: recovered: the interrupted add_peer .*10\.0\.0\.5.* was rolled back/);
    expect(await neighbors()).to.deep.equal(['10.0.0.1']);
    const nb = await inNautobot(api, '10.0.0.5');
    expect([nb.ip, nb.peerings]).to.deep.equal([null, []]);
    expect(readdirSync(join(stateDir, 'journal', 'bma'))).to.deep.equal([]);
  });

  it('remove peer removes the peering, the address and the neighbour', async () => {
    const r = await netops(['chat', 'remove peer in=bma ip=10.0.0.1']);
    expect(r.code, r.err + r.out).to.equal(0);
    expect(r.doc!.sot!.outcome).to.equal('committed');
    expect(await running()).to.not.contain('neighbor 10.0.0.1 ');
    expect(await bgpState('bma-edge1', '10.0.0.1')).to.equal('absent');
    const nb = await inNautobot(api, '10.0.0.1');
    expect([nb.ip, nb.peerings]).to.deep.equal([null, []]);
    const loc = (await api.get('dcim/locations/', { params: { name: 'bma' } })).data.results[0] as { id: string };
    const notes = [
      ...((await api.get('extras/notes/', { params: { assigned_object_id: loc.id, note__ic: 'removed peer 10.0.0.1', limit: 1000 } })).data.results as Array<{ note: string }>).map((n) => n.note),
      ...((await api.get('extras/object-changes/', { params: { change_context_detail__ic: 'removed peer 10.0.0.1', limit: 1000 } })).data.results as Array<{ change_context_detail: string }>).map((c) => c.change_context_detail),
    ];
    expect(notes.some((n) => /^netops commit txn .*: removed peer 10\.0\.0\.1 .*; by tester via terminal; command: /.test(n)), notes.slice(-5).join('\n')).to.equal(true);
  });
});
