/**
 * bridge/event.ts jsonWithKey: the main thread adds `last_change` to the processor's JSON text
 * instead of serialising the event again; the text must be JSON.stringify's of the event with the
 * key set, for every corpus event and every kind of value the correlator gives.
 */
import { expect } from 'chai';
import { jsonWithKey } from '../../bridge/event.js';
import { neutralisedJson } from '../../bridge/neutralise.js';
import { Classifier } from '../../bridge/parse.js';
import { corpusFixtures } from '../syslog/fixtures.js';

describe('bridge/event jsonWithKey: a key added to JSON text, as JSON.stringify writes it', function () {
  const values: unknown[] = [
    null,
    { at: '2026-12-02T04:00:00Z', user: 'alice', task: 'add_peer', summary: 'peer 10.0.0.1 "quoted" \u2028', channel: '#netops', touches: true, id: 'h-1' },
    'text with "quotes" and \\ and \n',
    0,
    [1, { a: undefined }],
  ];
  it('gives JSON.stringify(ev after ev[key] = value) for every corpus event', function () {
    const classifier = new Classifier({});
    for (const fx of corpusFixtures()) {
      const { event, json } = neutralisedJson(classifier.parse(fx.raw, '192.0.2.10', 1_700_000_000));
      for (const v of values) {
        const ev = JSON.parse(json) as Record<string, unknown>;
        ev.last_change = v;
        expect(jsonWithKey(json, 'last_change', v), fx.raw).to.equal(JSON.stringify(ev));
      }
      expect(event.error).to.not.equal(undefined);
    }
  });

  it('an empty object, and a value JSON leaves out', function () {
    expect(jsonWithKey('{}', 'k', 1)).to.equal('{"k":1}');
    expect(jsonWithKey('{"a":1}', 'k', undefined)).to.equal(JSON.stringify({ a: 1, k: undefined }));
  });
});
