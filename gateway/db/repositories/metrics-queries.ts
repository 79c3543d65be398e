import { sql, type SQL } from 'drizzle-orm';
import { executeRows, type Db } from '../executor.js';
import { LatencyHistogram } from '../latency-buckets.js';
import type { MetricStatus } from '../records.js';
import { ceilTo, DAY_MS, floorTo, HOUR_MS, planSources } from './metrics-plan.js';
import { EMPTY_STATS, mergeInto, statsOf, toAggregateRow, total, type AggregateSqlRow } from './metrics-rows.js';
import { EPOCH, filterSql, groupSql, iso, WATERMARK } from './metrics-sql.js';

export { planSources } from './metrics-plan.js';
export { statsOf } from './metrics-rows.js';

/**
 * Reports over any range and step, answered from the cheapest source that is exact:
 *
 *   daily rollups   whole UTC days inside the range (when bins are whole days, or no bins)
 *   hourly rollups  the other whole hours (when bins are whole hours)
 *   raw events      the partial hours at the range's edges, every row above the rollup
 *                   watermark (not rolled yet), and everything when bins are shorter than an hour
 *
 * Every source yields, per (group, bin), counts by status, latency sum/min/max and a histogram
 * (raw rows are bucketed on the fly with metrics_latency_bucket), all in ONE SQL statement; the
 * histograms arrive concatenated and hex-encoded and are merged here, where percentiles are read
 * (latency-buckets.ts: within 1.5 % of percentile_cont over the same rows).
 */
export type MetricsGroupBy = 'tool' | 'server' | 'preset' | 'none';

export interface MetricsFilter {
  presetId?: string | undefined;
  serverId?: string | undefined;
  toolName?: string | undefined;
  /** e.g. 'tools/call'; every event type when omitted. */
  eventType?: string | undefined;
}

export interface AggregateQuery extends MetricsFilter {
  groupBy: MetricsGroupBy;
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Bin width; null: one bin for the whole range. Bins are aligned to the Unix epoch (UTC). */
  stepSeconds: number | null;
}

export interface MetricsStats {
  calls: number;
  ok: number;
  errors: number;
  timeouts: number;
  rejected: number;
  /** (calls − ok) / calls; 0 without calls. */
  errorRate: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface AggregateRow {
  /** Tool name, server name or preset slug (the id once the server/preset is deleted); '' for 'none'. */
  key: string;
  bin: Date;
  calls: number;
  ok: number;
  errors: number;
  timeouts: number;
  rejected: number;
  latencySum: number;
  histogram: LatencyHistogram;
}

export interface QueryPlan {
  /** Which sources the statement read, for tests and the benchmark. */
  daily: Array<[Date, Date]>;
  hourly: Array<[Date, Date]>;
  raw: Array<[Date, Date]>;
  /** Raw rows above the watermark inside the rollup-covered span. */
  rawTail: [Date, Date] | null;
}

export interface SummaryRow extends MetricsStats {
  key: string;
}

export interface SeriesPoint extends MetricsStats {
  ts: Date;
}

export interface Timeseries {
  /** The span the points cover: [first bin start, last bin end). */
  from: Date;
  to: Date;
  stepSeconds: number;
  source: 'raw' | 'rollups';
  series: Array<{ key: string; points: SeriesPoint[] }>;
}

export interface ErrorMessageRow {
  presetSlug: string | null;
  serverName: string | null;
  toolName: string | null;
  status: Exclude<MetricStatus, 'ok'>;
  message: string;
  count: number;
  lastSeen: Date;
}

export interface ErrorBreakdown {
  totals: MetricsStats;
  rows: SummaryRow[];
  /** Top messages among the most recent failures of the range (see messagesSampled). */
  messages: ErrorMessageRow[];
  /** Failed calls the messages were counted over: the range's latest, at most MESSAGE_SAMPLE. */
  messagesSampled: number;
}

/** Failed calls read for the message breakdown at most (the counts by group are exact, from rollups). */
export const MESSAGE_SAMPLE = 2_000;

export interface MetricsQueries {
  aggregate(q: AggregateQuery): Promise<{ rows: AggregateRow[]; plan: QueryPlan }>;
  summary(q: Omit<AggregateQuery, 'stepSeconds'>): Promise<SummaryRow[]>;
  /** Zero-filled points for every bin intersecting [from, to); each point covers its whole bin. */
  timeseries(q: AggregateQuery & { stepSeconds: number }): Promise<Timeseries>;
  slowest(q: MetricsFilter & { from: Date; to: Date; limit: number; by: 'p50' | 'p95' | 'p99'; minCalls: number }): Promise<SummaryRow[]>;
  errors(q: MetricsFilter & { groupBy: Exclude<MetricsGroupBy, 'none'>; from: Date; to: Date; limit: number }): Promise<ErrorBreakdown>;
  /** id → preset slug / server name (Prometheus labels). */
  names(): Promise<{ presets: Map<string, string>; servers: Map<string, string> }>;
}

export function createMetricsQueries(db: Db): MetricsQueries {
  const readWatermark = async (): Promise<number> => {
    const [row] = await executeRows<{ w: number | string }>(db, sql`select ${WATERMARK} as w`);
    return Number(row?.w ?? 0);
  };

  const aggregate = async (q: AggregateQuery): Promise<{ rows: AggregateRow[]; plan: QueryPlan }> => {
    if (!(q.from < q.to)) return { rows: [], plan: { daily: [], hourly: [], raw: [], rawTail: null } };
    const plan = planSources(q.from, q.to, q.stepSeconds);
    const g = groupSql(q.groupBy);
    const where = sql`${g.present} and ${filterSql(q)}`;
    const bin = (col: SQL) =>
      q.stepSeconds === null ? iso(q.from) : sql`date_bin(${q.stepSeconds} * interval '1 second', ${col}, ${EPOCH})`;

    const rawBranch = (range: SQL) => sql`select gkey, bin, sum(n) as calls, sum(ok) as ok, sum(err) as errors,
        sum(tmo) as timeouts, sum(rej) as rejected, sum(s) as lsum, min(mn) as lmin, max(mx) as lmax,
        string_agg(int2send(b::int2) || int4send(n::int4), ''::bytea) as hist
      from (select ${g.key} as gkey, ${bin(sql`ts`)} as bin, metrics_latency_bucket(latency_ms) as b, count(*) as n,
                   count(*) filter (where status = 'ok') as ok, count(*) filter (where status = 'error') as err,
                   count(*) filter (where status = 'timeout') as tmo, count(*) filter (where status = 'rejected') as rej,
                   sum(latency_ms) as s, min(latency_ms) as mn, max(latency_ms) as mx
            from metrics_events where ${range} and ${where} group by 1, 2, 3) r
      group by gkey, bin`;
    const rollupBranch = (table: 'metrics_hourly' | 'metrics_daily', col: 'hour' | 'day', [s, e]: [Date, Date]) => {
      const c = sql.raw(col);
      return sql`select ${g.key} as gkey, ${bin(c)} as bin, sum(calls) as calls, sum(ok) as ok, sum(errors) as errors,
          sum(timeouts) as timeouts, sum(rejected) as rejected, sum(latency_sum) as lsum,
          min(latency_min) as lmin, max(latency_max) as lmax, string_agg(histogram, ''::bytea) as hist
        from ${sql.raw(table)} where ${c} >= ${iso(s)} and ${c} < ${iso(e)} and ${where}
        group by 1, 2`;
    };

    const branches: SQL[] = [
      ...plan.daily.map((r) => rollupBranch('metrics_daily', 'day', r)),
      ...plan.hourly.map((r) => rollupBranch('metrics_hourly', 'hour', r)),
      ...plan.raw.map(([s, e]) => rawBranch(sql`ts >= ${iso(s)} and ts < ${iso(e)}`)),
    ];
    // The watermark goes in as a value, not a subquery, so the planner sees how few rows lie above
    // it and reads them through the primary key. The statement reports the watermark its snapshot
    // saw; if a rollup moved it in between (those rows would count twice), the query runs again.
    let watermark = plan.rawTail ? await readWatermark() : 0;
    for (let attempt = 0; ; attempt++) {
      const all = plan.rawTail
        ? [...branches, rawBranch(sql`ts >= ${iso(plan.rawTail[0])} and ts < ${iso(plan.rawTail[1])} and id > ${watermark}`)]
        : branches;
      const rows = await executeRows<AggregateSqlRow>(
        db,
        sql`select ${g.name} as key, extract(epoch from u.bin) * 1000 as bin_ms,
              sum(u.calls)::float8 as calls, sum(u.ok)::float8 as ok, sum(u.errors)::float8 as errors,
              sum(u.timeouts)::float8 as timeouts, sum(u.rejected)::float8 as rejected,
              sum(u.lsum)::float8 as lsum, min(u.lmin) as lmin, max(u.lmax) as lmax,
              encode(string_agg(u.hist, ''::bytea), 'hex') as hist, ${WATERMARK} as w_now
            from (${sql.join(all, sql` union all `)}) u ${g.join}
            group by 1, 2
            order by 2, 1`,
      );
      const seen = plan.rawTail && rows.length > 0 ? Number(rows[0]!.w_now) : watermark;
      if (seen === watermark || attempt >= 4) return { plan, rows: rows.map(toAggregateRow) };
      watermark = seen;
    }
  };

  const summary = async (q: Omit<AggregateQuery, 'stepSeconds'>): Promise<SummaryRow[]> => {
    const { rows } = await aggregate({ ...q, stepSeconds: null });
    // Two deleted ids can share no name, but a name can come from two ids (recreated): merge.
    const byKey = new Map<string, AggregateRow>();
    for (const row of rows) {
      const seen = byKey.get(row.key);
      if (!seen) byKey.set(row.key, row);
      else mergeInto(seen, row);
    }
    return [...byKey.values()]
      .map((row) => ({ key: row.key, ...statsOf(row) }))
      .sort((x, y) => y.calls - x.calls || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  };

  return {
    aggregate,
    summary,

    async timeseries(q) {
      const stepMs = q.stepSeconds * 1000;
      // Every point covers its whole bin (the first and last bins are not cut at from/to), so
      // bins of whole hours or days read only rollup rows plus the rows not rolled up yet.
      const first = floorTo(q.from.getTime(), stepMs);
      const last = ceilTo(q.to.getTime(), stepMs);
      const { rows } = await aggregate({ ...q, from: new Date(first), to: new Date(last) });
      const bins: number[] = [];
      for (let t = first; t < last; t += stepMs) bins.push(t);
      const byKey = new Map<string, Map<number, AggregateRow>>();
      for (const row of rows) {
        let points = byKey.get(row.key);
        if (!points) byKey.set(row.key, (points = new Map()));
        const t = row.bin.getTime();
        const seen = points.get(t);
        if (!seen) points.set(t, row);
        else mergeInto(seen, row);
      }
      const series = [...byKey.entries()]
        .map(([key, points]) => ({
          key,
          points: bins.map((t) => {
            const row = points.get(t);
            return { ts: new Date(t), ...(row ? statsOf(row) : EMPTY_STATS) };
          }),
        }))
        .sort((x, y) => total(y.points) - total(x.points) || (x.key < y.key ? -1 : 1));
      return { from: new Date(first), to: new Date(last), stepSeconds: q.stepSeconds, source: stepMs % HOUR_MS === 0 ? 'rollups' : 'raw', series };
    },

    async slowest(q) {
      const rows = await summary({ ...q, groupBy: 'tool', eventType: q.eventType ?? 'tools/call' });
      return rows
        .filter((r) => r.calls >= q.minCalls)
        .sort((x, y) => (y[q.by] ?? 0) - (x[q.by] ?? 0) || y.calls - x.calls)
        .slice(0, q.limit);
    },

    async errors(q) {
      const rows = await summary(q);
      const totalsRow: AggregateRow = {
        key: '',
        bin: q.from,
        calls: 0,
        ok: 0,
        errors: 0,
        timeouts: 0,
        rejected: 0,
        latencySum: 0,
        histogram: new LatencyHistogram(),
      };
      // Totals are counts only (percentiles would need the histograms): sum the group rows.
      for (const r of rows) {
        totalsRow.calls += r.calls;
        totalsRow.ok += r.ok;
        totalsRow.errors += r.errors;
        totalsRow.timeouts += r.timeouts;
        totalsRow.rejected += r.rejected;
      }
      // Messages live only in raw rows: count them over the range's latest MESSAGE_SAMPLE failures.
      // The planner will not stop a partitioned scan early, so look back in widening windows
      // (1 h, 6 h, 1 day, 1 week, the range) through the partial index on failed calls: the cost
      // follows the failures of the smallest window that holds the sample, whatever the range.
      type MessageRow = {
        preset_slug: string | null;
        server_name: string | null;
        tool_name: string | null;
        status: Exclude<MetricStatus, 'ok'>;
        message: string;
        n: number | string;
        last_ms: number | string;
        sampled: number | string;
      };
      let messages: MessageRow[] = [];
      for (const back of [HOUR_MS, 6 * HOUR_MS, DAY_MS, 7 * DAY_MS, Number.POSITIVE_INFINITY]) {
        const since = new Date(Math.max(q.from.getTime(), q.to.getTime() - back));
        messages = await executeRows<MessageRow>(
          db,
          sql`with f as materialized (
                select preset_id, server_id, tool_name, status, error_message, ts from metrics_events
                where status <> 'ok' and ts >= ${iso(since)} and ts < ${iso(q.to)} and ${filterSql(q)}
                order by ts desc limit ${MESSAGE_SAMPLE}
              )
              select coalesce(p.slug, m.preset_id::text) as preset_slug, coalesce(s.name, m.server_id::text) as server_name,
                m.tool_name, m.status, m.message, m.n, m.last_ms, (select count(*) from f) as sampled
              from (select preset_id, server_id, tool_name, status, coalesce(left(error_message, 300), '') as message,
                           count(*) as n, extract(epoch from max(ts)) * 1000 as last_ms
                    from f
                    group by 1, 2, 3, 4, 5
                    order by n desc, last_ms desc
                    limit ${q.limit}) m
              left join presets p on p.id = m.preset_id
              left join mcp_servers s on s.id = m.server_id
              order by m.n desc, m.last_ms desc`,
        );
        if (since.getTime() <= q.from.getTime() || Number(messages[0]?.sampled ?? 0) >= MESSAGE_SAMPLE) break;
      }
      return {
        totals: { ...statsOf(totalsRow), avg: null, min: null, max: null },
        rows: rows.filter((r) => r.calls > r.ok).sort((x, y) => y.calls - y.ok - (x.calls - x.ok) || y.errorRate - x.errorRate),
        messagesSampled: Number(messages[0]?.sampled ?? 0),
        messages: messages.map((m) => ({
          presetSlug: m.preset_slug,
          serverName: m.server_name,
          toolName: m.tool_name,
          status: m.status,
          message: m.message,
          count: Number(m.n),
          lastSeen: new Date(Number(m.last_ms)),
        })),
      };
    },

    async names() {
      const presets = await executeRows<{ id: string; slug: string }>(db, sql`select id::text as id, slug from presets`);
      const servers = await executeRows<{ id: string; name: string }>(db, sql`select id::text as id, name from mcp_servers`);
      return { presets: new Map(presets.map((p) => [p.id, p.slug])), servers: new Map(servers.map((s) => [s.id, s.name])) };
    },
  };
}
