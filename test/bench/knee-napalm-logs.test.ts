/**
 * The side-by-side knee's napalm-logs half, for real (bench/knee-napalm-logs.ts): napalm-logs
 * 0.11.0 from .venv-bench (scripts/venv-bench.sh, run here when stale) on 127.0.0.1, its zmq
 * publisher read by the bench's counter. A corpus BGP message, sent as the knee's sender sends it
 * (` seq=N` appended), comes out as napalm-logs' BGP_NEIGHBOR_STATE_CHANGED and the bridge
 * classifies the same line alike; one second of the knee's own sender at 200 msg/s is counted
 * message by message; stopping leaves none of the daemon's processes.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { ensureBenchVenv, startCounter, startNapalmLogs, udpSocketDrops, warmUp, type Counter, type NapalmLogs } from '../../bench/knee-napalm-logs.js';
import { appendSeq, sendKneeLoad } from '../../bench/knee.js';
import { parseSyslog } from '../../bridge/parse.js';
import { corpusFixtures } from '../syslog/fixtures.js';

/** The process exists and is not a zombie. */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('bench/knee-napalm-logs: napalm-logs daemon and the bench counter', function () {
  this.timeout(240_000);
  const bgp = corpusFixtures().find((f) => f.id.startsWith('junos/BGP_NEIGHBOR_STATE_CHANGED/'));
  let dir: string;
  let nl: NapalmLogs | null = null;
  let c: Counter | null = null;

  before(async function () {
    expect(bgp, 'shared/corpus/napalm-logs not found; set NETOPS_SHARED').to.not.equal(undefined);
    ensureBenchVenv();
    dir = mkdtempSync(join(tmpdir(), 'netops-nl-test-'));
    nl = await startNapalmLogs(dir);
    c = await startCounter(nl.pubUrl, true);
    await warmUp(nl, c, bgp!.raw.trimEnd());
  });
  after(async () => {
    await c?.stop();
    await nl?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a corpus BGP message as BGP_NEIGHBOR_STATE_CHANGED, and the bridge classifies it alike', async () => {
    const line = `${bgp!.raw.trimEnd()} seq=0`;
    const s = dgram.createSocket('udp4');
    await new Promise<void>((ok, fail) => s.send(line, nl!.udpPort, '127.0.0.1', (e) => (e ? fail(e) : ok())));
    s.close();
    for (let i = 0; i < 50 && !c!.seen.has('0'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(c!.seen.get('0')).to.equal('BGP_NEIGHBOR_STATE_CHANGED junos');
    expect(parseSyslog(line, '127.0.0.1').error).to.equal('BGP_NEIGHBOR_STATE_CHANGED');
  });

  it("counts one second of the knee's sender message by message (200 msg/s, FRR criticals not published)", async () => {
    const lines = corpusFixtures().filter((f) => f.os === 'junos').slice(0, 3).map((f) => f.raw.trimEnd());
    const warm = () => [...c!.seen.keys()].filter((k) => k.startsWith('w')).length; // a late warm-up message
    const before = c!.published() - warm();
    const res = await sendKneeLoad(nl!.udpPort, 200, 1, lines.map(appendSeq));
    expect(res).to.include({ sent: 200, criticals: 1 });
    expect(res.seconds, 'paced by the clock: never done before its second').to.be.at.least(1);
    const want = Array.from({ length: 200 }, (_, i) => String(i));
    for (let i = 0; i < 100 && !want.every((k) => c!.seen.has(k)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(want.filter((k) => !c!.seen.has(k))).to.deep.equal([]);
    expect(c!.published() - warm() - before).to.equal(200); // the critical (FRR) has no napalm-logs profile
    expect(udpSocketDrops(nl!.udpPort)).to.deep.include({ drops: 0 });
  });

  it('stops by PID: none of its processes is left', async () => {
    const pids = [nl!.pid, ...nl!.processes()];
    expect(pids.length).to.be.greaterThan(5);
    await c!.stop();
    await nl!.stop();
    c = null;
    nl = null;
    expect(pids.filter(alive)).to.deep.equal([]);
  });
});
