/**
 * The project's own fixtures (test/fixtures/syslog): FRR 8.4 as the lab's rsyslog forwards it
 * (RFC 3164 and RFC 5424 framings, captured from real daemons) and the events napalm-logs' stored
 * corpus has no sample for. yang.json adds the flat fields (peer, interface, state, level,
 * summary) and, where the message carries a full date, the timestamp.
 */
import { expect } from 'chai';
import { parseSyslog } from '../../bridge/parse.js';
import { eventProblems } from './check-event.js';
import { captureLines, ownFixtures } from './fixtures.js';

const RECEIVED = 1_700_000_000;
const COMPARED = ['error', 'os', 'host', 'ip', 'facility', 'severity', 'yang_model', 'yang_message', 'peer', 'interface', 'state', 'level', 'summary', 'timestamp'];

describe('syslog: own fixtures', function () {
  const fixtures = ownFixtures();

  it('exist, FRR among them', function () {
    expect(fixtures.length).to.be.greaterThan(40);
    expect(fixtures.filter((f) => f.os === 'frr').length).to.be.greaterThan(10);
  });

  for (const f of fixtures) {
    it(f.id, function () {
      const e = parseSyslog(f.raw, '127.0.0.1', RECEIVED);
      expect(eventProblems(e, '127.0.0.1')).to.deep.equal([]);
      const got: Record<string, unknown> = {};
      const want: Record<string, unknown> = {};
      for (const k of COMPARED) {
        if (!(k in f.expected)) continue;
        got[k] = (e as unknown as Record<string, unknown>)[k];
        want[k] = f.expected[k];
      }
      expect(JSON.parse(JSON.stringify(got))).to.deep.equal(want);
      if (!('timestamp' in f.expected)) expect(e.timestamp, 'no full date in the message: receipt time').to.equal(RECEIVED);
    });
  }
});

describe('syslog: FRR', function () {
  const frr = ownFixtures().filter((f) => f.os === 'frr');

  it('has every FRR event in both rsyslog framings (RFC 3164 and RFC 5424)', function () {
    const byError = new Map<string, Set<string>>();
    for (const f of frr) {
      const framing = /rfc5424/.test(f.variant) ? 'rfc5424' : /rfc3164/.test(f.variant) ? 'rfc3164' : 'other';
      byError.set(f.error, (byError.get(f.error) ?? new Set()).add(framing));
    }
    for (const [error, framings] of byError) expect([...framings].sort(), error).to.include.members(['rfc3164', 'rfc5424']);
    expect([...byError.keys()].sort()).to.include.members(['BGP_NEIGHBOR_STATE_CHANGED', 'CONFIGURATION_COMMIT_COMPLETED', 'INTERFACE_DOWN', 'INTERFACE_UP']);
  });

  it('reads the lab example: neighbor Down with no reason and an Unknown hostname', function () {
    const e = parseSyslog('<29>May  1 10:00:00 bma-edge1 bgpd[1234]: [PXVXG-TFNNT] %ADJCHANGE: neighbor 10.0.0.1(Unknown) in vrf default Down', '10.200.1.2', RECEIVED);
    expect(e).to.include({ error: 'BGP_NEIGHBOR_STATE_CHANGED', os: 'frr', host: 'bma-edge1', router: 'bma-edge1', site: null, peer: '10.0.0.1', state: 'Idle', level: 'critical' });
    expect(e.summary).to.equal('bma-edge1: BGP neighbor 10.0.0.1 Established → Idle');
    expect(e.yang_message).to.deep.equal({ bgp: { neighbors: { neighbor: { '10.0.0.1': { state: { 'session-state': 'IDLE', 'session-state-old': 'ESTABLISHED' } } } } } });
  });

  it('recognises every line of the real capture as FRR, and each ADJCHANGE as a BGP state change', function () {
    const lines = captureLines();
    expect(lines.length).to.be.greaterThan(100);
    const notFrr = lines.filter((l) => parseSyslog(l, '127.0.0.1', RECEIVED).os !== 'frr');
    expect(notFrr).to.deep.equal([]);
    const adj = lines.filter((l) => l.includes('%ADJCHANGE'));
    expect(adj.length).to.be.greaterThan(10);
    for (const l of adj) expect(parseSyslog(l, '127.0.0.1', RECEIVED).error, l).to.equal('BGP_NEIGHBOR_STATE_CHANGED');
  });

  it('gives unmatched FRR lines a readable summary without the message id', function () {
    const e = parseSyslog('<30>Nov 24 22:40:51 bma-edge1 bgpd[14540]: [M59KS-A3ZXZ] bgp_update_receive: rcvd End-of-RIB for IPv4 Unicast from 10.0.0.1 in vrf default', '127.0.0.1', RECEIVED);
    expect(e).to.include({ error: null, os: 'frr', host: 'bma-edge1', level: 'info' });
    expect(e.summary).to.equal('bma-edge1: bgpd: bgp_update_receive: rcvd End-of-RIB for IPv4 Unicast from 10.0.0.1 in vrf default');
    expect(e.message_details).to.include({ logId: 'M59KS-A3ZXZ', processName: 'bgpd', processId: '14540' });
  });
});
