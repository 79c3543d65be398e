import { sql } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { executeRows } from './executor.js';
import type { MetricEvent, MetricStatus } from './records.js';
import { presetFieldsFromSpec } from './repositories/preset-fields.js';
import { serverFieldsFromSpec } from './repositories/servers.js';
import { loadOrCreateSecretKey } from './secret-box.js';

let db: Database;
let queries: string[] = [];
const logger: Logger = { logQuery: (q) => void queries.push(q) };

beforeAll(async () => {
  db = await openDatabase({ dataDir: null, secretKey: loadOrCreateSecretKey(null), logger });
});
afterAll(() => db?.close());

const event = (over: Partial<MetricEvent>): MetricEvent => ({
  ts: new Date('2025-02-10T12:00:00Z'),
  presetId: null,
  serverId: null,
  toolName: null,
  eventType: 'tools/call',
  status: 'ok',
  latencyMs: 1,
  errorMessage: null,
  sessionId: null,
  metadata: null,
  ...over,
});

/** Which table a row physically sits in. */
async function partitionOf(where: ReturnType<typeof sql>): Promise<string[]> {
  const rows = await executeRows<{ part: string }>(db.db, sql`select tableoid::regclass::text as part from metrics_events where ${where}`);
  return rows.map((r) => r.part);
}

describe('metrics', () => {
  it('inserts a batch in chunks of 1000 and reports exact percentiles per tool, server and preset', async () => {
    const fx = await db.servers.create('m', 'fx', serverFieldsFromSpec({ command: 'node' }));
    const gone = await db.servers.create('m', 'gone', serverFieldsFromSpec({ command: 'node' }));
    const dev = await db.presets.create('m', 'mdev', presetFieldsFromSpec({ servers: { fx: true, gone: true } }));
    const old = await db.presets.create('m', 'mold', presetFieldsFromSpec({ servers: { fx: true } }));

    const events: MetricEvent[] = [];
    const t0 = Date.parse('2025-02-10T12:00:00Z');
    // echo: latencies 1..100 ms (10 errors, 5 timeouts), 20 times over => 2000 events.
    for (let rep = 0; rep < 20; rep++) {
      for (let ms = 1; ms <= 100; ms++) {
        const status: MetricStatus = ms % 10 === 0 ? 'error' : ms % 20 === 1 ? 'timeout' : 'ok';
        events.push(
          event({ ts: new Date(t0 + rep * 1000 + ms), presetId: dev.id, serverId: fx.id, toolName: 'echo', status, latencyMs: ms }),
        );
      }
    }
    // 500 events of a server and a preset deleted afterwards; one event without tool (tools/list).
    for (let i = 0; i < 500; i++) {
      events.push(event({ ts: new Date(t0 + i), presetId: old.id, serverId: gone.id, toolName: 'slow', latencyMs: 1000, metadata: { i } }));
    }
    events.push(event({ ts: new Date(t0 + 5), presetId: dev.id, eventType: 'tools/list', latencyMs: 3 }));

    queries = [];
    const started = performance.now();
    await db.metrics.insertBatch(events);
    console.log(`insertBatch ${events.length} events: ${(performance.now() - started).toFixed(0)} ms, ${queries.length} statements`);
    expect(queries).toHaveLength(3);
    expect(queries.every((q) => q.startsWith('insert into "metrics_events"'))).toBe(true);
    const bad = await db.metrics.insertBatch([event({ latencyMs: Number.NaN, status: 'ok', eventType: null as unknown as string })]).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/^inserting 1 metric events failed: .*event_type/);
    expect((bad as Error).message.length).toBeLessThan(300);
    const stored = await executeRows<{ n: number; meta: unknown }>(db.db, sql`select count(*)::int as n, max(metadata->>'i') as meta from metrics_events where tool_name = 'slow'`);
    expect(stored[0]).toEqual({ n: 500, meta: '99' });

    await db.presets.delete('m', 'mold');
    await db.servers.delete('m', 'gone');

    const range = { from: new Date('2025-02-10T00:00:00Z'), to: new Date('2025-02-11T00:00:00Z') };
    const byTool = await db.metrics.latency({ groupBy: 'tool', ...range });
    expect(byTool).toEqual([
      // percentile_cont interpolates: over 1..100, p50 = 50.5, p95 = 95.05, p99 = 99.01.
      { key: 'echo', calls: 2000, errors: 200, timeouts: 100, p50: 50.5, p95: expect.closeTo(95.05, 6), p99: expect.closeTo(99.01, 6) },
      { key: 'slow', calls: 500, errors: 0, timeouts: 0, p50: 1000, p95: 1000, p99: 1000 },
    ]);

    const byServer = await db.metrics.latency({ groupBy: 'server', ...range });
    expect(byServer.map((r) => [r.key, r.calls])).toEqual([
      ['fx', 2000],
      [gone.id, 500], // deleted server: keyed by its id
    ]);

    const byPreset = await db.metrics.latency({ groupBy: 'preset', ...range });
    expect(byPreset.map((r) => [r.key, r.calls])).toEqual([
      ['mdev', 2001],
      [old.id, 500],
    ]);
    const onlyCalls = await db.metrics.latency({ groupBy: 'preset', ...range, presetId: dev.id, eventType: 'tools/call' });
    expect(onlyCalls.map((r) => [r.key, r.calls])).toEqual([['mdev', 2000]]);
    expect(await db.metrics.latency({ groupBy: 'tool', from: range.to, to: new Date('2025-02-12T00:00:00Z') })).toEqual([]);

    const recent = await db.metrics.recent({ limit: 3 });
    expect(recent).toHaveLength(3);
    expect(recent[0]).toMatchObject({ presetSlug: 'mdev', serverName: 'fx', toolName: 'echo', latencyMs: 100, status: 'error' });
    expect(recent[0]!.ts).toEqual(new Date(t0 + 19 * 1000 + 100));
    const recentOld = await db.metrics.recent({ presetId: old.id, limit: 2 });
    expect(recentOld).toHaveLength(2);
    expect(recentOld[0]).toMatchObject({ presetId: old.id, presetSlug: null, serverId: gone.id, serverName: null });
  });
});

describe('partitions', () => {
  it('creates month partitions idempotently and routes rows into them', async () => {
    const now = new Date('2031-03-15T10:00:00Z');
    expect(await db.ensurePartitions(now, 2)).toEqual(['metrics_events_2031_03', 'metrics_events_2031_04', 'metrics_events_2031_05']);
    expect(await db.ensurePartitions(now, 2)).toEqual([]);

    const parts = await executeRows<{ name: string; bound: string }>(
      db.db,
      sql`select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
          from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = 'metrics_events'::regclass and c.relname like 'metrics_events_2031%' order by 1`,
    );
    expect(parts.map((p) => p.name)).toEqual(['metrics_events_2031_03', 'metrics_events_2031_04', 'metrics_events_2031_05']);
    expect(parts[1]?.bound).toBe("FOR VALUES FROM ('2031-04-01 00:00:00+00') TO ('2031-05-01 00:00:00+00')");

    await db.metrics.insertBatch([
      event({ ts: new Date('2031-04-30T23:59:59.999Z'), toolName: 'p-apr' }),
      event({ ts: new Date('2031-05-01T00:00:00Z'), toolName: 'p-may' }),
      event({ ts: new Date('2031-07-04T00:00:00Z'), toolName: 'p-jul' }),
    ]);
    expect(await partitionOf(sql`tool_name = 'p-apr'`)).toEqual(['metrics_events_2031_04']);
    expect(await partitionOf(sql`tool_name = 'p-may'`)).toEqual(['metrics_events_2031_05']);
    expect(await partitionOf(sql`tool_name = 'p-jul'`)).toEqual(['metrics_events_default']);

    // Creating July later moves its rows out of the DEFAULT partition.
    expect(await db.ensurePartitions(new Date('2031-07-01T00:00:00Z'), 0)).toEqual(['metrics_events_2031_07']);
    expect(await partitionOf(sql`tool_name = 'p-jul'`)).toEqual(['metrics_events_2031_07']);

    // Retention: keep 2 whole months before July 2031 => drop March and April 2031 and older.
    const dropped = await db.dropExpiredPartitions(new Date('2031-07-20T00:00:00Z'), 2);
    expect(dropped).toContain('metrics_events_2031_03');
    expect(dropped).toContain('metrics_events_2031_04');
    expect(dropped).not.toContain('metrics_events_2031_05');
    expect(await partitionOf(sql`tool_name = 'p-apr'`)).toEqual([]);
    expect(await partitionOf(sql`tool_name = 'p-may'`)).toEqual(['metrics_events_2031_05']);
  });
});
