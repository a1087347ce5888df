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

  it('hands records out by lane: critical first, each lane in append order, the lower lanes their share', async () => {
    const sp = await Spool.open({ dir });
    const levels: Level[] = ['info', 'critical', 'warning'];
    for (let i = 0; i < 1000; i++) expect(sp.append(ev(i, levels[i % 3])).accepted).to.equal(true);
    const r = (await sp.next())!;
    expect(r.level).to.equal('critical');
    expect(JSON.parse(r.json)).to.deep.equal(ev(1, 'critical'));
    sp.finish(r.seq);
    const ids = ['id-1', ...(await drain(sp))];
    expect(ids.length).to.equal(1000);
    const lane = (k: number) => ids.filter((id) => Number(id.slice(3)) % 3 === k);
    for (const k of [0, 1, 2]) expect(lane(k)).to.deep.equal(range(0, 1000).filter((id) => Number(id.slice(3)) % 3 === k));
    // While criticals wait, warning gets about 1 pick in 10 and info 1 in 20; none is starved.
    const first333 = ids.slice(0, 333);
    const count = (k: number) => first333.filter((id) => Number(id.slice(3)) % 3 === k).length;
    expect(count(1)).to.be.within(260, 290);
    expect(count(2)).to.be.within(25, 40);
    expect(count(0)).to.be.within(12, 20);
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
      info: { spool_full: 8, spool_hard_full: 0, write_buffer_full: 0, spool_io_error: 0, spool_closed: 0 },
      warning: { spool_full: 11, spool_hard_full: 0, write_buffer_full: 0, spool_io_error: 0, spool_closed: 0 },
      critical: { spool_full: 0, spool_hard_full: 1, write_buffer_full: 0, spool_io_error: 0, spool_closed: 0 },
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

  it('bounds memory: payloads beyond memBytes are read back from disk, in lane order', async () => {
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
    expect(ids.length).to.equal(2000);
    const crit = (id: string) => Number(id.slice(3)) % 7 === 0;
    expect(ids.filter(crit)).to.deep.equal(range(0, 2000).filter(crit));
    expect(ids.filter((id) => !crit(id))).to.deep.equal(range(0, 2000).filter((id) => !crit(id)));
    await sp.close();
    // finished segments are deleted
    expect(readdirSync(dir).filter((n) => n.startsWith('seg-')).length).to.equal(1);
  });

  it('a backlog past the window is read back in batches while events keep arriving', async () => {
    // the window holds a lane's oldest payloads: newer ones wait on disk instead of taking the
    // room read-ahead needs (held between gaps, they made every read fetch a few records)
    const sp = await Spool.open({ dir, memBytes: 64 * 1024, segmentBytes: 256 * 1024 });
    let appended = 0;
    for (; appended < 2000; appended++) sp.append(ev(appended, 'info', 200));
    const got: string[] = [];
    while (got.length < 6000) {
      const r = (await sp.next())!;
      got.push((JSON.parse(r.json) as DeviceEvent).id);
      sp.finish(r.seq);
      // two arrive for every one delivered, until 6000
      for (let k = 0; k < 2 && appended < 6000; k++, appended++) sp.append(ev(appended, 'info', 200));
    }
    expect(got).to.deep.equal(range(0, 6000));
    const rb = sp.stats().readBack;
    expect(rb.records, 'most of the backlog came from disk').to.be.greaterThan(4000);
    // measured: 7 reads (5,741 records); with newer payloads held between gaps, 265
    expect(rb.reads, 'reads, each of up to 1 MiB').to.be.at.most(20);
    await sp.close();
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
    const infos = expected.filter((id) => Number(id.slice(3)) % 100 !== 0);
    expect(infos).to.deep.equal([...infos].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3))));
    await sp.close();
  });

  it('refuses a second process on the same directory', async () => {
    const spoolJs = fileURLToPath(new URL('../../bridge/spool.js', import.meta.url));
    const script = `
      const { Spool } = await import(${JSON.stringify(spoolJs)});
      const sp = await Spool.open({ dir: ${JSON.stringify(dir)} });
      process.stdout.write('ready\\n');
      process.stdin.on('data', async () => { await sp.close(); process.exit(0); });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    let err: Error | null = null;
    await Spool.open({ dir }).catch((e: Error) => (err = e));
    expect(String(err)).to.include(`in use by process ${child.pid}`);
    // Once the other process has closed it, the directory is free again.
    child.stdin!.write('close\n');
    await new Promise((r) => child.on('exit', r));
    const sp = await Spool.open({ dir });
    await sp.close();
  });

  it('keeps writing after a finished segment is retired before its last lines reached the disk (no "file closed" stall)', async () => {
    const log: string[] = [];
    let sp = await Spool.open({ dir, segmentBytes: 2048, flushMs: 200, cursorMs: 5, fsync: false, log: (_l, m) => log.push(m) });
    for (let i = 0; i < 3; i++) sp.append(ev(i));
    await sp.flush(); // the first segment's handle is open now
    for (let i = 3; sp.stats().segments < 3; i++) sp.append(ev(i)); // more lines for it, unwritten; rotate twice
    await drain(sp); // everything delivered from memory before the batch is written
    await new Promise((r) => setTimeout(r, 50)); // the cursor passes: the segment is retired
    await sp.flush();
    for (let i = 1000; i < 1005; i++) sp.append(ev(i, 'critical'));
    await sp.flush();
    expect(sp.stats().writeErrors, log.join('\n')).to.equal(0);
    expect(log.filter((m) => /cannot write/.test(m))).to.deep.equal([]);
    await sp.close();
    sp = await Spool.open({ dir });
    expect(await drain(sp)).to.deep.equal(range(1000, 1005));
    await sp.close();
  });

  it('never refuses a critical event for write-buffer room: info is shed first, and the reason is named', async () => {
    const sp = await Spool.open({ dir, flushMs: 60_000, maxUnwrittenBytes: 20_000, fsync: false });
    let infoRefused = null as null | { accepted: boolean; dropped: unknown[] };
    for (let i = 0; i < 200 && !infoRefused; i++) {
      const r = sp.append(ev(i, 'info'));
      if (!r.accepted) infoRefused = r;
    }
    expect(infoRefused).to.deep.equal({ accepted: false, dropped: [{ level: 'info', reason: 'write_buffer_full' }] });
    expect(sp.stats().unwrittenBytes).to.be.within(9000, 10_000);
    for (let i = 500; i < 550; i++) expect(sp.append(ev(i, 'critical')).accepted, `critical ${i}`).to.equal(true);
    expect(sp.stats().dropped.critical).to.deep.include({ write_buffer_full: 0, spool_io_error: 0 });
    await sp.flush();
    expect(sp.append(ev(600, 'info')).accepted).to.equal(true);
    await sp.close();
  });
});
