/**
 * bridge/heap.ts: the main thread's young generation stays within its cap under an allocation
 * rate like the storm's (V8 would grow it to 32 MiB), also after a worker thread starts (V8 resets
 * the growth factor when it configures a worker's heap); the governor runs full GCs. In a child
 * process: V8's flags are the process', and this one runs the other tests. A fixed amount of
 * allocation (500 steps), not a time span: a loaded machine gets through fewer steps per second.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HEAP = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bridge', 'heap.js');
const THREAD = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bridge', 'thread.js');

const script = (cap: number) => `
const { capYoungGeneration, holdYoungGeneration, memoryGovernor } = await import(${JSON.stringify(HEAP)});
const { youngSize } = await import(${JSON.stringify(THREAD)});
const { Worker } = await import('node:worker_threads');
holdYoungGeneration();
const cap = capYoungGeneration(${cap});
const gov = memoryGovernor(8 * 1024 * 1024);
let max = 0, workerStarted = false, steps = 0;
const keep = [];
await new Promise((done) => {
  const step = () => {
    for (let i = 0; i < 5000; i++) { const o = JSON.parse('{"a":"' + 'x'.repeat(400) + i + '","b":[1,2,3],"c":{"d":' + i + '}}'); if (i % 10 === 0) keep.push(o); }
    if (keep.length > 20000) keep.splice(0, 10000);
    cap.check();
    max = Math.max(max, youngSize());
    if (!workerStarted && steps > 100) {
      workerStarted = true;
      const w = new Worker('setTimeout(() => {}, 10)', { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      w.unref();
    }
    if (++steps < 500) setTimeout(step, 1); else done();
  };
  step();
});
cap.stop(); gov?.stop();
console.log(JSON.stringify({ max, forced: gov?.forced() ?? -1 }));
`;

const run = (cap: number): { max: number; forced: number } =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script(cap)], { encoding: 'utf8', timeout: 60_000 }).trim().split('\n').pop()!) as { max: number; forced: number };

describe('bridge heap sizing (young generation cap, governor)', function () {
  this.timeout(60_000);
  it('keeps the young generation within the cap, across a worker start, and forces full GCs', () => {
    const capped = run(8 * 1024 * 1024);
    expect(capped.max).to.be.at.most(8 * 1024 * 1024);
    expect(capped.forced).to.be.greaterThan(0);
    const free = run(0); // no cap: V8 grows it
    expect(free.max).to.be.greaterThan(8 * 1024 * 1024);
  });
});
