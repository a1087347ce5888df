/** Device text made harmless for Jinja and Slack: a given/want table, and what is left alone. */
import { expect } from 'chai';
import { SUSPECT, isSuspect, isSuspectJson, neutralise, neutraliseEvent, neutraliseValue, neutralisedJson } from '../../bridge/neutralise.js';
import { testEvent } from '../support/events.js';

const CASES: Array<[string, string]> = [
  ['{{ st2kv.system.api_token }}', '{ { st2kv.system.api_token } }'],
  ['{% for x in y %}{# c #}{{{x}}}', '{ % for x in y % }{ # c # }{ { {x} } }'],
  ['<!channel> <!here|here> <@U024BE7LH> <#C123> <https://evil.example|click> <mailto:a@b>', '‹!channel> ‹!here|here> ‹@U024BE7LH> ‹#C123> ‹https://evil.example|click> ‹mailto:a@b>'],
  ['ping @here and @channel, @Everyone', 'ping @\u2060here and @\u2060channel, @\u2060Everyone'],
  ['\u001b[31mred\u001b[0m \u001b]0;title\u0007 bell\u0007 nul\u0000 c1\u0085', 'red  bell  nul  c1 '],
  ['gnp.exe\u202e \u2066iso\u2069 \u200emark', 'gnp.exe iso mark'],
  ['line one\nline two\u2028three', 'line one line two three'],
];

describe('bridge/neutralise', function () {
  for (const [given, want] of CASES) {
    it(`${JSON.stringify(given).slice(0, 50)} → ${JSON.stringify(want).slice(0, 50)}`, function () {
      expect(neutralise(given)).to.equal(want);
      expect(neutralise(want), 'idempotent').to.equal(want);
    });
  }

  it('leaves ordinary device text alone (PRI, %TAGS, {braces}, 100% , e-mail)', function () {
    for (const s of ['<189>Nov 24 22:51:03 r1 bgpd[1]: %ADJCHANGE: neighbor 10.0.0.1 Down', 'set {x} 100% done #3', 'ops@example.net', '<unknown>']) {
      expect(neutralise(s)).to.equal(s);
    }
  });

  it('reaches every string of an event, nested ones and keys included; id and ip stay', function () {
    const ev = neutraliseEvent(testEvent(1, { summary: 'r1: {{x}}', message_details: { values: { reason: '<!here>', 'k{{': ['\u001b[1m'] } }, yang_message: { a: { b: '{%x%}' } } }));
    expect(ev.summary).to.equal('r1: { {x} }');
    expect(ev.message_details).to.deep.equal({ values: { reason: '‹!here>', 'k{ {': [''] } });
    expect(ev.yang_message).to.deep.equal({ a: { b: '{ %x% }' } });
    expect([ev.id, ev.ip, ev.timestamp]).to.deep.equal(['id-1', '192.0.2.1', 1_700_000_001]);
  });
});

describe('bridge/neutralise: isSuspect (the hand-written scan) agrees with the SUSPECT regex', () => {
  it('on 200,000 random strings over the characters that matter', () => {
    const alphabet = ['a', 'Z', 'x', ' ', '<', '!', '@', '#', '{', '}', '%', 'here', 'HeRe', 'channel', 'everyone', 'chan', '\u0000', '\u001b', '\u001f', '\u007f', '\u0085', '\u009f', '\u00a0', 'é', '\u061c', '\u200e', '\u200f', '\u2028', '\u2029', '\u202a', '\u202e', '\u202f', '\u2066', '\u2069', '\u206a', '7', '>', 'ſ', 'K'];
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    let suspects = 0;
    for (let i = 0; i < 200_000; i++) {
      let s = '';
      const len = rnd(8);
      for (let j = 0; j < len; j++) s += alphabet[rnd(alphabet.length)];
      const want = SUSPECT.test(s);
      if (want) suspects++;
      if (isSuspect(s) !== want) expect.fail(`isSuspect(${JSON.stringify(s)}) should be ${want}`);
    }
    expect(suspects).to.be.greaterThan(300);
  });
});

describe('bridge/neutralise: the JSON-text screen (isSuspectJson) never misses what the walk would neutralise', () => {
  it('on 50,000 random values, and neutralisedJson equals the JSON of neutraliseEvent', () => {
    const alphabet = ['a', ' ', '<', '!', '@', '#', '{', '}', '%', 'here', '\\', '"', '/', '\n', '\u0000', '\u001b', '\u0085', '\u2028', '\u202e', 'é', '→', 'x'];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const str = () => Array.from({ length: rnd(6) }, () => alphabet[rnd(alphabet.length)]).join('');
    const value = (depth: number): unknown => {
      const k = rnd(depth > 2 ? 2 : 5);
      if (k === 0) return str();
      if (k === 1) return rnd(3) === 0 ? null : rnd(100);
      if (k === 2) return Array.from({ length: rnd(3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rnd(3) }, () => [str(), value(depth + 1)]));
    };
    let changed = 0;
    for (let i = 0; i < 50_000; i++) {
      const v = value(0);
      if (neutraliseValue(v) !== v) {
        changed++;
        if (!isSuspectJson(JSON.stringify(v))) expect.fail(`missed: ${JSON.stringify(v)}`);
      }
      const ev = testEvent(i, { summary: str(), raw: str(), message_details: { m: value(1) } });
      expect(neutralisedJson(ev).json).to.equal(JSON.stringify(neutraliseEvent(ev)));
    }
    expect(changed).to.be.greaterThan(1000);
  });
});
