/** Who sent an event: the address → router mapping decides; names are claims (trusted relays aside). */
import { expect } from 'chai';
import { senderVerifier, withName, type Senders } from '../../bridge/verify.js';
import { testEvent } from '../support/events.js';

const SENDERS: Senders = new Map([
  ['192.0.2.2', { router: 'bma-edge1', site: 'bma' }],
  ['192.0.2.6', { router: 'gbg-edge1.example.net', site: 'gbg' }],
]);

describe('bridge/verify', function () {
  const verify = senderVerifier(SENDERS, new Set(['127.0.0.1']));

  it('a known address: verified, router and site from the mapping, the summary shows that name', function () {
    const ev = testEvent(1, { ip: '192.0.2.2', host: 'liar', router: 'liar', summary: 'liar: BGP neighbor 10.0.0.1 down' });
    expect(verify(ev)).to.equal('verified');
    expect(ev).to.include({ verified: true, router: 'bma-edge1', site: 'bma', host: 'liar', summary: 'bma-edge1: BGP neighbor 10.0.0.1 down' });
  });

  it('an unknown address claiming a known name (full or short): unverified, no site, the summary says so', function () {
    for (const host of ['bma-edge1', 'GBG-EDGE1']) {
      const ev = testEvent(2, { ip: '198.51.100.7', host, router: host, site: 'x', summary: `${host}: down` });
      expect(verify(ev)).to.equal('impersonation');
      expect(ev).to.include({ verified: false, site: null, router: host });
      expect(ev.summary).to.match(/^198\.51\.100\.7 \(unverified, claims (bma-edge1|gbg-edge1\.example\.net)\): down$/);
    }
  });

  it('an unknown address and name: unverified, summary as it was', function () {
    const ev = testEvent(3, { ip: '198.51.100.7', host: 'sw9', router: 'sw9', summary: 'sw9: x' });
    expect(verify(ev)).to.equal('unknown');
    expect(ev).to.include({ verified: false, site: null, summary: 'sw9: x' });
  });

  it('a trusted relay: identified by the name it carries; an unknown name through it is unverified', function () {
    const ev = testEvent(4, { ip: '127.0.0.1', host: 'gbg-edge1', router: 'gbg-edge1', summary: 'gbg-edge1: y' });
    expect(verify(ev)).to.equal('verified');
    expect(ev).to.include({ verified: true, router: 'gbg-edge1.example.net', site: 'gbg', summary: 'gbg-edge1.example.net: y' });
    const other = testEvent(5, { ip: '127.0.0.1', host: 'stranger', router: 'stranger' });
    expect(verify(other)).to.equal('unknown');
    expect(senderVerifier(SENDERS)(testEvent(6, { ip: '127.0.0.1', host: 'bma-edge1' })), 'not a relay unless configured').to.equal('impersonation');
  });

  it('withName replaces a leading "name:" or prefixes one', function () {
    expect(withName('a: x', 'a', 'b')).to.equal('b: x');
    expect(withName('BGP down', 'a', 'b')).to.equal('b: BGP down');
    expect(withName('a: x', 'a', 'a')).to.equal('a: x');
  });
});
