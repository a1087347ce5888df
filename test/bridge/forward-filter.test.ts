/**
 * The UDP processor thread decides `not_forwarded` itself for events nothing on the main thread
 * could change (bridge/ingest-worker.ts): checked here against what the main thread does with
 * the same event (neutralise, verify the sender, damp, forward set), on every corpus and own
 * fixture, with and without an inventory, and on crafted events where neutralising or
 * verifying changes the answer.
 */
import { expect } from 'chai';
import { Damper, classify as dampingKey } from '../../bridge/damping.js';
import type { DeviceEvent } from '../../bridge/event.js';
import { defaultForwardSet, forwards, loadForwardSet, type ForwardSet } from '../../bridge/forward.js';
import { filteredHere, type FilterCounters, type ForwardFilterOptions } from '../../bridge/ingest-worker.js';
import { neutraliseEvent } from '../../bridge/neutralise.js';
import { Classifier } from '../../bridge/parse.js';
import { senderVerifier, type Sender } from '../../bridge/verify.js';
import { testEvent } from '../support/events.js';
import { corpusFixtures, ownFixtures } from '../syslog/fixtures.js';

const zero = (): FilterCounters => ({ notForwarded: 0, enriched: 0, unverified: 0, impersonations: 0 });

/** What the main thread posts for one event (bridge.ts onEvent → damper → post), on a fresh damper. */
function mainPosts(ev0: DeviceEvent, f: ForwardFilterOptions): boolean {
  const ev = neutraliseEvent(structuredClone(ev0));
  if (f.senders) {
    const verdict = senderVerifier(new Map(f.senders), new Set(f.relays))(ev);
    if (verdict !== 'verified' && f.dropUnverified) return false;
  } else ev.verified = null;
  const out = f.damping ? new Damper().push(ev) : [ev];
  return out.some((e) => e.error === null || forwards(e, f.set, f.minLevel));
}

describe('bridge/ingest-worker: forward decisions in the processor thread', function () {
  const set = loadForwardSet(defaultForwardSet()!);
  const classifier = new Classifier({});
  const events = [...corpusFixtures(), ...ownFixtures()].map((fx) => classifier.parse(fx.raw, '192.0.2.10', 1_700_000_000));
  const senders: Array<[string, Sender]> = [['192.0.2.10', { router: 'bma-edge1', site: 'bma' }]];

  it('never filters what the main thread would post, and filters the rest it can decide', function () {
    expect(events.length).to.be.greaterThan(50);
    for (const inv of [null, senders]) {
      for (const minLevel of ['critical', 'none'] as const) {
        const f: ForwardFilterOptions = { set, minLevel, damping: true, senders: inv, relays: [], dropUnverified: false };
        const verify = inv ? senderVerifier(new Map(inv), new Set()) : null;
        let filtered = 0;
        for (const ev of events) {
          const c = zero();
          const here = filteredHere(structuredClone(ev), f, verify, c);
          const posts = mainPosts(ev, f);
          if (here) {
            expect(posts, `${ev.error} filtered but the main thread posts it`).to.equal(false);
            expect(c.notForwarded).to.equal(1);
            if (inv) expect(c.enriched).to.equal(1);
            filtered++;
          } else if (!posts && ev.error !== null) {
            // handed over although not posted: only because the damper handles it
            expect(dampingKey(ev), `${ev.error} not filtered`).to.not.equal(null);
          }
        }
        expect(filtered).to.be.greaterThan(10);
      }
    }
  });

  it('decides on the neutralised value and the verified router, as the main thread would', function () {
    const crafted: ForwardSet = {
      source: 'test',
      rules: [
        { name: 'jinja', criteria: [{ field: 'summary', op: 'regex', pattern: '\\{ \\{' }] },
        { name: 'site', criteria: [{ field: 'trigger.site', op: 'equals', pattern: 'bma' }] },
      ],
    };
    const f: ForwardFilterOptions = { set: crafted, minLevel: 'none', damping: true, senders, relays: [], dropUnverified: false };
    const verify = senderVerifier(new Map(senders), new Set());
    const base = { error: 'SOMETHING', state: null, peer: null, interface: null, level: 'info' as const };
    // '{{' only matches '\{ \{' once neutralised
    const jinja = testEvent(1, { ...base, ip: '198.51.100.7', router: 'x', host: 'x', summary: 'x: {{ st2kv.system.secret }}' });
    expect(filteredHere(structuredClone(jinja), f, verify, zero())).to.equal(false);
    expect(mainPosts(jinja, f)).to.equal(true);
    // the claimed name is not bma-edge1's, the address is: verified, site bma, posted
    const claimed = testEvent(2, { ...base, ip: '192.0.2.10', router: 'other', host: 'other', summary: 'other: hello' });
    expect(filteredHere(structuredClone(claimed), f, verify, zero())).to.equal(false);
    // an unknown address claiming bma-edge1: not verified (no site), not posted, counted as an impersonation
    const forged = testEvent(3, { ...base, ip: '198.51.100.7', router: 'bma-edge1', host: 'bma-edge1', summary: 'bma-edge1: hello' });
    const c = zero();
    expect(filteredHere(structuredClone(forged), f, verify, c)).to.equal(true);
    expect(mainPosts(forged, f)).to.equal(false);
    expect(c).to.deep.equal({ notForwarded: 1, enriched: 0, unverified: 1, impersonations: 1 });
    // the same name behind an invisible mark (U+200E): neutralised first, so still an impersonation
    const hidden = testEvent(6, { ...base, ip: '198.51.100.7', router: 'bma-edge1\u200e', host: 'bma-edge1\u200e', summary: 'bma-edge1\u200e: hello' });
    const ch = zero();
    expect(filteredHere(structuredClone(hidden), f, verify, ch)).to.equal(true);
    expect(mainPosts(hidden, f)).to.equal(false);
    expect(ch).to.deep.equal({ notForwarded: 1, enriched: 0, unverified: 1, impersonations: 1 });
    // with --drop-unverified the main thread drops it under that reason: handed over
    expect(filteredHere(structuredClone(forged), { ...f, dropUnverified: true }, verify, zero())).to.equal(false);
    // a damped event (state and peer) always goes to the main thread
    const bgp = testEvent(4, { ...base, ip: '198.51.100.7', state: 'Idle', peer: '10.0.0.1', summary: 'x' });
    expect(filteredHere(structuredClone(bgp), f, verify, zero())).to.equal(false);
    // unknown messages that got this far are forwarded
    expect(filteredHere(testEvent(5, { ...base, error: null }), f, verify, zero())).to.equal(false);
  });
});
