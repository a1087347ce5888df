/**
 * The event pipeline (bridge/pipeline.ts: verify, damp, forward set) runs in the UDP processor
 * thread on events not neutralised yet, and on the main thread on neutralised ones (TCP/TLS).
 * Checked here: both give the same posts, counters and damping on every corpus and own fixture
 * (with and without an inventory, rules only or critical too); crafted events where neutralising
 * or verifying changes the answer; --drop-unverified; damping summaries on the tick; and the
 * processor hands over exactly the posted events, neutralised, as JSON text.
 */
import { expect } from 'chai';
import type { DeviceEvent } from '../../bridge/event.js';
import { defaultForwardSet, loadForwardSet, type ForwardSet } from '../../bridge/forward.js';
import { createProcessor } from '../../bridge/ingest-worker.js';
import { neutraliseEvent } from '../../bridge/neutralise.js';
import { Classifier } from '../../bridge/parse.js';
import { EventPipeline, type PipelineOptions } from '../../bridge/pipeline.js';
import type { Sender } from '../../bridge/verify.js';
import { testEvent } from '../support/events.js';
import { corpusFixtures, ownFixtures } from '../syslog/fixtures.js';

const json = (evs: DeviceEvent[]) => evs.map((e) => JSON.stringify(neutraliseEvent(e)));

describe('bridge/pipeline: verify, damp and decide where the event was classified', function () {
  const set = loadForwardSet(defaultForwardSet()!);
  const classifier = new Classifier({});
  const raws = [...corpusFixtures(), ...ownFixtures()].map((fx) => fx.raw);
  const senders: Array<[string, Sender]> = [['192.0.2.10', { router: 'bma-edge1', site: 'bma' }]];
  const options = (o: Partial<PipelineOptions> = {}): PipelineOptions => ({ forward: { set, minLevel: 'critical' }, damping: {}, senders, relays: [], dropUnverified: false, ...o });

  it('posts the same events, counts the same, before or after the whole event is neutralised', function () {
    expect(raws.length).to.be.greaterThan(50);
    for (const inv of [null, senders]) {
      for (const minLevel of ['critical', 'none'] as const) {
        const o = options({ senders: inv, forward: { set, minLevel } });
        // the same message from two addresses, twice: damping repeats and the verifier both matter
        const seq = [...raws, ...raws].flatMap((raw) => ['192.0.2.10', '198.51.100.7'].map((ip) => classifier.parse(raw, ip, 1_700_000_000)));
        const now = () => 1_700_000_000_000;
        const processor = new EventPipeline(o, now);
        const main = new EventPipeline(o, now);
        let posted = 0;
        for (const ev of seq) {
          const here = json(processor.push(structuredClone(ev)));
          const there = json(main.push(neutraliseEvent(structuredClone(ev))));
          expect(here, ev.raw).to.deep.equal(there);
          posted += here.length;
        }
        expect(processor.counters).to.deep.equal(main.counters);
        expect(processor.damping()).to.deep.equal(main.damping());
        expect(posted).to.be.greaterThan(0);
        expect(processor.counters.notForwarded, 'some events are not posted').to.be.greaterThan(10);
        expect(processor.damping().suppressed, 'the repeats are damped').to.be.greaterThan(0);
        if (inv) expect(processor.counters.enriched).to.equal(seq.length / 2);
      }
    }
  });

  it('decides on the neutralised value and the verified router', function () {
    const crafted: ForwardSet = {
      source: 'test',
      rules: [
        { name: 'jinja', criteria: [{ field: 'trigger.summary', op: 'regex', pattern: '\\{ \\{' }] },
        { name: 'site', criteria: [{ field: 'trigger.site', op: 'equals', pattern: 'bma' }] },
      ],
    };
    const p = new EventPipeline(options({ forward: { set: crafted, minLevel: 'none' } }));
    const base = { error: 'SOMETHING', state: null, peer: null, interface: null, level: 'info' as const };
    // '{{' only matches '\{ \{' once neutralised
    expect(p.push(testEvent(1, { ...base, ip: '198.51.100.7', router: 'x', host: 'x', summary: 'x: {{ st2kv.system.secret }}' }))).to.have.length(1);
    // the claimed name is not bma-edge1's, the address is: verified, site bma, posted under its real name
    const [claimed] = p.push(testEvent(2, { ...base, ip: '192.0.2.10', router: 'other', host: 'other', summary: 'other: hello' }));
    expect(claimed).to.include({ router: 'bma-edge1', site: 'bma', verified: true, summary: 'bma-edge1: hello' });
    // an unknown address claiming bma-edge1: not verified (no site), not posted, counted as an impersonation
    expect(p.push(testEvent(3, { ...base, ip: '198.51.100.7', router: 'bma-edge1', host: 'bma-edge1', summary: 'bma-edge1: hello' }))).to.deep.equal([]);
    // the same name behind an invisible mark (U+200E): neutralised first, so still an impersonation
    expect(p.push(testEvent(6, { ...base, ip: '198.51.100.7', router: 'bma-edge1\u200e', host: 'bma-edge1\u200e', summary: 'bma-edge1\u200e: hello' }))).to.deep.equal([]);
    // unknown messages that got this far are posted whatever the rules say
    expect(p.push(testEvent(5, { ...base, error: null }))).to.have.length(1);
    expect(p.counters).to.deep.equal({ enriched: 1, unverified: 4, impersonations: 2, notForwarded: 2, droppedUnverified: { info: 0, warning: 0, critical: 0 } });
  });

  it('--drop-unverified drops and counts by level what an unknown address sends', function () {
    const p = new EventPipeline(options({ forward: null, dropUnverified: true }));
    expect(p.push(testEvent(1, { ip: '198.51.100.7', level: 'critical' }))).to.deep.equal([]);
    expect(p.push(testEvent(2, { ip: '198.51.100.7', level: 'info', peer: '10.0.0.2' }))).to.deep.equal([]);
    expect(p.push(testEvent(3, { ip: '192.0.2.10', level: 'critical' }))).to.have.length(1);
    expect(p.counters.droppedUnverified).to.deep.equal({ info: 1, warning: 0, critical: 1 });
    expect(p.counters.unverified).to.equal(2);
  });

  it('damps a flapping session and gives its summary on the tick when the window ends', function () {
    let t = 1_700_000_000_000;
    const p = new EventPipeline(options({ forward: null, damping: { windowMs: 60_000 } }), () => t);
    const flap = (i: number, state: string) => p.push(testEvent(i, { ip: '192.0.2.10', state, level: state === 'Established' ? 'info' : 'critical', summary: `bma-edge1: peer 10.0.0.1 ${state}` }));
    expect(flap(1, 'Idle'), 'the first failure goes out').to.have.length(1);
    expect(flap(2, 'Established'), 'its recovery too').to.have.length(1);
    for (let i = 3; i < 13; i++) expect(flap(i, i % 2 ? 'Idle' : 'Established')).to.deep.equal([]);
    expect(p.tick()).to.deep.equal([]);
    t += 61_000;
    const summary = p.tick();
    expect(summary.map((e) => e.error)).to.deep.equal(['BGP_NEIGHBOR_FLAPPING']);
    expect(summary[0]!.router).to.equal('bma-edge1');
    expect(p.damping()).to.include({ suppressed: 10, summaries: 1, paired: 1 });
  });

  it('the processor thread hands over the posted events only, neutralised, as JSON, and flushes what damping holds', function () {
    const proc = createProcessor({ budgetMs: 20, forwardUnknown: false, pipeline: options({ forward: { set, minLevel: 'critical' } }) }, () => undefined);
    let handed = 0;
    let posted = 0;
    const main = new EventPipeline(options({ forward: { set, minLevel: 'critical' } }), () => Date.now());
    for (const raw of raws) {
      const frame = { data: Buffer.from(raw), truncated: false, length: raw.length };
      const items = proc.process(frame, '192.0.2.10', 1_700_000_000_000);
      for (const it of items) {
        const ev = JSON.parse(it.item) as DeviceEvent;
        expect(JSON.stringify(neutraliseEvent(ev)), 'neutralised already').to.equal(it.item);
        expect(it.level).to.equal(ev.level);
      }
      handed += items.length;
      const ev = classifier.parse(raw, '192.0.2.10', 1_700_000_000);
      if (ev.error !== null) posted += main.push(neutraliseEvent(ev)).length;
    }
    expect(handed).to.equal(posted);
    expect(handed).to.be.lessThan(raws.length);
    const counters = proc.counters() as { pipeline: { notForwarded: number } };
    expect(counters.pipeline.notForwarded).to.equal(main.counters.notForwarded);
    expect(proc.flush!().length, 'open damping windows end in summaries').to.equal(json(main.flush()).length);
  });
});
