/**
 * Deferred events (bridge/deferred.ts): the UDP processor thread classifies with
 * `Classifier.parseDeferred` and completes only what it posts. Checked here: once completed, a
 * deferred event is the event `parse` gives, byte for byte, on every corpus and own fixture and
 * on unknown, RFC 5424 and truncated messages; through the pipeline, deferred and whole
 * classification post the same events and count the same, with every forward-set shape (rules
 * only, a rule on a deferred field, none); and what is damped or not forwarded is never completed.
 */
import { expect } from 'chai';
import { completeEvent, isDeferred } from '../../bridge/deferred.js';
import type { DeviceEvent } from '../../bridge/event.js';
import { defaultForwardSet, loadForwardSet, type ForwardSet } from '../../bridge/forward.js';
import { classifyFrame, zeroCounters } from '../../bridge/ingest.js';
import { neutraliseEvent } from '../../bridge/neutralise.js';
import { Classifier } from '../../bridge/parse.js';
import { EventPipeline, type PipelineOptions } from '../../bridge/pipeline.js';
import type { Sender } from '../../bridge/verify.js';
import { corpusFixtures, ownFixtures } from '../syslog/fixtures.js';

const AT = 1_700_000_000;
const json = (evs: DeviceEvent[]) => evs.map((e) => JSON.stringify(neutraliseEvent(e)));

describe('bridge/deferred: events completed only when posted', function () {
  const classifier = new Classifier({});
  const extra = [
    'just some text no header',
    '<13>1 2026-11-24T22:51:03.5Z r1.bma app 42 ID7 [origin ip="192.0.2.1"] not a known message',
    '<30>Nov 24 22:51:03 r1 unknownd[12]: nothing matches this',
    '',
  ];
  const raws = [...corpusFixtures(), ...ownFixtures()].map((fx) => fx.raw).concat(extra);
  const set = loadForwardSet(defaultForwardSet()!);
  const senders: Array<[string, Sender]> = [['192.0.2.10', { router: 'bma-edge1', site: 'bma' }]];

  it('a completed deferred event is the event parse gives, byte for byte', function () {
    expect(raws.length).to.be.greaterThan(50);
    let deferredMatched = 0;
    for (const raw of raws) {
      for (const ip of ['192.0.2.10', '']) {
        const whole = classifier.parse(raw, ip, AT + 0.25);
        const ev = classifier.parseDeferred(raw, ip, AT + 0.25);
        expect(isDeferred(ev), raw).to.equal(true);
        expect(ev.id, 'a placeholder until completed').to.equal('');
        expect(JSON.stringify(ev.message_details), 'a placeholder').to.equal('{}');
        expect(Object.keys(ev), 'the same fields in the same order').to.deep.equal(Object.keys(whole));
        if (ev.error !== null) deferredMatched++;
        // the fields every decision reads are final already
        for (const k of ['error', 'level', 'host', 'router', 'peer', 'interface', 'state', 'summary', 'user', 'timestamp', 'raw'] as const) expect(ev[k], `${k} of ${raw}`).to.deep.equal(whole[k]);
        expect(JSON.stringify(completeEvent(ev)), raw).to.equal(JSON.stringify(whole));
        expect(isDeferred(ev)).to.equal(false);
        expect(JSON.stringify(completeEvent(ev)), 'completing twice changes nothing').to.equal(JSON.stringify(whole));
      }
    }
    expect(deferredMatched).to.be.greaterThan(50);
  });

  it('a truncated frame is completed before it is marked', function () {
    const raw = corpusFixtures()[0]!.raw;
    const frame = { data: Buffer.from(raw), truncated: true, length: raw.length + 1000 };
    const ev = classifyFrame(classifier, frame, '192.0.2.10', AT * 1000, false, zeroCounters(), true)!;
    const whole = classifyFrame(classifier, frame, '192.0.2.10', AT * 1000, false, zeroCounters(), false)!;
    expect(JSON.stringify(ev)).to.equal(JSON.stringify(whole));
    expect(ev.message_details).to.include({ truncated: true, original_length: raw.length + 1000 });
    expect(ev.id).to.match(/^[0-9a-f]{40}$/);
  });

  it('a profile builder that throws when the event is completed leaves it classified, the error in its details', function () {
    const broken = new Classifier({});
    const raw = corpusFixtures().find((fx) => broken.parse(fx.raw, '192.0.2.10', AT).error !== null)!.raw;
    const whole = broken.parse(raw, '192.0.2.10', AT);
    for (const r of broken.profiles.rules) {
      (r as { buildYang: unknown }).buildYang = () => {
        throw new Error('a profile bug\nsecond line');
      };
    }
    const ev = completeEvent(broken.parseDeferred(raw, '192.0.2.10', AT));
    expect(ev.error).to.equal(whole.error);
    expect(ev.id).to.equal(whole.id);
    expect(ev.message_details).to.deep.equal({ message: whole.raw, parseError: 'a profile bug' });
    expect(isDeferred(ev)).to.equal(false);
  });

  const onDeferred: ForwardSet = {
    source: 'test',
    rules: [{ name: 'details', criteria: [{ field: 'trigger.message_details.severity', op: 'lessthan', pattern: 5 }] }],
  };
  for (const [name, forward] of [
    ['the pack\'s forward set', { set, minLevel: 'critical' as const }],
    ['a rule on a deferred field', { set: onDeferred, minLevel: 'none' as const }],
    ['no forward set', null],
  ] as const) {
    it(`the pipeline posts and counts the same, deferred or whole (${name})`, function () {
      for (const inv of [null, senders]) {
        const o: PipelineOptions = { forward, damping: { windowMs: 60_000 }, senders: inv, relays: [], dropUnverified: false };
        let t = AT * 1000;
        const now = () => t;
        const lazy = new EventPipeline(o, now);
        const eager = new EventPipeline(o, now);
        const kept: DeviceEvent[] = [];
        let posted = 0;
        // every message from two addresses, three times: repeats are damped, flaps summarised
        for (let round = 0; round < 3; round++) {
          for (const raw of raws) {
            for (const ip of ['192.0.2.10', '198.51.100.7']) {
              const d = classifier.parseDeferred(raw, ip, AT);
              if (d.error === null) continue;
              const out = lazy.push(d);
              for (const e of out) expect(isDeferred(e), 'what comes out is complete').to.equal(false);
              if (out.length === 0) kept.push(d);
              const here = json(out);
              expect(here, raw).to.deep.equal(json(eager.push(classifier.parse(raw, ip, AT))));
              posted += here.length;
            }
          }
          t += 61_000;
          expect(json(lazy.tick()), 'summaries on the tick').to.deep.equal(json(eager.tick()));
        }
        expect(json(lazy.flush())).to.deep.equal(json(eager.flush()));
        expect(lazy.counters).to.deep.equal(eager.counters);
        expect(lazy.damping()).to.deep.equal(eager.damping());
        expect(posted).to.be.greaterThan(0);
        expect(kept.length, 'some events are damped or not forwarded').to.be.greaterThan(20);
        if (forward?.set === set) {
          // the saving: with the pack's rules nothing held back was ever completed (the damper's
          // last event of a window is completed only for its summary)
          expect(kept.filter((e) => isDeferred(e)).length).to.be.greaterThan(kept.length / 2);
        }
      }
    });
  }
});
