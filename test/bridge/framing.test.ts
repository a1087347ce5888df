import { expect } from 'chai';
import fc from 'fast-check';
import { FrameDecoder, datagramFrame } from '../../bridge/framing.js';

const octet = (m: string) => `${Buffer.byteLength(m)} ${m}`;
const texts = (fs: Array<{ data: Buffer }>) => fs.map((f) => f.data.toString('utf8'));

/** Feed a stream cut at the given positions. */
function feed(dec: FrameDecoder, stream: Buffer, cuts: number[]) {
  const out = [];
  let prev = 0;
  for (const c of [...cuts.filter((c) => c > 0 && c < stream.length).sort((a, b) => a - b), stream.length]) {
    out.push(...dec.push(stream.subarray(prev, c)));
    prev = c;
  }
  out.push(...dec.end());
  return out;
}

describe('bridge/framing', () => {
  const msgs = ['<189>1 2024-05-01T10:00:00Z r1 bgpd - - - neighbor 10.0.0.1 Down', '<30>May  1 10:00:01 r2 zebra: eth0 up', '<13>héllo wörld with spaces'];

  it('decodes octet counting (RFC 6587 3.4.1)', () => {
    const dec = new FrameDecoder();
    expect(texts(dec.push(Buffer.from(msgs.map(octet).join(''))))).to.deep.equal(msgs);
  });

  it('decodes LF framing (RFC 6587 3.4.2), CRLF and a last line without LF at close', () => {
    const dec = new FrameDecoder();
    const out = dec.push(Buffer.from(`${msgs[0]}\n${msgs[1]}\r\n${msgs[2]}`));
    expect(texts(out)).to.deep.equal(msgs.slice(0, 2));
    expect(texts(dec.end())).to.deep.equal([msgs[2]]);
  });

  it('detects the framing frame by frame (mixed on one connection)', () => {
    const dec = new FrameDecoder();
    const stream = `${octet(msgs[0]!)}${msgs[1]}\n${octet(msgs[2]!)}\n${msgs[0]}\n`;
    expect(texts(dec.push(Buffer.from(stream)))).to.deep.equal([msgs[0], msgs[1], msgs[2], msgs[0]]);
  });

  it('an octet-counted message may contain LF; a line starting with digits but no SP is a line', () => {
    const dec = new FrameDecoder();
    const multi = '<13>line one\nline two';
    expect(texts(dec.push(Buffer.from(`${octet(multi)}2024-05-01 plain line\n`)))).to.deep.equal([multi, '2024-05-01 plain line']);
  });

  it('gives the same frames however the stream is split across TCP chunks (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 80 }).map((s) => `<13>${s.replace(/[\r\n\0]/g, ' ').trimEnd()}x`), fc.boolean()), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(4000), { maxLength: 30 }),
        (items, cuts) => {
          const stream = Buffer.from(items.map(([m, oc]) => (oc ? octet(m) : `${m}\n`)).join(''));
          const out = feed(new FrameDecoder(), stream, cuts);
          expect(texts(out)).to.deep.equal(items.map(([m]) => m));
          expect(out.every((f) => !f.truncated)).to.equal(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('truncates an oversize octet-counted frame, skips its tail, and goes on', () => {
    const dec = new FrameDecoder(100);
    const big = `<13>${'x'.repeat(1000)}`;
    const out = feed(dec, Buffer.from(`${octet(big)}${octet(msgs[1]!)}`), [3, 50, 120, 500, 1003]);
    expect(out).to.have.length(2);
    expect(out[0]!.truncated).to.equal(true);
    expect(out[0]!.data.length).to.equal(100);
    expect(out[0]!.length).to.equal(Buffer.byteLength(big));
    expect(out[1]!.data.toString()).to.equal(msgs[1]);
    expect(out[1]!.truncated).to.equal(false);
  });

  it('truncates an oversize line without holding it in memory', () => {
    const dec = new FrameDecoder(100);
    const out = [];
    for (let i = 0; i < 1000; i++) {
      out.push(...dec.push(Buffer.alloc(1000, 0x61)));
      expect(dec.buffered).to.be.at.most(100);
    }
    out.push(...dec.push(Buffer.from(`\n${msgs[1]}\n`)));
    expect(out).to.have.length(2);
    expect(out[0]!.truncated).to.equal(true);
    expect(out[0]!.data.length).to.equal(100);
    expect(out[1]!.data.toString()).to.equal(msgs[1]);
  });

  it('bounds a never-ending length prefix and stray separators', () => {
    const dec = new FrameDecoder(100);
    const out = dec.push(Buffer.from(`\r\n\n\u0000${'9'.repeat(20)}\n${octet('<13>ok')}\n\n`));
    expect(texts(out)).to.deep.equal(['9'.repeat(20), '<13>ok']);
  });

  it('a datagram is one message, capped and without trailing line ends', () => {
    expect(datagramFrame(Buffer.from('<13>hello\n')).data.toString()).to.equal('<13>hello');
    const f = datagramFrame(Buffer.alloc(70_000, 0x61));
    expect(f.truncated).to.equal(true);
    expect(f.data.length).to.equal(64 * 1024);
  });
});
