import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { executeRows } from './executor.js';
import { LATENCY_MAX_RELATIVE_ERROR, latencyBucketIndex, LatencyHistogram } from './latency-buckets.js';
import type { MetricEvent } from './records.js';
import { planSources } from './repositories/metrics-queries.js';
import { presetFieldsFromSpec } from './repositories/preset-fields.js';
import { serverFieldsFromSpec } from './repositories/servers.js';
import { loadOrCreateSecretKey } from './secret-box.js';

let db: Database;
let dev: { id: string };
let ops: { id: string };
let fx: { id: string };
let web: { id: string };

const H = 3_600_000;
const T0 = Date.parse('2025-03-09T12:00:00Z');

beforeAll(async () => {
  db = await openDatabase({ dataDir: null, secretKey: loadOrCreateSecretKey(null) });
  fx = await db.servers.create('r', 'fx', serverFieldsFromSpec({ command: 'node' }));
  web = await db.servers.create('r', 'web', serverFieldsFromSpec({ command: 'node' }));
  dev = await db.presets.create('r', 'rdev', presetFieldsFromSpec({ servers: { fx: true, web: true } }));
  ops = await db.presets.create('r', 'rops', presetFieldsFromSpec({ servers: { fx: true } }));
  await db.partitions.ensure(new Date('2025-03-01T00:00:00Z'), 'monthly', 1);
  // 48 hours from 2025-03-09 12:00: four tools with log-normal latencies of different spreads,
  // ~3 % errors, a few timeouts and rejections; tools/list events without a tool. Deterministic.
  await db.db.execute(sql`select setseed(0.42)`);
  await db.db.execute(sql`insert into metrics_events (ts, preset_id, server_id, tool_name, event_type, status, latency_ms, error_message)
    select ts, preset_id, server_id, tool_name, 'tools/call',
           case when u < 0.03 then 'error' when u < 0.035 then 'timeout' when u < 0.04 then 'rejected' else 'ok' end,
           lat, case when u < 0.03 then 'boom ' || (i % 3) when u < 0.035 then 'timed out' end
    from (
      select i, ${new Date(T0).toISOString()}::timestamptz + (i * interval '2880 milliseconds') * 1 as ts,
             case when i % 4 in (0, 1) then ${dev.id}::uuid else ${ops.id}::uuid end as preset_id,
             case when i % 4 = 3 then ${web.id}::uuid else ${fx.id}::uuid end as server_id,
             case i % 4 when 0 then 'fx__echo' when 1 then 'fx__slow' when 2 then 'fx__echo' else 'web__fetch' end as tool_name,
             random() as u,
             exp(case i % 4 when 0 then ln(2) when 1 then ln(400) when 2 then ln(3) else ln(40) end
                 + (case i % 4 when 1 then 1.1 when 3 then 0.7 else 0.4 end)
                 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) as lat
      from generate_series(0, 59999) as i
    ) g`);
  await db.db.execute(sql`insert into metrics_events (ts, preset_id, event_type, status, latency_ms)
    select ${new Date(T0).toISOString()}::timestamptz + i * interval '1 minute', ${dev.id}::uuid, 'tools/list', 'ok', 0.004 + (i % 5) * 0.003
    from generate_series(0, 2879) as i`);
});
afterAll(() => db?.close());

const exact = async (from: Date, to: Date, extra = sql`true`) =>
  executeRows<{ tool_name: string; calls: number; p50: number; p95: number; p99: number }>(
    db.db,
    sql`select tool_name, count(*)::int as calls,
          percentile_cont(0.5) within group (order by latency_ms) as p50,
          percentile_cont(0.95) within group (order by latency_ms) as p95,
          percentile_cont(0.99) within group (order by latency_ms) as p99
        from metrics_events where event_type = 'tools/call' and ts >= ${from.toISOString()}::timestamptz
          and ts < ${to.toISOString()}::timestamptz and ${extra}
        group by 1 order by 1`,
  );

const hourlySnapshot = () =>
  executeRows<Record<string, unknown>>(
    db.db,
    sql`select preset_id, server_id, tool_name, event_type, hour, calls, ok, errors, timeouts, rejected,
          round(latency_sum::numeric, 6) as latency_sum, latency_min, latency_max, encode(histogram, 'hex') as hist, pieces
        from metrics_hourly order by hour, preset_id, server_id, tool_name nulls first, event_type`,
  );

/** Float sums of latencies depend on the order rows are added in: compare averages rounded. */
const comparable = <T extends { avg: number | null }>(rows: T[]) => rows.map((r) => ({ ...r, avg: r.avg === null ? null : Number(r.avg.toFixed(6)) }));

const relErr = (a: number | null, b: number) => Math.abs((a ?? Number.NaN) - b) / b;

describe('latency buckets', () => {
  it('the SQL bucket function and histogram decoder agree with the TypeScript ones', async () => {
    const values = [0, 0.005, 0.01, 0.0100001, 0.0103, 1, 1.03, 2.5, 17.3, 100, 999.99, 1000, 59_999, 600_000, 602_000, 700_000];
    for (let i = 0; i < 200; i++) values.push(Math.exp(Math.log(0.02) + (i / 200) * Math.log(2e7)));
    const rows = await executeRows<{ v: number; b: number }>(
      db.db,
      sql`select v, metrics_latency_bucket(v) as b from unnest(${`{${values.join(',')}}`}::float8[]) as v`,
    );
    expect(rows.map((r) => Number(r.b))).toEqual(values.map((v) => latencyBucketIndex(v)));

    const h = new LatencyHistogram();
    for (const v of [0.001, 3, 3, 3.05, 250, 1e7]) h.record(v);
    h.addToBucket(100, 3_000_000_000); // above int4: stored as two entries
    const entries = await executeRows<{ bucket: number; count: number | string }>(
      db.db,
      sql`select bucket, sum(count) as count from metrics_histogram_entries(decode(${h.encode().toString('hex')}, 'hex')) group by 1 order by 1`,
    );
    const expected = [...h.counts.entries()].filter(([, c]) => c > 0).map(([bucket, count]) => ({ bucket, count }));
    expect(entries.map((e) => ({ bucket: Number(e.bucket), count: Number(e.count) }))).toEqual(expected);
  });

  it('a bucket value is within 1.5 % of every latency in the bucket', () => {
    expect(LATENCY_MAX_RELATIVE_ERROR).toBeLessThan(0.015);
    for (let i = 0; i < 5000; i++) {
      const v = Math.exp(Math.log(0.011) + (i / 5000) * Math.log(5e7));
      const h = new LatencyHistogram();
      h.addToBucket(latencyBucketIndex(v), 1); // no min/max: the bare bucket value
      expect(relErr(h.quantile(0.5), v)).toBeLessThanOrEqual(LATENCY_MAX_RELATIVE_ERROR + 1e-12);
    }
  });
});

describe('query planning', () => {
  it('splits a range into daily, hourly and raw parts', () => {
    const from = new Date('2025-03-09T18:30:00Z');
    const to = new Date('2025-03-11T06:15:00Z');
    const iso = (list: Array<[Date, Date]>) => list.map(([a, b]) => [a.toISOString(), b.toISOString()]);
    const whole = planSources(from, to, null);
    expect(iso(whole.daily)).toEqual([['2025-03-10T00:00:00.000Z', '2025-03-11T00:00:00.000Z']]);
    expect(iso(whole.hourly)).toEqual([
      ['2025-03-09T19:00:00.000Z', '2025-03-10T00:00:00.000Z'],
      ['2025-03-11T00:00:00.000Z', '2025-03-11T06:00:00.000Z'],
    ]);
    expect(iso(whole.raw)).toEqual([
      ['2025-03-09T18:30:00.000Z', '2025-03-09T19:00:00.000Z'],
      ['2025-03-11T06:00:00.000Z', '2025-03-11T06:15:00.000Z'],
    ]);
    expect(whole.rawTail?.map((d) => d.toISOString())).toEqual(['2025-03-09T19:00:00.000Z', '2025-03-11T06:00:00.000Z']);
    const hourly = planSources(from, to, 3 * 3600);
    expect(hourly.daily).toEqual([]);
    expect(iso(hourly.hourly)).toEqual([['2025-03-09T19:00:00.000Z', '2025-03-11T06:00:00.000Z']]);
    const minutes = planSources(from, to, 300);
    expect(minutes.hourly).toEqual([]);
    expect(iso(minutes.raw)).toEqual([['2025-03-09T18:30:00.000Z', '2025-03-11T06:15:00.000Z']]);
    expect(minutes.rawTail).toBeNull();
  });
});

describe('rollups and reports', () => {
  const from = new Date('2025-03-09T18:30:00Z');
  const to = new Date('2025-03-11T06:15:00Z');
  let beforeRollup: unknown;

  it('answers from raw rows before any rollup ran', async () => {
    const rows = await db.metricsQueries.summary({ groupBy: 'tool', from, to, eventType: 'tools/call' });
    expect(rows.map((r) => r.key).sort()).toEqual(['fx__echo', 'fx__slow', 'web__fetch']);
    const truth = await exact(from, to);
    for (const t of truth) expect(rows.find((r) => r.key === t.tool_name)?.calls).toBe(t.calls);
    beforeRollup = comparable(rows);
  });

  it('rolls every raw row into hourly and daily rows, then has nothing left to do', async () => {
    const first = await db.rollups.run({ now: new Date('2025-03-11T12:00:00Z'), chunkIds: 25_000 });
    expect(first.events).toBe(62_880);
    expect(first.chunks).toBe(3);
    expect(first.pending).toBe(0);
    const [totals] = await executeRows<{ hourly: number; daily: number; pieces: number }>(
      db.db,
      sql`select (select sum(calls)::float8 from metrics_hourly) as hourly, (select sum(calls)::float8 from metrics_daily) as daily,
                 (select max(pieces) from metrics_hourly) as pieces`,
    );
    expect(totals).toEqual({ hourly: 62_880, daily: 62_880, pieces: 1 });
    const again = await db.rollups.run({ now: new Date('2025-03-11T12:00:00Z') });
    expect(again.events).toBe(0);
    expect((await db.rollups.state()).lastId).toBe((await db.rollups.state()).maxEventId);
  });

  it('gives the same report from rollups as from raw rows', async () => {
    const rows = await db.metricsQueries.summary({ groupBy: 'tool', from, to, eventType: 'tools/call' });
    expect(comparable(rows)).toEqual(beforeRollup);
  });

  it('merged-histogram percentiles agree with percentile_cont within 2 %', async () => {
    const { plan } = await db.metricsQueries.aggregate({ groupBy: 'tool', from, to, stepSeconds: null });
    expect(plan.daily).toHaveLength(1); // the check covers daily, hourly and raw sources at once
    const truth = await exact(from, to);
    const rows = await db.metricsQueries.summary({ groupBy: 'tool', from, to, eventType: 'tools/call' });
    for (const t of truth) {
      const row = rows.find((r) => r.key === t.tool_name)!;
      expect(relErr(row.p50, t.p50)).toBeLessThan(0.02);
      expect(relErr(row.p95, t.p95)).toBeLessThan(0.02);
      expect(relErr(row.p99, t.p99)).toBeLessThan(0.02);
    }
    // Per preset (all tools merged) and per hour of a time series.
    const byPreset = await db.metricsQueries.summary({ groupBy: 'preset', from, to, eventType: 'tools/call' });
    const presetTruth = await executeRows<{ slug: string; p50: number; p99: number }>(
      db.db,
      sql`select p.slug, percentile_cont(0.5) within group (order by latency_ms) as p50,
            percentile_cont(0.99) within group (order by latency_ms) as p99
          from metrics_events e join presets p on p.id = e.preset_id
          where event_type = 'tools/call' and ts >= ${from.toISOString()}::timestamptz and ts < ${to.toISOString()}::timestamptz group by 1`,
    );
    for (const t of presetTruth) {
      const row = byPreset.find((r) => r.key === t.slug)!;
      expect(relErr(row.p50, t.p50)).toBeLessThan(0.02);
      expect(relErr(row.p99, t.p99)).toBeLessThan(0.02);
    }
    const series = await db.metricsQueries.timeseries({ groupBy: 'tool', toolName: 'fx__slow', from, to, stepSeconds: 3600 });
    expect(series.source).toBe('rollups');
    expect(series.series).toHaveLength(1);
    const points = series.series[0]!.points;
    expect(points).toHaveLength(37); // 18:00 on the 9th … 06:00 on the 11th
    for (const point of points.filter((_, i) => i % 6 === 1)) {
      const start = new Date(Math.max(point.ts.getTime(), from.getTime()));
      const end = new Date(Math.min(point.ts.getTime() + H, to.getTime()));
      const [t] = await exact(start, end, sql`tool_name = 'fx__slow'`);
      expect(point.calls).toBe(t!.calls);
      expect(relErr(point.p95, t!.p95)).toBeLessThan(0.02);
    }
  });

  it('answers minute steps from raw rows and daily steps from daily rollups', async () => {
    const minutes = await db.metricsQueries.timeseries({
      groupBy: 'none',
      from: new Date('2025-03-10T10:00:00Z'),
      to: new Date('2025-03-10T11:00:00Z'),
      stepSeconds: 60,
    });
    expect(minutes.source).toBe('raw');
    expect(minutes.series[0]!.points).toHaveLength(60);
    // 1250 tool calls (one per 2.88 s) + 60 tools/list per hour
    expect(minutes.series[0]!.points.reduce((s, p) => s + p.calls, 0)).toBe(1250 + 60);
    const days = await db.metricsQueries.timeseries({ groupBy: 'preset', from: new Date('2025-03-09T00:00:00Z'), to: new Date('2025-03-12T00:00:00Z'), stepSeconds: 86_400 });
    expect(days.series.map((s) => s.key).sort()).toEqual(['rdev', 'rops']);
    expect(days.series.flatMap((s) => s.points.map((p) => p.calls)).reduce((a, b) => a + b, 0)).toBe(62_880);
  });

  it('re-rolling an hour gives the same rows (idempotent)', async () => {
    const before = await hourlySnapshot();
    const written = await db.rollups.rerollHours(new Date('2025-03-10T03:00:00Z'), new Date('2025-03-10T05:00:00Z'));
    expect(written).toBeGreaterThan(0);
    expect(await hourlySnapshot()).toEqual(before);
    await db.rollups.rerollHours(new Date('2025-03-10T03:00:00Z'), new Date('2025-03-10T05:00:00Z'));
    expect(await hourlySnapshot()).toEqual(before);
  });

  it('adds late events to the hour they belong to, however late they arrive', async () => {
    const late: MetricEvent[] = Array.from({ length: 10 }, (_, i) => ({
      ts: new Date(Date.parse('2025-03-09T20:15:00Z') + i),
      presetId: ops.id,
      serverId: web.id,
      toolName: 'web__fetch',
      eventType: 'tools/call',
      status: 'error',
      latencyMs: 5_000,
      errorMessage: 'late boom',
      sessionId: null,
      metadata: null,
    }));
    const hour = { from: new Date('2025-03-09T20:00:00Z'), to: new Date('2025-03-09T21:00:00Z') };
    const [beforeRow] = await db.metricsQueries.summary({ groupBy: 'tool', toolName: 'web__fetch', ...hour });
    await db.metrics.insertBatch(late);
    // Visible at once (raw rows above the watermark), then rolled into the hour's row.
    const [pending] = await db.metricsQueries.summary({ groupBy: 'tool', toolName: 'web__fetch', ...hour });
    expect(pending!.calls).toBe(beforeRow!.calls + 10);
    const run = await db.rollups.run({ now: new Date('2025-03-11T12:00:00Z') });
    expect(run.events).toBe(10);
    const [rolled] = await db.metricsQueries.summary({ groupBy: 'tool', toolName: 'web__fetch', ...hour });
    expect(comparable([rolled!])).toEqual(comparable([pending!]));
    expect(rolled!.errors).toBe(beforeRow!.errors + 10);
    expect(rolled!.max).toBe(5_000);
  });

  it('re-counts hours after the late window and re-rolls one that lost a row', async () => {
    const now = new Date('2025-03-11T12:00:00Z');
    await db.rollups.run({ now, lateWindowHours: 2 }); // sets the verification start
    // A row committed below the watermark (another gateway's slow transaction): the increment
    // never sees it.
    await db.db.execute(sql`insert into metrics_events (id, ts, preset_id, server_id, tool_name, event_type, status, latency_ms)
      values (1, '2025-03-11T10:30:00Z', ${dev.id}::uuid, ${fx.id}::uuid, 'fx__echo', 'tools/call', 'ok', 7)`);
    const missed = await db.rollups.run({ now: new Date('2025-03-11T12:30:00Z'), lateWindowHours: 2 });
    expect(missed.events).toBe(0);
    expect(missed.rerolledHours).toBe(0); // 10:00 is still inside the late window
    const repaired = await db.rollups.run({ now: new Date('2025-03-11T13:05:00Z'), lateWindowHours: 2 });
    expect(repaired.verifiedHours).toBe(1);
    expect(repaired.rerolledHours).toBe(1);
    const [row] = await executeRows<{ calls: number }>(
      db.db,
      sql`select sum(calls)::int as calls from metrics_hourly where hour = '2025-03-11T10:00:00Z'`,
    );
    const [raw] = await executeRows<{ calls: number }>(
      db.db,
      sql`select count(*)::int as calls from metrics_events where ts >= '2025-03-11T10:00:00Z' and ts < '2025-03-11T11:00:00Z'`,
    );
    expect(row!.calls).toBe(raw!.calls);
  });

  it('reports the slowest tools and an error breakdown', async () => {
    const slowest = await db.metricsQueries.slowest({ from, to, limit: 2, by: 'p95', minCalls: 1 });
    expect(slowest.map((r) => r.key)).toEqual(['fx__slow', 'web__fetch']);
    const breakdown = await db.metricsQueries.errors({ groupBy: 'tool', from, to, limit: 50 });
    const raw = await executeRows<{ status: string; n: number }>(
      db.db,
      sql`select status, count(*)::int as n from metrics_events where ts >= ${from.toISOString()}::timestamptz and ts < ${to.toISOString()}::timestamptz group by 1`,
    );
    const count = (s: string) => raw.find((r) => r.status === s)?.n ?? 0;
    expect(breakdown.totals).toMatchObject({ errors: count('error'), timeouts: count('timeout'), rejected: count('rejected') });
    expect(breakdown.messagesSampled).toBe(count('error') + count('timeout') + count('rejected'));
    expect(breakdown.messages[0]).toMatchObject({ status: expect.stringMatching(/error|timeout/), count: expect.any(Number) });
    expect(breakdown.messages.some((m) => m.message === 'late boom' && m.count === 10 && m.serverName === 'web' && m.presetSlug === 'rops')).toBe(true);
    expect(breakdown.rows.every((r) => r.calls > r.ok)).toBe(true);
  });

  it('drops rollups past their retention', async () => {
    const dropped = await db.rollups.dropBefore(new Date('2025-03-10T00:00:00Z'));
    expect(dropped.hourly).toBeGreaterThan(0);
    expect(dropped.daily).toBeGreaterThan(0);
    const [left] = await executeRows<{ h: number; d: number }>(
      db.db,
      sql`select (select count(*)::int from metrics_hourly where hour < '2025-03-10T00:00:00Z') as h,
                 (select count(*)::int from metrics_daily where day < '2025-03-10T00:00:00Z') as d`,
    );
    expect(left).toEqual({ h: 0, d: 0 });
  });
});

describe('housekeeping without autovacuum', () => {
  it('vacuums the rollup tables and analyses the partitions receiving rows', async () => {
    await db.rollups.vacuum();
    const analysed = await db.partitions.analyzeRecent(new Date('2025-03-10T12:00:00Z'));
    expect(analysed).toEqual(expect.arrayContaining(['metrics_events_2025_03', 'metrics_events_default']));
    const [stats] = await executeRows<{ reltuples: number }>(
      db.db,
      sql`select reltuples::float8 as reltuples from pg_class where relname = 'metrics_events_2025_03'`,
    );
    expect(stats!.reltuples).toBeGreaterThan(60_000);
  });
});
