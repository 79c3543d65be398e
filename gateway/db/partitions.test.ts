import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { executeRows } from './executor.js';
import type { MetricEvent } from './records.js';
import { parseRetention, retentionCutoff } from './repositories/partitions.js';
import { loadOrCreateSecretKey } from './secret-box.js';

let db: Database;
beforeAll(async () => {
  db = await openDatabase({ dataDir: null, secretKey: loadOrCreateSecretKey(null) });
});
afterAll(() => db?.close());

const event = (ts: string, toolName: string): MetricEvent => ({
  ts: new Date(ts),
  presetId: null,
  serverId: null,
  toolName,
  eventType: 'tools/call',
  status: 'ok',
  latencyMs: 1,
  errorMessage: null,
  sessionId: null,
  metadata: null,
});

async function partitionOf(tool: string): Promise<string[]> {
  const rows = await executeRows<{ part: string }>(
    db.db,
    sql`select tableoid::regclass::text as part from metrics_events where tool_name = ${tool}`,
  );
  return [...new Set(rows.map((r) => r.part))];
}

describe('retention settings', () => {
  it('parses retention and computes whole-period cutoffs', () => {
    expect(parseRetention('3 months')).toEqual({ unit: 'month', count: 3 });
    expect(parseRetention('90 days')).toEqual({ unit: 'day', count: 90 });
    expect(parseRetention(' Forever ')).toBeNull();
    expect(() => parseRetention('3 weeks')).toThrow(/invalid retention/);
    const now = new Date('2031-07-20T15:00:00Z');
    expect(retentionCutoff(now, { unit: 'month', count: 3 })?.toISOString()).toBe('2031-04-01T00:00:00.000Z');
    expect(retentionCutoff(now, { unit: 'day', count: 10 })?.toISOString()).toBe('2031-07-10T00:00:00.000Z');
    expect(retentionCutoff(now, null)).toBeNull();
  });
});

describe('daily partitions', () => {
  it('creates day partitions ahead, skips days a month partition already covers, and routes rows', async () => {
    // A month partition from an earlier monthly configuration.
    expect(await db.partitions.ensure(new Date('2032-01-10T00:00:00Z'), 'monthly', 0)).toEqual(['metrics_events_2032_01']);
    // Switching to daily: January stays monthly, daily partitions start where it ends.
    expect(await db.partitions.ensure(new Date('2032-01-30T12:00:00Z'), 'daily', 3)).toEqual([
      'metrics_events_2032_02_01',
      'metrics_events_2032_02_02',
    ]);
    expect(await db.partitions.ensure(new Date('2032-01-30T12:00:00Z'), 'daily', 3)).toEqual([]);
    await db.metrics.insertBatch([
      event('2032-01-31T23:59:59.999Z', 'd-jan'),
      event('2032-02-01T00:00:00Z', 'd-feb1'),
      event('2032-02-02T23:00:00Z', 'd-feb2'),
      event('2032-02-05T10:00:00Z', 'd-feb5'),
    ]);
    expect(await partitionOf('d-jan')).toEqual(['metrics_events_2032_01']);
    expect(await partitionOf('d-feb1')).toEqual(['metrics_events_2032_02_01']);
    expect(await partitionOf('d-feb2')).toEqual(['metrics_events_2032_02_02']);
    expect(await partitionOf('d-feb5')).toEqual(['metrics_events_default']);
    const bounds = await executeRows<{ bound: string }>(
      db.db,
      sql`select pg_get_expr(c.relpartbound, c.oid) as bound from pg_class c where c.relname = 'metrics_events_2032_02_01'`,
    );
    expect(bounds[0]?.bound).toBe("FOR VALUES FROM ('2032-02-01 00:00:00+00') TO ('2032-02-02 00:00:00+00')");
  });

  it('moves rows stranded in DEFAULT into the partition created for them', async () => {
    // Upkeep on the 3rd only looks ahead to the 4th, but the 5th has rows waiting in DEFAULT.
    const created = await db.partitions.ensure(new Date('2032-02-03T01:00:00Z'), 'daily', 1);
    expect(created).toEqual(['metrics_events_2032_02_03', 'metrics_events_2032_02_04', 'metrics_events_2032_02_05']);
    expect(await partitionOf('d-feb5')).toEqual(['metrics_events_2032_02_05']);
    const [left] = await executeRows<{ n: number }>(db.db, sql`select count(*)::int as n from metrics_events_default where ts >= '2032-01-01'`);
    expect(left?.n).toBe(0);
  });

  it('lists partitions with their ranges and drops whole days past retention', async () => {
    const list = await db.partitions.list();
    const feb1 = list.find((p) => p.name === 'metrics_events_2032_02_01');
    expect(feb1).toMatchObject({ from: new Date('2032-02-01T00:00:00Z'), to: new Date('2032-02-02T00:00:00Z') });
    expect(list.at(-1)?.name).toBe('metrics_events_default');
    expect(feb1!.totalBytes).toBeGreaterThan(0);

    // Keep 2 days before Feb 4th => cutoff Feb 2nd: January (ends Feb 1st) and Feb 1st go.
    const dropped = await db.partitions.dropOlderThan(new Date('2032-02-04T08:00:00Z'), { unit: 'day', count: 2 });
    expect(dropped).toContain('metrics_events_2032_01');
    expect(dropped).toContain('metrics_events_2032_02_01');
    expect(dropped).not.toContain('metrics_events_2032_02_02');
    expect(await partitionOf('d-jan')).toEqual([]);
    expect(await partitionOf('d-feb1')).toEqual([]);
    expect(await partitionOf('d-feb2')).toEqual(['metrics_events_2032_02_02']);
    expect(await db.partitions.dropOlderThan(new Date('2032-02-04T08:00:00Z'), null)).toEqual([]);
  });
});
