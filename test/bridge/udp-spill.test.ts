/**
 * The UDP receiver's disk spill (bridge/udp-spill.ts): past twice the raw queue's bound, a datagram
 * that may be critical is written to disk instead of dropped, and handed on once the processor
 * catches up; past the bound, the others too, within half the spill. The file format, the bulk
 * share and recovery are checked on the module; the receiver's use of it with the processor
 * thread held at a gate (deterministic, no timing), against the same flood without a spill (then
 * those criticals are dropped as `critical_hard_full`) and with a spill too small for the noise.
 */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPILL_BULK_SHARE, SpillReadError, UdpSpill } from '../../bridge/udp-spill.js';
import { until } from '../support/bridge-proc.js';
import { gatedListen } from '../support/gated-listen.js';

const noise = (i: number) => `<30>May  1 10:00:00 srv${i % 50} sshd[22]: Accepted publickey for user${i % 5} from 192.0.2.${i % 250} port ${i % 60000} ssh2 seq=${i}`;
const frrDown = (i: number) => `<29>May  1 10:00:00 edge${i % 40} bgpd[1234]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor 10.9.${i >> 8}.${i & 255}(Unknown) in vrf default Down crit=${i}`;


describe('bridge/udp-spill: datagrams go to disk, not away', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'netops-spill-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back what it took, oldest first, with lengths, addresses and receipt times', async () => {
    const s = new UdpSpill(dir, 1 << 20, 4096);
    const sent = Array.from({ length: 100 }, (_, i) => ({ data: Buffer.from(frrDown(i)), orig: i === 7 ? 70_000 : frrDown(i).length, ip: i % 2 ? '2001:db8::1' : '192.0.2.9', at: 1_700_000_000_123.5 + i }));
    for (const d of sent) expect(s.add(d.data, d.orig, d.ip, d.at)).to.equal(true);
    expect(await s.take(), 'the oldest chunk is still being written: nothing yet').to.equal(null);
    expect(s.waiting).to.equal(true);
    await s.settle();
    expect(readdirSync(dir).length, 'full chunks are on disk').to.be.greaterThan(1);
    const back: typeof sent = [];
    for (let b = await s.take(); b; b = await s.take()) {
      let off = 0;
      const data = Buffer.from(b.data);
      b.lens.forEach((len, i) => {
        back.push({ data: data.subarray(off, off + len), orig: b.orig[i]!, ip: b.ips[i]!, at: b.times[i]! });
        off += len;
      });
    }
    expect(back.map((d) => [d.data.toString(), d.orig, d.ip, d.at])).to.deep.equal(sent.map((d) => [d.data.toString(), d.orig, d.ip, d.at]));
    expect(s.stats).to.include({ spilled: 100, replayed: 100, bytes: 0, files: 0 });
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it('refuses past its bound, and a new instance replays what the last one left (a half-written file is discarded)', async () => {
    const s = new UdpSpill(dir, 2000, 1024);
    let taken = 0;
    while (s.add(Buffer.from(frrDown(taken)), 150, '192.0.2.9', 1)) taken++;
    expect(taken).to.be.within(5, 15);
    await s.settle();
    s.flush();
    writeFileSync(join(dir, 'spill-000000000099.bin.tmp'), 'half a file');
    const again = new UdpSpill(dir, 2000, 1024);
    expect(again.stats.recovered).to.equal(taken);
    expect(readdirSync(dir).some((n) => n.endsWith('.tmp'))).to.equal(false);
    let n = 0;
    for (let b = await again.take(); b; b = await again.take()) n += b.lens.length;
    expect(n).to.equal(taken);
  });

  it('a chunk the disk refuses is lost, counted and reported; nothing is spilled after it', async () => {
    const errors: Array<[string, number]> = [];
    const s = new UdpSpill(dir, 1 << 20, 1024, (err, lost) => errors.push([err.message, lost]));
    rmSync(dir, { recursive: true, force: true }); // the directory vanishes under it
    let n = 0;
    while (n < 20 && s.add(Buffer.from(frrDown(n)), 150, '192.0.2.9', 1)) n++;
    await s.settle();
    // every chunk handed to the disk before the first refusal came back is reported
    expect(errors.length).to.be.at.least(1);
    for (const [msg] of errors) expect(msg).to.match(/ENOENT/);
    expect(s.broken).to.equal(true);
    expect(s.add(Buffer.from(frrDown(99)), 150, '192.0.2.9', 1), 'refused once broken').to.equal(false);
    expect(s.stats.lost).to.equal(errors.reduce((a, [, k]) => a + k, 0));
    expect(s.stats.lost).to.be.greaterThan(0);
    mkdirSync(dir, { recursive: true });
  });

  it('a file that cannot be read back is given up, counted, and the next ones still come', async () => {
    const s = new UdpSpill(dir, 1 << 20, 1024);
    let n = 0;
    while (n < 30) expect(s.add(Buffer.from(frrDown(n++)), 150, '192.0.2.9', 1)).to.equal(true);
    await s.settle();
    const files = readdirSync(dir).sort();
    expect(files.length).to.be.greaterThan(2);
    rmSync(join(dir, files[0]!)); // removed by someone else
    const err = await s.take().then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(SpillReadError);
    const lost = (err as SpillReadError).lost;
    expect(lost).to.equal(Number(/-(\d+)\.bin$/.exec(files[0]!)![1]));
    let back = 0;
    for (let b = await s.take(); b; b = await s.take()) back += b.lens.length;
    expect(back + lost).to.equal(30);
    expect(s.stats).to.include({ lost, replayed: back, bytes: 0, files: 0 });
  });

  it('spills datagrams that cannot be critical only up to their share of the bound', () => {
    const s = new UdpSpill(dir, 20_000, 1024);
    let bulk = 0;
    while (s.add(Buffer.from(frrDown(bulk)), 150, '192.0.2.9', 1, true)) bulk++;
    expect(s.stats.bytes).to.be.at.most(20_000 * SPILL_BULK_SHARE);
    let crit = 0;
    while (s.add(Buffer.from(frrDown(crit)), 150, '192.0.2.9', 1)) crit++;
    expect(crit, 'the rest of the room is for those that may be critical').to.be.within(bulk - 2, bulk + 2);
    expect(s.stats).to.include({ spilled: bulk + crit, bulk });
  });

  for (const [mib, what] of [[64, 'everything arrives, nothing is shed'], [1, 'past their share the others are shed, counted, and every critical still arrives']] as const) {
    it(`a flood of noise and critical-capable datagrams, the processor stopped, a ${mib} MiB spill: ${what}`, async () => {
      const g = await gatedListen({ udpQueueBytes: 256 * 1024, udpSpill: { dir: join(dir, 'udp-spill'), maxBytes: mib << 20 } });
      const { ls, items } = g;
      const N = 1500;
      const NOISE = 4 * N; // ≈ 820 KB of noise: more than half of 1 MiB
      try {
        await g.send(frrDown(-1));
        while (g.reached() === 0) await new Promise((r) => setTimeout(r, 5));
        for (let i = 0; i < N; i++) {
          for (let k = 0; k < 4; k++) await g.send(noise(4 * i + k));
          await g.send(frrDown(i));
          if (i % 50 === 0) await g.drain(512 * 1024);
        }
        await g.drain();
        g.open();
        await until(() => items.filter((e) => e.level === 'critical').length >= N + 1, 30_000, 'every critical');
        await new Promise((r) => setTimeout(r, 300));
        await ls.close();
        const st = ls.stats();
        expect(st.udpKernelDrops ?? 0, 'kernel drops').to.equal(0);
        const reasons = st.udpRawDropsByReason;
        expect(reasons.critical_hard_full ?? 0).to.equal(0);
        expect(new Set(items.filter((e) => e.level === 'critical').map((e) => e.raw)).size).to.equal(N + 1);
        const noiseArrived = new Set(items.filter((e) => e.raw.includes('sshd[22]')).map((e) => e.raw)).size;
        expect(st.udpSpill!.bulk, 'noise was spilled').to.be.greaterThan(1000);
        expect(st.udpSpill!.replayed).to.equal(st.udpSpill!.spilled);
        if (mib === 64) {
          expect(st.udpQueueDrops, JSON.stringify(reasons)).to.equal(0);
          expect(noiseArrived).to.equal(NOISE);
        } else {
          expect(reasons.not_critical ?? 0, JSON.stringify(reasons)).to.be.greaterThan(500);
          expect(noiseArrived + reasons.not_critical! + st.udpQueueDropsByLevel.info).to.equal(NOISE);
        }
      } finally {
        g.close();
      }
    });
  }

  it('what is still spilled when the listener closes is replayed by the next one, nothing lost or doubled', async () => {
    const spillDir = join(dir, 'udp-spill');
    const N = 3000;
    const g = await gatedListen({ udpQueueBytes: 256 * 1024, udpSpill: { dir: spillDir, maxBytes: 64 << 20 } });
    let closed = false;
    try {
      await g.send(frrDown(-1));
      while (g.reached() === 0) await new Promise((r) => setTimeout(r, 5));
      for (let i = 0; i < N; i++) {
        await g.send(frrDown(i));
        if (i % 200 === 0) await g.drain(512 * 1024);
      }
      await g.drain();
      // close with the processor still held: the spill keeps what it has for the next start
      const closing = g.ls.close();
      g.open();
      await closing;
      closed = true;
    } finally {
      g.close();
    }
    const before = g.ls.stats();
    expect(before.udpSpill!.spilled - before.udpSpill!.replayed, 'left in the spill').to.be.greaterThan(100);
    expect(readdirSync(spillDir).length).to.be.greaterThan(0);
    const first = g.items.filter((e) => e.level === 'critical').map((e) => e.raw);
    expect(closed).to.equal(true);
    const g2 = await gatedListen({ udpQueueBytes: 256 * 1024, udpSpill: { dir: spillDir, maxBytes: 64 << 20 } });
    try {
      g2.open();
      await until(() => first.length + g2.items.length >= N + 1, 20_000, 'the rest, replayed by the next listener');
      await g2.ls.close();
      const all = [...first, ...g2.items.filter((e) => e.level === 'critical').map((e) => e.raw)];
      expect(all.length, 'none twice').to.equal(N + 1);
      expect(new Set(all).size).to.equal(N + 1);
      expect(g2.ls.stats().udpSpill!.recovered).to.equal(before.udpSpill!.spilled - before.udpSpill!.replayed);
      expect(before.udpQueueDrops + g2.ls.stats().udpQueueDrops).to.equal(0);
      expect(readdirSync(spillDir)).to.deep.equal([]);
    } finally {
      g2.close();
    }
  });

  for (const spill of [true, false]) {
    it(spill ? 'a flood of critical-capable datagrams past twice the raw bound: every one arrives, none dropped' : 'the same flood without a spill: dropped and counted as critical_hard_full', async () => {
      // raw bound 64 KiB, hard bound 128 KiB: 3,000 lines of ~150 bytes are 450 KB
      const g = await gatedListen({ udpQueueBytes: 256 * 1024, udpSpill: spill ? { dir: join(dir, 'udp-spill'), maxBytes: 64 << 20 } : null });
      const { ls, items } = g;
      const N = 3000;
      try {
        await g.send(frrDown(-1));
        while (g.reached() === 0) await new Promise((r) => setTimeout(r, 5)); // the processor is now blocked
        for (let i = 0; i < N; i++) {
          await g.send(frrDown(i));
          if (i % 200 === 0) await g.drain(512 * 1024);
        }
        await g.drain();
        g.open();
        if (spill) await until(() => items.length >= N + 1, 20_000, 'every datagram, the spilled ones too');
        await ls.close();
        const st = ls.stats();
        expect(st.udpKernelDrops ?? 0, 'kernel drops').to.equal(0);
        const crits = new Set(items.filter((e) => e.level === 'critical').map((e) => e.raw));
        if (spill) {
          expect(crits.size).to.equal(N + 1);
          expect(st.udpQueueDrops, JSON.stringify(st.udpRawDropsByReason)).to.equal(0);
          expect(st.udpSpill!.spilled).to.be.greaterThan(N / 2);
          expect(st.udpSpill!.replayed).to.equal(st.udpSpill!.spilled);
          expect(readdirSync(join(dir, 'udp-spill'))).to.deep.equal([]);
        } else {
          expect(st.udpRawDropsByReason.critical_hard_full ?? 0).to.be.greaterThan(N / 2);
          expect(crits.size + st.udpRawDropsByReason.critical_hard_full!).to.equal(N + 1);
          expect(st.udpSpill).to.equal(null);
        }
      } finally {
        g.close();
      }
    });
  }
});
