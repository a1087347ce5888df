/**
 * The UDP threads' priorities (bridge/thread.ts): with CAP_SYS_NICE the receiver runs at
 * RECEIVER_PRIORITY and the processor at PROCESSOR_PRIORITY, both ahead of the main thread; without
 * it every thread keeps the process' nice value and the debug log says what was not permitted.
 * Read from /proc as the kernel sees the threads (Linux); either branch is checked, by what this
 * process may do, so the test holds as root and as an unprivileged user.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { listen } from '../../bridge/listen.js';
import { PROCESSOR_PRIORITY, RECEIVER_PRIORITY } from '../../bridge/thread.js';

/** Whether this process has CAP_SYS_NICE in its effective set (bit 23). */
function mayRaise(): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? (BigInt(`0x${m[1]}`) & (1n << 23n)) !== 0n : false;
}

/** Nice value of this process' thread named `name` (/proc/self/task/<tid>/stat field 19). */
function niceOf(name: string): number | null {
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const st = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      if (st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')) !== name) continue;
      return Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[16]);
    } catch {
      // thread gone
    }
  }
  return null;
}

describe('bridge: the UDP threads run ahead of the main thread when allowed', function () {
  it('receiver, then processor, then main; or all at the process priority, said at debug', async function () {
    if (process.platform !== 'linux') this.skip();
    const logs: string[] = [];
    const ls = await listen({
      udp: [{ host: '127.0.0.1', port: 0 }],
      onMessage: () => undefined,
      udpProcessor: {
        module: new URL('../../bridge/ingest-worker.js', import.meta.url).href,
        options: { budgetMs: 20, forwardUnknown: false, pipeline: { forward: null, damping: null, senders: null, relays: [], dropUnverified: false } },
        onItems: () => undefined,
      },
      log: (level, msg) => logs.push(`${level}: ${msg}`),
    });
    try {
      const own = getPriority();
      const receiver = niceOf('udp-receiver');
      const processor = niceOf('udp-processor');
      if (mayRaise()) {
        expect(receiver).to.equal(Math.min(own, RECEIVER_PRIORITY));
        expect(processor).to.equal(Math.min(own, PROCESSOR_PRIORITY));
        expect(RECEIVER_PRIORITY).to.be.below(PROCESSOR_PRIORITY);
        expect(PROCESSOR_PRIORITY).to.be.below(0);
      } else {
        expect([receiver, processor]).to.deep.equal([own, own]);
        expect(logs.some((l) => l.startsWith(`debug: udp processor thread: nice ${own} (asked ${PROCESSOR_PRIORITY}: not permitted, CAP_SYS_NICE needed)`)), logs.join('\n')).to.equal(own > PROCESSOR_PRIORITY);
      }
      expect(logs.some((l) => l.startsWith('debug: udp receiver thread: nice'))).to.equal(true);
    } finally {
      await ls.close();
    }
  });
});
