/**
 * Zero critical events dropped for room (issue 11): when the UDP receiver's raw queue overflows
 * (the processor thread starved), the receiver keeps every datagram that may be critical (the
 * critical screen compiled from the profiles, bridge/screen.ts) and sheds only what surely is
 * not, counted by reason. Deterministic: the processor thread is held at a gate (no timing).
 */
import { expect } from 'chai';
import type { DeviceEvent } from '../../bridge/event.js';
import { Classifier } from '../../bridge/parse.js';
import { compileScreen, criticalScreen } from '../../bridge/screen.js';
import { trimFraming } from '../../bridge/syslog/header.js';
import { corpusFixtures, ownFixtures } from '../syslog/fixtures.js';
import { gatedListen } from '../support/gated-listen.js';

const classifier = new Classifier();
const screen = compileScreen(criticalScreen(classifier.profiles));
const fixtures = [...corpusFixtures(), ...ownFixtures()];

// Critical lines whose PRI does not say so: only the screen's tags keep them.
const frrDown = (i: number) => `<29>May  1 10:00:00 edge${i % 40} bgpd[1234]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor 10.9.${i >> 8}.${i & 255}(Unknown) in vrf default Down crit=${i}`;
const noise = (i: number) => `<30>May  1 10:00:00 srv${i % 50} sshd[22]: Accepted publickey for user${i % 5} from 192.0.2.${i % 250} port ${i % 60000} ssh2 seq=${i}`;

describe('bridge: the critical screen (raw queue full, nothing critical dropped)', function () {
  this.timeout(60_000);

  it('says "may be critical" for every sample the classifier calls critical, and not for plain noise', () => {
    let critical = 0;
    for (const f of fixtures) {
      const ev = classifier.parse(f.raw, '192.0.2.1', 1);
      if (ev.level !== 'critical') continue;
      critical++;
      expect(screen(Buffer.from(f.raw)), f.id).to.equal(true);
    }
    expect(critical).to.be.greaterThan(5);
    for (let i = 0; i < 100; i++) {
      expect(classifier.parse(frrDown(i), '192.0.2.1', 1).level).to.equal('critical');
      expect(screen(Buffer.from(frrDown(i)))).to.equal(true);
      expect(screen(Buffer.from(noise(i)))).to.equal(false);
    }
    expect(screen(Buffer.from('<26>May  1 10:00:00 h x: anything at PRI critical'))).to.equal(true);
  });

  it('a starved processor thread and a flood: every critical arrives, only non-critical datagrams are shed, by reason', async () => {
    // raw bound 64 KiB: the flood (~1 MB) overflows it many times over
    const g = await gatedListen({ udpQueueBytes: 256 * 1024 }, classifier);
    const { ls, items } = g;
    try {
      await g.send(noise(-1));
      while (g.reached() === 0) await new Promise((r) => setTimeout(r, 5)); // the processor is now blocked
      const corpusCritical = fixtures.filter((f) => classifier.parse(f.raw, '127.0.0.1', 1).level === 'critical').map((f) => f.raw);
      const criticals: string[] = [];
      for (let i = 0; i < 7000; i++) {
        await g.send(noise(i));
        if (i % 100 === 50) {
          const c = i % 200 === 50 ? frrDown(i) : `${corpusCritical[(i / 100) % corpusCritical.length | 0]!}`;
          criticals.push(c);
          await g.send(c);
        }
        // never outrun the receiver thread: the kernel must drop nothing (that would be another test)
        if (i % 200 === 0) await g.drain(512 * 1024);
      }
      await g.drain();
      g.open();
      await ls.close();
      const st = ls.stats();
      expect(st.udpKernelDrops ?? 0, 'kernel drops').to.equal(0);
      const got = new Map<string, DeviceEvent>();
      for (const ev of items) got.set(ev.raw, ev);
      for (const c of criticals) {
        const ev = got.get(trimFraming(c));
        expect(ev, `critical lost: ${c}`).to.not.equal(undefined);
        expect(ev!.level).to.equal('critical');
      }
      const reasons = st.udpRawDropsByReason;
      expect(reasons.not_critical ?? 0, JSON.stringify(reasons)).to.be.greaterThan(1000);
      expect(Object.keys(reasons).filter((k) => k !== 'not_critical')).to.deep.equal([]);
      expect(st.udpQueueDrops).to.equal(reasons.not_critical! + st.udpQueueDropsByLevel.info + st.udpQueueDropsByLevel.warning + st.udpQueueDropsByLevel.critical);
      expect(st.udpQueueDropsByLevel.critical).to.equal(0);
      // what was dropped is exactly the noise that did not arrive
      const noiseArrived = items.filter((e) => e.raw.includes('sshd[22]')).length;
      expect(noiseArrived + reasons.not_critical! + st.udpQueueDropsByLevel.info).to.equal(7001);
    } finally {
      g.close();
    }
  });
});
