/** The hand-written header layer: PRI, RFC 5424 (SD, BOM, NILVALUE), shapes, timestamps, ids. */
import { expect } from 'chai';
import { parseHeader, parsePri, parseGeneric3164, shapeOf, trimFraming } from '../../bridge/syslog/header.js';
import { parseRfc5424, parseStructuredData } from '../../bridge/syslog/rfc5424.js';
import { deviceTime, rfc3339Time } from '../../bridge/syslog/time.js';
import { eventId, levelOfSeverity, oneLine, parseSyslog } from '../../bridge/parse.js';

describe('syslog header: PRI', function () {
  const cases: Array<[string, number | null, number]> = [
    ['<0>x', 0, 3],
    ['<13>x', 13, 4],
    ['<191>x', 191, 5],
    ['<013>x', 13, 5],
    ['<192>x', null, 0],
    ['<999>x', null, 0],
    ['<1000>x', null, 0],
    ['<>x', null, 0],
    ['<-1>x', null, 0],
    ['<1a>x', null, 0],
    ['<13', null, 0],
    ['13>x', null, 0],
    ['', null, 0],
  ];
  for (const [s, pri, at] of cases) it(JSON.stringify(s), () => expect(parsePri(s)).to.deep.equal([pri, at]));

  it('splits PRI into facility and severity', function () {
    expect(parseHeader('<189>x')).to.include({ pri: 189, facility: 23, severity: 5 });
    expect(parseHeader('no pri')).to.include({ pri: null, facility: null, severity: null });
  });
});

describe('syslog header: RFC 5424', function () {
  it('parses all header fields, NILVALUEs and a BOM before MSG', function () {
    const r = parseRfc5424('1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event', 0)!;
    expect(r).to.deep.include({ version: 1, timestamp: '2003-10-11T22:14:15.003Z', host: 'mymachine.example.com', appName: 'evntslog', procId: null, msgId: 'ID47', message: 'An application event' });
    expect(r.structuredData).to.deep.equal({ 'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' } });
  });

  it('accepts all-NIL headers and an empty MSG', function () {
    expect(parseRfc5424('1 - - - - - -', 0)).to.deep.include({ timestamp: null, host: null, appName: null, procId: null, msgId: null, structuredData: null, message: '' });
  });

  it('unescapes \\" \\\\ \\] in SD values and keeps several elements', function () {
    const sd = parseStructuredData('[a@1 x="q\\"uote" y="back\\\\slash" z="br\\]acket"][b@2 k="v"] rest', 0)!;
    expect(sd.data).to.deep.equal({ 'a@1': { x: 'q"uote', y: 'back\\slash', z: 'br]acket' }, 'b@2': { k: 'v' } });
    expect(sd.end).to.equal('[a@1 x="q\\"uote" y="back\\\\slash" z="br\\]acket"][b@2 k="v"]'.length);
  });

  it('rejects malformed SD, so the line is read as RFC 3164', function () {
    expect(parseStructuredData('[a@1 x="unterminated]', 0)).to.equal(null);
    expect(parseHeader('<13>1 2003-10-11T22:14:15Z host app - - [broken msg').shape).to.not.equal('rfc5424');
  });

  it('keeps FRR\'s leading space in MSG (rsyslog adds one after "- -")', function () {
    const h = parseHeader('<30>1 2026-11-24T22:38:23.659541+00:00 bma-edge1 bgpd 14540 - -  [N9HHH-F8H1M] %ADJCHANGE: neighbor 10.0.0.1(vm) in vrf default Up');
    expect(h.shape).to.equal('rfc5424');
    expect(h.body).to.equal(' [N9HHH-F8H1M] %ADJCHANGE: neighbor 10.0.0.1(vm) in vrf default Up');
  });

  it('uses the RFC 5424 timestamp (with offset) as the event time', function () {
    const e = parseSyslog('<13>1 2024-05-02T07:15:31.5+02:00 h app 1 - - hello', '192.0.2.1', 1);
    expect(e.timestamp).to.equal(Date.UTC(2024, 4, 2, 5, 15, 31) / 1000);
    expect(e).to.include({ host: 'h', error: null });
    expect(e.summary).to.equal('h: app: hello');
  });
});

describe('syslog header: RFC 3164 shapes', function () {
  const cases: Array<[string, string]> = [
    ['Jun 21 14:03:12  vmx01 rpd[2902]: X', 'bsd'],
    ['Jun  1 12:50:26 h x', 'bsd'],
    ['*Mar  1 18:46:11.311: %LINK-5-CHANGED: x', 'bsd'],
    ['2020-03-31T08:41:59+00:00 h x', 'iso'],
    ['2018 Apr 20 13:15:07 nexus %ETH', 'year'],
    ['2018-7-23 01:00:33.270.1 sw %%01IFNET', 'ymd'],
    ['521: router1: *Nov 14 08:30:56.699: %LINK', 'seq'],
    ['date=2019-04-04 time=09:19:21 devname=fw01', 'kv'],
    ['sw01.pdx01: 2017 Jul 28 14:42:46 UTC: %AUTH', 'other'],
    ['ztp-ts port02 2018-Nov- 9 15:38:25.341 RXDATA: x', 'other'],
    ['', 'other'],
  ];
  for (const [s, shape] of cases) it(`${shape}: ${s || '(empty)'}`, () => expect(shapeOf(s, 0)).to.equal(shape));

  it('splits an unknown BSD line into timestamp, host and tag', function () {
    expect(parseGeneric3164('Nov 24 22:38:22 web1 sshd[812]: Accepted publickey for ops', 'bsd')).to.deep.equal({
      date: 'Nov 24', time: '22:38:22', host: 'web1', tag: 'sshd[812]', message: 'Accepted publickey for ops',
    });
    expect(parseGeneric3164('Nov 24 22:38:22 sshd[812]: no host here', 'bsd')).to.include({ host: null, tag: 'sshd[812]' });
    expect(parseGeneric3164('just text', 'other')).to.deep.equal({ date: null, time: null, host: null, tag: null, message: 'just text' });
  });

  it('trims framing (CR, LF, NUL, a leading BOM) and nothing else', function () {
    expect(trimFraming('\uFEFF<13>x \r\n')).to.equal('<13>x ');
    expect(trimFraming('<13>x\n\u0000')).to.equal('<13>x');
  });
});

describe('syslog time', function () {
  it('trusts only dates with a year', function () {
    expect(deviceTime('Jun 21', '14:03:12')).to.equal(null);
    expect(deviceTime('2018 Apr 20', '13:15:07')).to.equal(Date.UTC(2018, 3, 20, 13, 15, 7) / 1000);
    expect(deviceTime('2018-7-23', '01:00:33')).to.equal(Date.UTC(2018, 6, 23, 1, 0, 33) / 1000);
    expect(deviceTime('2018-Nov- 9', '15:38:25.341')).to.equal(Date.UTC(2018, 10, 9, 15, 38, 25) / 1000);
    expect(deviceTime('Nov 14 2023', '08:30:56', 'UTC')).to.equal(Date.UTC(2023, 10, 14, 8, 30, 56) / 1000);
    expect(deviceTime('2020-03-31', '08:41:59-05:00')).to.equal(Date.UTC(2020, 2, 31, 13, 41, 59) / 1000);
  });

  it('gives up on unknown zones and impossible values', function () {
    expect(deviceTime('Nov 14 2023', '08:30:56', 'MEST')).to.equal(null);
    expect(deviceTime('2020-13-01', '00:00:00')).to.equal(null);
    expect(deviceTime('2020-01-01', '25:00:00')).to.equal(null);
    expect(rfc3339Time('-')).to.equal(null);
    expect(rfc3339Time('2019-02-20T15:10:35.073589+00:00')).to.equal(Date.UTC(2019, 1, 20, 15, 10, 35) / 1000);
  });

  it('uses the receipt time when the message has no year', function () {
    expect(parseSyslog('<13>Jun 21 14:03:12 h x: y', '192.0.2.1', 1234.9).timestamp).to.equal(1234);
  });
});

describe('syslog events: id, level, summary', function () {
  const line = '<28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 1.1.1.1 (External AS 2222) changed state from Established to Idle (event HoldTime) (instance master)';

  it('gives a redelivery the same id, and a new receipt a new one', function () {
    const a = parseSyslog(line, '10.0.0.1', 1700000000);
    expect(parseSyslog(line, '10.0.0.1', 1700000000).id).to.equal(a.id);
    expect(parseSyslog(`${line}\n`, '10.0.0.1', 1700000000).id, 'framing ignored').to.equal(a.id);
    expect(parseSyslog(line, '10.0.0.1', 1700000001).id).to.not.equal(a.id);
    expect(parseSyslog(line, '10.0.0.2', 1700000000).id).to.not.equal(a.id);
    expect(a.id).to.equal(eventId('10.0.0.1', 1700000000, line));
  });

  it('maps syslog severity to a level when no profile says', function () {
    expect([0, 1, 2, 3, 4, 5, 6, 7, null].map(levelOfSeverity)).to.deep.equal(['critical', 'critical', 'critical', 'warning', 'warning', 'info', 'info', 'info', 'info']);
  });

  it('keeps summaries on one line and short', function () {
    expect(oneLine('a\nb\tc\u0000d')).to.equal('a b c d');
    expect(oneLine('x'.repeat(1000))).to.have.length(300);
    const e = parseSyslog(`<13>Jun 21 14:03:12 h app: ${'word '.repeat(200)}\u0007bell`, '192.0.2.1', 1);
    expect(e.summary.length).to.be.at.most(300);
    expect(e.summary.startsWith('h: app: word')).to.equal(true);
  });

  it('sets the flat fields of a BGP state change', function () {
    expect(parseSyslog(line, '10.0.0.1', 1)).to.include({
      error: 'BGP_NEIGHBOR_STATE_CHANGED', os: 'junos', host: 'vmx01', router: 'vmx01', site: null,
      peer: '1.1.1.1', interface: null, state: 'Idle', level: 'critical',
      summary: 'vmx01: BGP neighbor 1.1.1.1 (AS2222) Established → Idle (HoldTime)',
    });
  });

  it('falls back to the sender address for the host', function () {
    const e = parseSyslog('hello', '192.0.2.9', 1);
    expect(e).to.include({ host: '192.0.2.9', router: '192.0.2.9', os: null, error: null, summary: '192.0.2.9: hello' });
  });
});
