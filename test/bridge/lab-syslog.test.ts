/**
 * Real FRR syslog from the lab, end to end: a BGP session is shut and re-enabled on the edge
 * router itself (vtysh); the router's rsyslogd sends RFC 3164 and RFC 5424 over UDP; the lab
 * relays the datagrams to 127.0.0.1; `netops bridge` (the real CLI) parses, enriches from the
 * inventory, pairs the recovery with its failure and POSTs to a StackStorm webhook double that
 * validates each payload against the pack's payload_schema. Down and Up must both arrive.
 * The time bound here is only a sanity check (5 s); latency is measured in bench/bridge.ts.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_INVENTORY, REPO, useLab, vtysh, waitForBgpState, type LabInfo } from '../support/lab.js';
import { startSt2Webhook, type WebhookDouble } from '../support/st2-webhook.js';

const KEY = 'lab-syslog-key';
const CLI = join(REPO, 'dist', 'cli', 'netops.js');

interface Arrived { payload: Record<string, any>; at: number }

describe('lab syslog → bridge → StackStorm webhook', function () {
  this.timeout(300_000);
  let lab: LabInfo;
  let st2: WebhookDouble;
  let bridge: ChildProcess | null = null;
  let dir = '';
  const arrived: Arrived[] = [];
  let bridgeErr = '';

  before(async function () {
    lab = await useLab(this);
    dir = mkdtempSync(join(tmpdir(), 'netops-lab-syslog-'));
    st2 = await startSt2Webhook({ apiKey: KEY, keepPayloads: true, onEvent: (payload, at) => arrived.push({ payload, at }) });
    const { port3164, port5424, relayTarget } = lab.syslog;
    expect(relayTarget, 'the lab relays router syslog to the host loopback').to.equal('127.0.0.1');
    bridge = spawn(process.execPath, [CLI, 'bridge', '--forward-set', 'none', '--udp', `127.0.0.1:${port3164}`, '--udp', `127.0.0.1:${port5424}`,
      '--inventory', LAB_INVENTORY, '--trusted-relay', relayTarget!, '--spool', join(dir, 'spool'), '--st2-url', st2.url, '--stats-log', '0'], {
      env: { ...process.env, ST2_API_KEY: KEY }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    bridge.stderr!.on('data', (d: Buffer) => (bridgeErr += d.toString()));
    const t0 = Date.now();
    while (!/ ready: /.test(bridgeErr)) {
      if (Date.now() - t0 > 15_000 || bridge.exitCode !== null) throw new Error(`bridge did not start:\n${bridgeErr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // the session the test flaps
    const r = await execa('node', [CLI, 'chat', 'add peer in=bma ip=10.0.0.1 as=65100'], { env: { NETOPS_STATE_DIR: join(dir, 'state'), NETOPS_INVENTORY: LAB_INVENTORY }, reject: false });
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(await waitForBgpState('bma-edge1', '10.0.0.1', 'Established')).to.equal('Established');
  });

  after(async () => {
    if (bridge && bridge.exitCode === null) {
      const exited = new Promise((r) => bridge!.once('exit', r));
      bridge.kill('SIGTERM');
      await exited;
    }
    await execa('node', [CLI, 'chat', 'remove peer in=bma ip=10.0.0.1'], { env: { NETOPS_STATE_DIR: join(dir, 'state'), NETOPS_INVENTORY: LAB_INVENTORY }, reject: false });
    await st2?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const bgpEvents = (since: number, want: (p: Record<string, any>) => boolean) =>
    arrived.filter((a) => a.at >= since && a.payload.error === 'BGP_NEIGHBOR_STATE_CHANGED' && a.payload.peer === '10.0.0.1' && want(a.payload));

  async function waitEvents(since: number, want: (p: Record<string, any>) => boolean, n: number, what: string): Promise<Arrived[]> {
    const end = Date.now() + 20_000;
    while (bgpEvents(since, want).length < n) {
      if (Date.now() > end) throw new Error(`no ${what} event; got:\n${arrived.map((a) => a.payload.summary).join('\n')}\n${bridgeErr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return bgpEvents(since, want);
  }

  it('a session brought down and up gives a Down and a paired Up event', async () => {
    const tDown = Date.now();
    await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', 'neighbor 10.0.0.1 shutdown']);
    // Each message comes twice (RFC 3164 on one port, RFC 5424 on the other); the damper passes the
    // first and holds the same-state repeat back, so one Down reaches StackStorm.
    const downs = await waitEvents(tDown, (p) => p.state !== 'Established', 1, 'BGP Down');
    for (const d of downs) {
      expect(d.payload).to.include({ os: 'frr', host: 'bma-edge1', router: 'bma-edge1', site: 'bma', level: 'critical' });
      expect(d.payload.summary).to.contain('10.0.0.1');
      expect(d.at - tDown, 'Down reached StackStorm').to.be.below(5000);
      console.log(`      shutdown → Down at StackStorm: ${d.at - tDown} ms`);
    }

    const tUp = Date.now();
    await vtysh('bma-edge1', ['configure terminal', 'router bgp 65000', 'no neighbor 10.0.0.1 shutdown']);
    expect(await waitForBgpState('bma-edge1', '10.0.0.1', 'Established')).to.equal('Established');
    const ups = await waitEvents(tUp, (p) => p.state === 'Established', 1, 'BGP Up');
    for (const u of ups) {
      expect(u.payload).to.include({ site: 'bma', router: 'bma-edge1' });
      expect(u.payload.recovers, 'the recovery names the failure it ends').to.be.a('string');
      expect(downs.map((d) => d.payload.id)).to.include(u.payload.recovers);
      expect(u.payload.down_seconds).to.be.a('number');
      expect(u.at - tUp, 'Up reached StackStorm').to.be.below(5000);
      console.log(`      re-enable → Up at StackStorm: ${u.at - tUp} ms`);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(bgpEvents(tDown, () => true), 'one Down and one Up, repeats held back').to.have.length(2);
    expect(st2.counts.invalid, 'every payload matched the pack payload_schema').to.deep.equal([]);
  });
});
