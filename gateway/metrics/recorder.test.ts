import { describe, expect, it } from 'vitest';
import type { MetricEvent } from '../db/records.js';
import { MetricsRecorder, type RecorderOptions } from './recorder.js';

const event = (i: number): MetricEvent => ({
  ts: new Date(1_700_000_000_000 + i),
  presetId: null,
  serverId: null,
  toolName: `t${i}`,
  eventType: 'tools/call',
  status: 'ok',
  latencyMs: i,
  errorMessage: null,
  sessionId: null,
  metadata: null,
});

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function recorder(over: Partial<RecorderOptions> = {}) {
  const batches: MetricEvent[][] = [];
  const r = new MetricsRecorder({
    flushMs: 60_000,
    flushEvents: 10,
    write: async (batch) => void batches.push(batch),
    ...over,
  });
  return { r, batches };
}

/** A database that never answers until released. */
function hungWrite() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const batches: MetricEvent[][] = [];
  return { write: async (batch: MetricEvent[]) => (batches.push(batch), gate), batches, release: () => release() };
}

describe('MetricsRecorder', () => {
  it('writes a batch once flushEvents are waiting, on the next turn of the event loop', async () => {
    const { r, batches } = recorder();
    for (let i = 0; i < 9; i++) r.record(event(i));
    await tick();
    expect(batches).toEqual([]);
    for (let i = 9; i < 25; i++) r.record(event(i));
    expect(batches).toEqual([]); // never inside the caller's turn
    await tick();
    await tick();
    expect(batches.map((b) => b.length)).toEqual([25]);
    expect(batches[0]!.map((e) => e.toolName)).toEqual(Array.from({ length: 25 }, (_, i) => `t${i}`));
  });

  it('flushes on the timer', async () => {
    const { r, batches } = recorder({ flushMs: 20, flushEvents: 1000 });
    r.start();
    r.record(event(1));
    r.record(event(2));
    await sleep(80);
    expect(batches.map((b) => b.length)).toEqual([2]);
    await r.stop();
  });

  it('never blocks and bounds memory while the database hangs: drops and counts the excess', async () => {
    const db = hungWrite();
    const { r } = recorder({ write: db.write, flushEvents: 100, maxBuffered: 1_000 });
    const started = performance.now();
    for (let i = 0; i < 50_000; i++) {
      r.record(event(i));
      if (i % 1000 === 0) await tick();
      const s = r.stats();
      if (s.queueDepth + s.inFlight > 1_000) throw new Error(`holding ${s.queueDepth + s.inFlight} events`);
    }
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(2_000);
    const s = r.stats();
    expect(s.recorded).toBe(50_000);
    expect(s.dropped).toBeGreaterThanOrEqual(48_000);
    expect(s.queueDepth + s.inFlight).toBe(1_000);
    expect(s.dropped + s.queueDepth + s.inFlight).toBe(50_000);
    expect(db.batches).toHaveLength(1); // one write in flight, nothing piles up behind it
    db.release();
    await r.stop();
    expect(r.stats()).toMatchObject({ written: 1_000, queueDepth: 0, inFlight: 0 });
  });

  it('keeps the events of a failed write for the next flush, without writing any twice', async () => {
    const lines: string[] = [];
    let failures = 2;
    const written: number[] = [];
    const r = new MetricsRecorder({
      flushMs: 60_000,
      flushEvents: 1000,
      write: async (batch) => {
        if (failures-- > 0) throw new Error('connection refused');
        written.push(...batch.map((e) => e.latencyMs));
      },
      log: (line) => lines.push(line),
    });
    for (let i = 0; i < 5; i++) r.record(event(i));
    await r.flush();
    for (let i = 5; i < 8; i++) r.record(event(i));
    await r.flush(); // logged at most once a minute
    await r.flush();
    expect(written).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.stats()).toMatchObject({ failedWrites: 2, dropped: 0, written: 8, queueDepth: 0 });
    expect(lines).toEqual(['metrics: writing 5 events failed (5 kept for the next try): connection refused']);
  });

  it('after a partial write retries only what the database did not take; beyond the bound it drops the oldest', async () => {
    let calls = 0;
    const written: number[] = [];
    const r = new MetricsRecorder({
      flushMs: 60_000,
      flushEvents: 1000,
      maxBuffered: 6,
      write: async (batch) => {
        calls++;
        if (calls === 1) {
          written.push(...batch.slice(0, 2).map((e) => e.latencyMs));
          throw Object.assign(new Error('lost the connection after two'), { written: 2 });
        }
        written.push(...batch.map((e) => e.latencyMs));
      },
    });
    for (let i = 0; i < 5; i++) r.record(event(i));
    const first = r.flush();
    r.record(event(5)); // arrives while the write is in flight: room for one more
    await first;
    r.record(event(6)); // the buffer is full again (3 retried + 5 + this one is 5 of 6)
    r.record(event(7));
    r.record(event(8)); // over the bound: dropped
    await r.flush();
    expect(written).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.stats()).toMatchObject({ dropped: 1, written: 8 });
  });

  it('does not hang stop while the database keeps failing: what is left is counted as dropped', async () => {
    const r = new MetricsRecorder({
      flushMs: 60_000,
      flushEvents: 1000,
      write: async () => {
        throw new Error('down');
      },
    });
    for (let i = 0; i < 3; i++) r.record(event(i));
    await r.stop();
    expect(r.stats()).toMatchObject({ dropped: 3, written: 0, queueDepth: 0 });
  });

  it('flushes everything on stop, including what arrives during an in-flight write, and then ignores events', async () => {
    const db = hungWrite();
    const { r } = recorder({ write: db.write, flushEvents: 5 });
    for (let i = 0; i < 7; i++) r.record(event(i));
    await tick();
    expect(db.batches.map((b) => b.length)).toEqual([7]);
    for (let i = 7; i < 10; i++) r.record(event(i));
    const stopping = r.stop();
    db.release();
    await stopping;
    expect(db.batches.map((b) => b.length)).toEqual([7, 3]);
    expect(r.stats()).toMatchObject({ written: 10, dropped: 0, queueDepth: 0 });
    r.record(event(11));
    expect(r.stats().queueDepth).toBe(0);
  });

  it('shows every event (dropped ones too) to the observer exactly once, even while writes hang', async () => {
    const db = hungWrite();
    const seen: string[] = [];
    const { r } = recorder({ write: db.write, flushMs: 20, flushEvents: 1000, maxBuffered: 30, observe: (e) => seen.push(e.toolName!) });
    r.start();
    for (let i = 0; i < 20; i++) r.record(event(i));
    await sleep(60); // first tick: observed and written (the write hangs)
    for (let i = 20; i < 40; i++) r.record(event(i)); // 10 fit, 10 dropped
    await sleep(60); // second tick: observed though the write still hangs
    expect([...seen].sort()).toEqual(Array.from({ length: 40 }, (_, i) => `t${i}`).sort());
    db.release();
    await r.stop();
    expect(seen).toHaveLength(40);
    expect(r.stats()).toMatchObject({ written: 30, dropped: 10 });
  });
});
