import { describe, expect, it } from 'vitest';
import type { RollupRunResult } from '../db/repositories/rollups.js';
import { MetricsMaintenance, type MaintenanceDb } from './maintenance.js';

const result = (events: number): RollupRunResult => ({
  at: new Date(),
  ms: 1,
  events,
  chunks: 1,
  pending: 0,
  lastId: 0,
  compacted: 0,
  verifiedHours: 0,
  rerolledHours: 0,
});

/** A database double that logs the calls the jobs make, in order. */
function fakeDb(opts: { failRollup?: boolean; behind?: boolean; rollupMs?: number } = {}) {
  const calls: string[] = [];
  let behind = opts.behind ?? false;
  const db = {
    partitions: {
      ensure: async (now: Date, granularity: string, ahead: number, notBefore: Date | null) => {
        calls.push(`ensure ${granularity} ${ahead} ${notBefore?.toISOString() ?? 'none'}`);
        return [];
      },
      dropOlderThan: async (_now: Date, retention: { unit: string; count: number } | null) => {
        calls.push(`drop ${retention ? `${retention.count} ${retention.unit}` : 'forever'}`);
        return ['metrics_events_2031_01'];
      },
      analyzeRecent: async () => {
        calls.push('analyze');
        return [];
      },
    },
    rollups: {
      run: async () => {
        calls.push('rollup');
        if (opts.rollupMs) await new Promise((resolve) => setTimeout(resolve, opts.rollupMs));
        if (opts.failRollup) throw new Error('db gone');
        behind = false;
        return result(5);
      },
      state: async () => ({ lastId: behind ? 1 : 2, maxEventId: 2, verifiedUntil: null }),
      dropBefore: async (cutoff: Date) => {
        calls.push(`drop rollups before ${cutoff.toISOString()}`);
        return { hourly: 0, daily: 0 };
      },
      vacuum: async () => void calls.push('vacuum'),
    },
  } as unknown as MaintenanceDb;
  return { db, calls };
}

const now = () => new Date('2031-07-20T15:00:00Z');

describe('MetricsMaintenance', () => {
  it('creates partitions before start resolves, then rolls up before it drops anything', async () => {
    const { db, calls } = fakeDb({ behind: true });
    const rollups: number[] = [];
    const m = new MetricsMaintenance(db, {
      granularity: 'daily',
      rawRetention: '90 days',
      rollupRetention: '24 months',
      rollupIntervalMs: 60_000,
      lateWindowHours: 2,
      now,
      onRollup: (r) => rollups.push(r?.events ?? -1),
    });
    const starting = m.start();
    expect(calls).toEqual(['ensure daily 7 2031-04-21T00:00:00.000Z']); // synchronously, before anything else
    await starting;
    await m.runUpkeep();
    await m.stop();
    expect(calls.slice(0, 7)).toEqual([
      'ensure daily 7 2031-04-21T00:00:00.000Z',
      'rollup', // first background rollup
      'drop 90 day', // retention (state caught up by then)
      'drop rollups before 2029-07-01T00:00:00.000Z',
      'vacuum',
      'analyze',
      'ensure daily 7 2031-04-21T00:00:00.000Z',
    ]);
    expect(rollups).toEqual([5]);
    expect(m.status()).toMatchObject({ lastRollupError: null, droppedPartitions: ['metrics_events_2031_01'] });
  });

  it('rolls up pending rows before dropping partitions, keeps rollups forever by default, and reports failures', async () => {
    const { db, calls } = fakeDb({ behind: true, failRollup: true });
    const lines: string[] = [];
    const m = new MetricsMaintenance(db, {
      granularity: 'monthly',
      rawRetention: '3 months',
      rollupRetention: 'forever',
      rollupIntervalMs: 60_000,
      lateWindowHours: 2,
      now,
      log: (l) => lines.push(l),
    });
    await m.runUpkeep();
    expect(calls).toEqual(['ensure monthly 2 2031-04-01T00:00:00.000Z', 'rollup', 'drop 3 month', 'vacuum', 'analyze']);
    expect(m.status().lastRollupError).toBe('db gone');
    expect(lines).toContain('metrics: rollup failed: db gone');
  });

  it('never runs two jobs at once and waits for the running one on stop', async () => {
    const { db, calls } = fakeDb({ rollupMs: 50 });
    const m = new MetricsMaintenance(db, {
      granularity: 'monthly',
      rawRetention: '3 months',
      rollupRetention: 'forever',
      rollupIntervalMs: 10,
      lateWindowHours: 2,
      now,
    });
    let running = 0;
    let maxRunning = 0;
    const run = db.rollups.run.bind(db.rollups);
    db.rollups.run = async (o) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        return await run(o);
      } finally {
        running--;
      }
    };
    await m.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopping = m.stop();
    await stopping;
    expect(running).toBe(0);
    expect(maxRunning).toBe(1);
    const rollupsAtStop = calls.filter((c) => c === 'rollup').length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(calls.filter((c) => c === 'rollup').length).toBe(rollupsAtStop);
  });

  it('rejects a retention it cannot parse', () => {
    const { db } = fakeDb();
    expect(
      () =>
        new MetricsMaintenance(db, {
          granularity: 'monthly',
          rawRetention: 'a while',
          rollupRetention: 'forever',
          rollupIntervalMs: 1000,
          lateWindowHours: 2,
        }),
    ).toThrow(/invalid retention "a while"/);
  });
});
