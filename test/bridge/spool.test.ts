import { expect } from 'chai';
import { mkdtempSync, readdirSync, appendFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Spool, type Level } from '../../bridge/spool.js';
import type { DeviceEvent } from '../../bridge/event.js';
import { testEvent } from '../support/events.js';

function ev(i: number, level: Level = 'info', pad = 0): DeviceEvent {
  return testEvent(i, { level, yang_message: { n: i }, message_details: { pad: 'x'.repeat(pad) }, summary: `event ${i} ✓`, raw: `<11>raw ${i}` });
}

/** Take everything pending, finishing each; returns event ids in order. */
async function drain(sp: Spool, finish = true): Promise<string[]> {
  const ids: string[] = [];
  while (sp.stats().depth - sp.stats().inFlight > 0) {
    const r = (await sp.next())!;
    ids.push((JSON.parse(r.json) as DeviceEvent).id);
    if (finish) sp.finish(r.seq);
  }
  return ids;
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => `id-${a + i}`);

describe('bridge/spool', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'netops-spool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands records out in append order, across levels', async () => {
    const sp = await Spool.open({ dir });
    const levels: Level[] = ['info', 'critical', 'warning'];
    for (let i = 0; i < 1000; i++) expect(sp.append(ev(i, levels[i % 3])).accepted).to.equal(true);
    const r = (await sp.next())!;
    expect(r.level).to.equal('info');
    expect(JSON.parse(r.json)).to.deep.equal(ev(0, 'info'));
    sp.finish(r.seq);
    expect(await drain(sp)).to.deep.equal(range(1, 1000));
    expect(sp.stats()).to.include({ depth: 0, appended: 1000, finished: 1000 });
    await sp.close();
  });

  it('keeps pending records across a restart, and finished ones stay finished', async () => {
    let sp = await Spool.open({ dir });
    for (let i = 0; i < 100; i++) sp.append(ev(i));
    for (let i = 0; i < 30; i++) sp.finish((await sp.next())!.seq);
    const inflight = (await sp.next())!; // taken, never finished: must come back
    await sp.close();
    sp = await Spool.open({ dir });
    expect(sp.stats().recovered).to.equal(70);
    expect(await drain(sp)).to.deep.equal(range(30, 100));
    expect(inflight.seq).to.equal(30);
    sp.append(ev(100));
    expect(await drain(sp)).to.deep.equal(['id-100']);
    await sp.close();
    sp = await Spool.open({ dir });
    expect(sp.stats()).to.include({ depth: 0, nextSeq: 101 });
    await sp.close();
  });

  it('survives a crash (SIGKILL) after a flush: every flushed record is recovered', async () => {
    const spoolJs = fileURLToPath(new URL('../../bridge/spool.js', import.meta.url));
    const eventsJs = fileURLToPath(new URL('../support/events.js', import.meta.url));
    const script = `
      const { Spool } = await import(${JSON.stringify(spoolJs)});
      const { testEvent } = await import(${JSON.stringify(eventsJs)});
      const sp = await Spool.open({ dir: ${JSON.stringify(dir)}, cursorMs: 10 });
      for (let i = 0; i < 500; i++) sp.append(${ev.toString().replace(/^function ev/, 'function')}(i, 'warning'));
      for (let i = 0; i < 200; i++) sp.finish((await sp.next()).seq);
      await sp.flush();
      await new Promise((r) => setTimeout(r, 100));
      process.stdout.write('ready\\n');
      setInterval(() => sp.append({ id: 'late', level: 'info' }), 1);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (c) => reject(new Error(`child exited ${c}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const sp = await Spool.open({ dir });
    const ids = (await drain(sp)).filter((id) => id !== 'late');
    expect(ids).to.deep.equal(range(200, 500));
    await sp.close();
  });

  it('loses no append made while a batch is being written', async () => {
    let sp = await Spool.open({ dir, flushMs: 1 });
    for (let i = 0; i < 3000; i++) {
      sp.append(ev(i));
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    await sp.close();
    sp = await Spool.open({ dir });
    expect(await drain(sp)).to.deep.equal(range(0, 3000));
    await sp.close();
  });

  it('cuts a torn last line and keeps everything before it', async () => {
    let sp = await Spool.open({ dir });
    for (let i = 0; i < 10; i++) sp.append(ev(i));
    await sp.close();
    const seg = readdirSync(dir).filter((n) => n.startsWith('seg-')).sort().at(-1)!;
    const path = join(dir, seg);
    const size = statSync(path).size;
    appendFileSync(path, '{"seq":10,"event":{"id":"id-10","le');
    sp = await Spool.open({ dir });
    expect(sp.stats()).to.include({ tornLines: 1, recovered: 10 });
    expect(statSync(path).size).to.equal(size);
    sp.append(ev(10));
    await sp.close();
    sp = await Spool.open({ dir });
    expect(sp.stats()).to.include({ tornLines: 0, corruptLines: 0 });
    expect(await drain(sp)).to.deep.equal(range(0, 11));
    await sp.close();
  });

  it('full spool: drops info then warning (oldest first), never critical; counts by level; tombstones survive restart', async () => {
    const log: string[] = [];
    let sp = await Spool.open({ dir, maxEvents: 10, hardEvents: 14, log: (_l, m) => log.push(m) });
    // 0..5 info, 6..8 warning, 9 critical
    for (let i = 0; i < 10; i++) expect(sp.append(ev(i, i < 6 ? 'info' : i < 9 ? 'warning' : 'critical')).accepted).to.equal(true);
    // A new info pushes out the oldest info.
    expect(sp.append(ev(10, 'info'))).to.deep.include({ accepted: true, dropped: [{ level: 'info', reason: 'spool_full' }] });
    // Warnings push out infos first (1..5, 10), then older warnings.
    for (let i = 11; i < 18; i++) expect(sp.append(ev(i, 'warning')).accepted).to.equal(true);
    let s = sp.stats();
    expect(s.depthByLevel).to.deep.equal({ info: 0, warning: 9, critical: 1 });
    expect(s.dropped.info.spool_full).to.equal(7);
    expect(s.dropped.warning.spool_full).to.equal(1); // id-6
    // An info cannot push out a warning: refused.
    expect(sp.append(ev(18, 'info'))).to.deep.include({ accepted: false, dropped: [{ level: 'info', reason: 'spool_full' }] });
    expect(sp.stats().depth).to.equal(10);
    // Criticals push out warnings.
    for (let i = 19; i < 28; i++) expect(sp.append(ev(i, 'critical')).accepted).to.equal(true);
    s = sp.stats();
    expect(s.depthByLevel).to.deep.equal({ info: 0, warning: 0, critical: 10 });
    // Only criticals left: criticals grow past the soft bound up to the hard one; others refused.
    expect(sp.append(ev(28, 'warning')).accepted).to.equal(false);
    for (let i = 29; i < 33; i++) expect(sp.append(ev(i, 'critical')).accepted).to.equal(true);
    expect(sp.append(ev(33, 'critical'))).to.deep.include({ accepted: false, dropped: [{ level: 'critical', reason: 'spool_hard_full' }] });
    s = sp.stats();
    expect(s.depth).to.equal(14);
    expect(s.overSoft).to.equal(4);
    expect(s.dropped).to.deep.equal({
      info: { spool_full: 8, spool_hard_full: 0, spool_io_error: 0 },
      warning: { spool_full: 11, spool_hard_full: 0, spool_io_error: 0 },
      critical: { spool_full: 0, spool_hard_full: 1, spool_io_error: 0 },
    });
    expect(log.some((m) => /soft bound/.test(m))).to.equal(true);
    await sp.close();
    sp = await Spool.open({ dir, maxEvents: 10, hardEvents: 14 });
    expect(await drain(sp)).to.deep.equal(['id-9', ...range(19, 28), ...range(29, 33)]);
    await sp.close();
  });

  it('refuses an event it cannot make room for without dropping anything', async () => {
    const sp = await Spool.open({ dir, maxBytes: 4000 });
    sp.append(ev(0, 'info'));
    for (let i = 1; sp.stats().pendingBytes < 3000; i++) sp.append(ev(i, 'critical'));
    const before = sp.stats().depth;
    expect(sp.append(ev(99, 'info', 3000))).to.deep.equal({ accepted: false, dropped: [{ level: 'info', reason: 'spool_full' }] });
    expect(sp.stats().depth).to.equal(before);
    expect(sp.stats().depthByLevel.info).to.equal(1);
    await sp.close();
  });

  it('never drops a record in flight', async () => {
    const sp = await Spool.open({ dir, maxEvents: 3 });
    for (let i = 0; i < 3; i++) sp.append(ev(i));
    const a = (await sp.next())!;
    for (let i = 3; i < 10; i++) sp.append(ev(i));
    sp.finish(a.seq);
    expect(await drain(sp)).to.deep.equal(['id-8', 'id-9']);
    expect(a.seq).to.equal(0);
    await sp.close();
  });

  it('bounds memory: payloads beyond memBytes are read back from disk, in order', async () => {
    const sp = await Spool.open({ dir, memBytes: 4096, segmentBytes: 64 * 1024 });
    for (let i = 0; i < 2000; i++) sp.append(ev(i, i % 7 === 0 ? 'critical' : 'info', i % 50));
    const ids: string[] = [];
    while (ids.length < 2000) {
      const r = (await sp.next())!;
      const e = JSON.parse(r.json) as DeviceEvent;
      expect(e).to.deep.equal(ev(Number(e.id.slice(3)), e.level, Number(e.id.slice(3)) % 50));
      ids.push(e.id);
      sp.finish(r.seq);
    }
    expect(ids).to.deep.equal(range(0, 2000));
    await sp.close();
    // finished segments are deleted
    expect(readdirSync(dir).filter((n) => n.startsWith('seg-')).length).to.equal(1);
  });

  it('compacts segments full of dropped records and keeps the disk near the bound', async () => {
    const maxBytes = 200 * 1024;
    let sp = await Spool.open({ dir, maxBytes, segmentBytes: 32 * 1024, memBytes: 8 * 1024 });
    const first = (await (async () => {
      sp.append(ev(0, 'critical'));
      return sp.next();
    })())!; // head blocked in flight, like StackStorm being down
    for (let i = 1; i < 5000; i++) sp.append(ev(i, i % 100 === 0 ? 'critical' : 'info', 200));
    await sp.flush();
    const s = sp.stats();
    expect(s.compactions).to.be.greaterThan(0);
    expect(s.pendingBytes).to.be.at.most(maxBytes);
    expect(s.diskBytes).to.be.below(maxBytes * 2);
    const expected = (await (async () => {
      await sp.close();
      sp = await Spool.open({ dir, maxBytes, segmentBytes: 32 * 1024, memBytes: 8 * 1024 });
      return drain(sp);
    })());
    expect(expected[0]).to.equal('id-0');
    expect(first.seq).to.equal(0);
    expect(expected.length).to.equal(s.depth);
    const crit = expected.filter((id) => Number(id.slice(3)) % 100 === 0);
    expect(crit).to.deep.equal(Array.from({ length: 50 }, (_, i) => `id-${i * 100}`));
    const sorted = [...expected].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
    expect(expected).to.deep.equal(sorted);
    await sp.close();
  });

  it('refuses a second process on the same directory', async () => {
    const sp = await Spool.open({ dir });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'lock'), `${process.ppid}\n`);
    let err: Error | null = null;
    await Spool.open({ dir }).catch((e: Error) => (err = e));
    expect(String(err)).to.match(/in use by process/);
    await sp.close();
  });
});
