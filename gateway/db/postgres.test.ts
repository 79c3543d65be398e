import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { executeRows } from './executor.js';
import { createScratchDatabase, openPostgresDatabase } from './postgres.js';
import type { MetricEvent } from './records.js';
import { presetFieldsFromSpec } from './repositories/preset-fields.js';
import { serverFieldsFromSpec } from './repositories/servers.js';

/**
 * The same migrations, partition upkeep, rollups and reports on a real PostgreSQL (team mode).
 * Needs the machines' PostgreSQL 15 (127.0.0.1:5432, trust); MCP_GATEWAY_TEST_PG_URL overrides.
 */
const ADMIN_URL = process.env['MCP_GATEWAY_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let db: Database;
const queries: string[] = [];

beforeAll(async () => {
  scratch = await createScratchDatabase(ADMIN_URL);
  db = await openPostgresDatabase({
    connectionString: scratch.url,
    secretKey: randomBytes(32),
    onQuery: (op) => void queries.push(op),
  });
});

afterAll(async () => {
  await db?.close();
  await scratch?.drop();
});

const event = (ts: string, toolName: string, latencyMs = 1): MetricEvent => ({
  ts: new Date(ts),
  presetId: null,
  serverId: null,
  toolName,
  eventType: 'tools/call',
  status: 'ok',
  latencyMs,
  errorMessage: null,
  sessionId: null,
  metadata: null,
});

const partitionOf = async (tool: string) =>
  (await executeRows<{ part: string }>(db.db, sql`select distinct tableoid::regclass::text as part from metrics_events where tool_name = ${tool}`)).map(
    (r) => r.part,
  );

describe('PostgreSQL 15 through node-postgres', () => {
  it('applies every migration with the node-postgres migrator', async () => {
    const [version] = await executeRows<{ v: number | string }>(db.db, sql`select current_setting('server_version_num')::int as v`);
    expect(Number(version?.v)).toBeGreaterThanOrEqual(150000);
    const tables = await executeRows<{ relname: string; relkind: string }>(
      db.db,
      sql`select relname, relkind::text from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') order by relname`,
    );
    expect(tables).toEqual(
      expect.arrayContaining([
        { relname: 'metrics_events', relkind: 'p' },
        { relname: 'metrics_events_default', relkind: 'r' },
        { relname: 'metrics_hourly', relkind: 'r' },
        { relname: 'metrics_daily', relkind: 'r' },
        { relname: 'metrics_rollup_state', relkind: 'r' },
      ]),
    );
    const [migrations] = await executeRows<{ n: number | string }>(db.db, sql`select count(*) as n from drizzle.__drizzle_migrations`);
    expect(Number(migrations?.n)).toBeGreaterThanOrEqual(4);
    expect(queries).toContain('select'); // the query observer sees node-postgres statements
  });

  it('runs partition upkeep: monthly, then daily, moving DEFAULT rows, dropping expired ones', async () => {
    expect(await db.partitions.ensure(new Date('2033-05-10T00:00:00Z'), 'monthly', 1)).toEqual(['metrics_events_2033_05', 'metrics_events_2033_06']);
    await db.metrics.insertBatch([event('2033-05-02T00:00:00Z', 'pg-may'), event('2033-07-01T10:00:00Z', 'pg-jul1')]);
    expect(await partitionOf('pg-may')).toEqual(['metrics_events_2033_05']);
    expect(await partitionOf('pg-jul1')).toEqual(['metrics_events_default']);
    expect(await db.partitions.ensure(new Date('2033-06-30T12:00:00Z'), 'daily', 1)).toEqual(['metrics_events_2033_07_01']);
    expect(await partitionOf('pg-jul1')).toEqual(['metrics_events_2033_07_01']);
    expect(await db.partitions.dropOlderThan(new Date('2033-07-15T00:00:00Z'), { unit: 'month', count: 1 })).toEqual(['metrics_events_2033_05']);
    expect(await partitionOf('pg-may')).toEqual([]);
  });

  it('rolls up, answers from rollups exactly as from raw rows, and re-rolls idempotently', async () => {
    const fx = await db.servers.create('pg', 'fx', serverFieldsFromSpec({ command: 'node' }));
    const preset = await db.presets.create('pg', 'pgdev', presetFieldsFromSpec({ servers: { fx: true } }));
    await db.partitions.ensure(new Date('2033-08-01T00:00:00Z'), 'monthly', 0);
    await db.db.execute(sql`select setseed(0.7)`);
    await db.db.execute(sql`insert into metrics_events (ts, preset_id, server_id, tool_name, event_type, status, latency_ms)
      select '2033-08-03T10:00:00Z'::timestamptz + i * interval '3 seconds', ${preset.id}::uuid, ${fx.id}::uuid,
             case when i % 2 = 0 then 'fx__a' else 'fx__b' end, 'tools/call',
             case when i % 50 = 0 then 'error' else 'ok' end,
             exp(ln(case when i % 2 = 0 then 5 else 80 end) + 0.8 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
      from generate_series(0, 39999) as i`);
    const from = new Date('2033-08-03T10:20:00Z');
    const to = new Date('2033-08-04T19:00:00Z');
    const before = await db.metricsQueries.summary({ groupBy: 'tool', from, to });
    const run = await db.rollups.run({ now: new Date('2033-08-05T00:00:00Z'), chunkIds: 15_000 });
    expect(run.events).toBe(40_001); // + the July row (May's was dropped with its partition)
    expect(run.chunks).toBeGreaterThanOrEqual(2);
    const after = await db.metricsQueries.summary({ groupBy: 'tool', from, to });
    const round = (rows: typeof after) => rows.map((r) => ({ ...r, avg: Number(r.avg?.toFixed(6)) }));
    expect(round(after)).toEqual(round(before));

    const truth = await executeRows<{ tool_name: string; n: number | string; p50: number; p95: number; p99: number }>(
      db.db,
      sql`select tool_name, count(*) as n, percentile_cont(0.5) within group (order by latency_ms) as p50,
            percentile_cont(0.95) within group (order by latency_ms) as p95, percentile_cont(0.99) within group (order by latency_ms) as p99
          from metrics_events where ts >= ${from.toISOString()}::timestamptz and ts < ${to.toISOString()}::timestamptz group by 1`,
    );
    for (const t of truth) {
      const row = after.find((r) => r.key === t.tool_name)!;
      expect(row.calls).toBe(Number(t.n));
      for (const p of ['p50', 'p95', 'p99'] as const) expect(Math.abs(row[p]! - t[p]) / t[p]).toBeLessThan(0.02);
    }

    const snapshot = () =>
      executeRows<Record<string, unknown>>(
        db.db,
        sql`select tool_name, hour, calls, ok, errors, latency_min, latency_max, encode(histogram, 'hex') as h, pieces from metrics_hourly order by hour, tool_name`,
      );
    const rolled = await snapshot();
    expect(rolled.every((r) => r['pieces'] === 1)).toBe(true);
    await db.rollups.rerollHours(new Date('2033-08-03T00:00:00Z'), new Date('2033-08-05T00:00:00Z'));
    expect(await snapshot()).toEqual(rolled);

    // Housekeeping statements that may not run inside a transaction block.
    await db.rollups.vacuum();
    expect(await db.partitions.analyzeRecent(new Date('2033-08-04T00:00:00Z'))).toContain('metrics_events_2033_08');

    // Daily points cover whole days: all 40,000 calls of Aug 3rd and 4th.
    const series = await db.metricsQueries.timeseries({ groupBy: 'preset', from, to, stepSeconds: 86_400 });
    expect(series.series.map((s) => s.key)).toEqual(['pgdev']);
    expect(series.from.toISOString()).toBe('2033-08-03T00:00:00.000Z');
    expect(series.series[0]!.points.map((p) => p.calls)).toEqual([16_800, 23_200]); // from 10:00 every 3 s
  });
});
