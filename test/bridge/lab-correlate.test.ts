/**
 * The correlation line on a real lab event after a real change (issue 9): alice adds peer
 * 10.0.0.1 through the generated pack entry with the argv StackStorm builds from chat; then
 * bma-peer1 shuts its side of the session (vtysh in its namespace), so bma-edge1's bgpd logs
 * the session Down; its rsyslogd sends it over UDP, the lab relays it to 127.0.0.1, and the
 * real `netops bridge` — reading the same file store's audit log — posts it to a StackStorm
 * webhook double (payload_schema checked) with last_change naming alice and the add. The
 * bgp_session_down rule's message is rendered from the received payload with Jinja2.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_INVENTORY, REPO, useLab, vtysh, waitForBgpState, type LabInfo } from '../support/lab.js';
import { startSt2Webhook, type WebhookDouble } from '../support/st2-webhook.js';
import { renderRuleTemplate, ruleMessage } from '../support/st2-jinja.js';

const KEY = 'lab-correlate-key';
const CLI = join(REPO, 'dist', 'cli', 'netops.js');

describe('lab: a device event names the last change (correlation)', function () {
  this.timeout(300_000);
  let lab: LabInfo;
  let st2: WebhookDouble;
  let bridge: ChildProcess | null = null;
  let dir = '';
  let bridgeErr = '';
  let peerShut = false;
  let ifDown = false;
  const arrived: Array<{ payload: Record<string, any>; at: number }> = [];
  const env = () => ({ NETOPS_STATE_DIR: join(dir, 'state'), NETOPS_SOT_DIR: join(dir, 'sot'), NETOPS_CONFIG: join(REPO, 'lab', 'netops.yaml'), NETOPS_LOCK_WAIT: '30' });
  const entry = (task: string, args: string[]) => execa(join(REPO, 'pack', 'actions', `${task}.mjs`), args, { env: env(), reject: false });

  before(async function () {
    lab = await useLab(this);
    dir = mkdtempSync(join(tmpdir(), 'netops-lab-correlate-'));
    cpSync(join(REPO, 'lab', 'sot'), join(dir, 'sot'), { recursive: true });
    st2 = await startSt2Webhook({ apiKey: KEY, keepPayloads: true, onEvent: (payload, at) => arrived.push({ payload, at }) });
    const { port3164, port5424, relayTarget } = lab.syslog;
    bridge = spawn(process.execPath, [CLI, 'bridge', '--udp', `127.0.0.1:${port3164}`, '--udp', `127.0.0.1:${port5424}`, '--inventory', LAB_INVENTORY,
      '--trusted-relay', relayTarget!, '--spool', join(dir, 'spool'), '--st2-url', st2.url, '--stats-log', '0', '--correlate-window', '60m'], {
      env: { ...process.env, ...env(), ST2_API_KEY: KEY }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    bridge.stderr!.on('data', (d: Buffer) => (bridgeErr += d.toString()));
    const t0 = Date.now();
    while (!/ ready: /.test(bridgeErr)) {
      if (Date.now() - t0 > 15_000 || bridge.exitCode !== null) throw new Error(`bridge did not start:\n${bridgeErr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(bridgeErr).to.match(/correlating events with changes in the last 60 min from .*history\.jsonl/);
  });

  after(async () => {
    if (peerShut) await vtysh('bma-peer1', ['configure terminal', 'router bgp 65100', 'no neighbor 10.0.0.2 shutdown']).catch(() => undefined);
    if (ifDown) await entry('set_interface', ['--in=bma', '--name=to-peer2', '--state=up', '--chat_user=bob', '--chat_channel=netops']);
    if (bridge && bridge.exitCode === null) {
      const exited = new Promise((r) => bridge!.once('exit', r));
      bridge.kill('SIGTERM');
      await exited;
    }
    if (dir) await entry('remove_peer', ['--in=bma', '--ip=10.0.0.1', '--chat_user=alice', '--chat_channel=netops']);
    await st2?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("BGP Down after alice's add peer carries last_change: alice added peer 10.0.0.1 AS65100", async () => {
    const add = await entry('add_peer', ['--in=bma', '--ip=10.0.0.1', '--as=65100', '--chat_user=alice', '--chat_channel=netops']);
    expect(add.exitCode, add.stdout + add.stderr).to.equal(0);
    expect(JSON.parse(add.stdout)).to.include({ status: 'changed', user: 'alice' });
    expect(await waitForBgpState('bma-edge1', '10.0.0.1', 'Established')).to.equal('Established');
    const tChange = Date.now();

    // The change is seen by the bridge's tail within its poll interval (1 s); give it that.
    await new Promise((r) => setTimeout(r, 1500));
    const tDown = Date.now();
    peerShut = true;
    await vtysh('bma-peer1', ['configure terminal', 'router bgp 65100', 'neighbor 10.0.0.2 shutdown']);
    const end = Date.now() + 20_000;
    const downs = () => arrived.filter((a) => a.at >= tDown && a.payload.error === 'BGP_NEIGHBOR_STATE_CHANGED' && a.payload.peer === '10.0.0.1' && a.payload.state !== 'Established');
    while (downs().length === 0) {
      if (Date.now() > end) throw new Error(`no BGP Down event; got:\n${arrived.map((a) => a.payload.summary).join('\n')}\n${bridgeErr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const down = downs()[0]!.payload;
    expect(down).to.include({ router: 'bma-edge1', site: 'bma', level: 'critical' });
    const lc = down.last_change;
    expect(lc, 'last_change').to.be.an('object');
    expect(lc).to.include({ who: 'alice', via: 'chat', channel: 'netops', task: 'add_peer', summary: 'added peer 10.0.0.1 AS65100', status: 'changed', touches: true });
    expect(lc.ago_s).to.be.within(0, Math.ceil((Date.now() - tChange) / 1000) + 60);
    expect(Date.parse(lc.at)).to.be.within(tChange - 120_000, Date.now());
    expect(st2.counts.invalid, 'every payload matched the pack payload_schema').to.deep.equal([]);
    const line = renderRuleTemplate(ruleMessage(join(REPO, 'pack'), 'bgp_session_down'), down);
    expect(line).to.match(/^:red_circle: BGP DOWN bma\/bma-edge1 peer 10\.0\.0\.1 .* — last change: alice added peer 10\.0\.0\.1 AS65100 \d+ s ago \(chat in netops\)$/);
    console.log(`      chat: ${line}`);

    await vtysh('bma-peer1', ['configure terminal', 'router bgp 65100', 'no neighbor 10.0.0.2 shutdown']);
    peerShut = false;
    expect(await waitForBgpState('bma-edge1', '10.0.0.1', 'Established')).to.equal('Established');
  });

  it("an interface taken down with set interface names bob's change on that interface (audited without a source-of-truth record)", async () => {
    const tDown = Date.now();
    ifDown = true;
    const r = await entry('set_interface', ['--in=bma', '--name=to-peer2', '--state=down', '--chat_user=bob', '--chat_channel=noc']);
    expect(r.exitCode, r.stdout + r.stderr).to.equal(0);
    const end = Date.now() + 20_000;
    const downs = () => arrived.filter((a) => a.at >= tDown && a.payload.error === 'INTERFACE_DOWN' && a.payload.interface === 'to-peer2' && a.payload.last_change?.who === 'bob');
    while (downs().length === 0) {
      if (Date.now() > end) throw new Error(`no INTERFACE_DOWN with last_change; got:\n${arrived.filter((a) => a.at >= tDown).map((a) => `${a.payload.summary} ${JSON.stringify(a.payload.last_change)}`).join('\n')}\n${bridgeErr.slice(-2000)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    const ev = downs()[0]!.payload;
    // The link goes down during the push, before the run's audit entry is written: the change in
    // progress (runtime/running.ts) is what names it.
    expect(ev.last_change).to.include({ who: 'bob', via: 'chat', channel: 'noc', task: 'set_interface', touches: true });
    expect(ev.last_change.summary).to.match(/^set interface to-peer2 down( \(in progress\))?$/);
    console.log(`      (status ${ev.last_change.status})`);
    console.log(`      chat: ${renderRuleTemplate(ruleMessage(join(REPO, 'pack'), 'interface_down'), ev)}`);
    const up = await entry('set_interface', ['--in=bma', '--name=to-peer2', '--state=up', '--chat_user=bob', '--chat_channel=noc']);
    expect(up.exitCode, up.stdout + up.stderr).to.equal(0);
    ifDown = false;
    expect(st2.counts.invalid).to.deep.equal([]);
    const history = (await execa('node', [CLI, 'show-history', '--in', 'bma', '--json'], { env: env(), reject: false }));
    expect(history.stdout, 'set interface is in the audit log').to.match(/set_interface/);
  });
});
