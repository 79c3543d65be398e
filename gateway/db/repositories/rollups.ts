import { sql, type SQL } from 'drizzle-orm';
import { executeRows, type Db, type DbRunner } from '../executor.js';
import { LatencyHistogram } from '../latency-buckets.js';

/**
 * Hourly and daily rollups of metrics_events (metrics_hourly, metrics_daily).
 *
 * Progress is a watermark on metrics_events.id, not on time: ids grow with insertion, so a run
 * rolls exactly the rows inserted since the last one, whatever their ts (a late event of an old
 * hour is added to that hour's row). Each chunk adds its delta to the hourly and daily rows and
 * moves the watermark in ONE transaction, so a rollup row always holds exactly the raw rows with
 * id <= last_id, and queries add the raw rows above it (metrics-queries.ts): nothing is counted
 * twice or missed, however late the job runs.
 *
 * The late-data window: once an hour has been closed for `lateWindowHours`, it is re-counted
 * against the raw rows (ids <= watermark) and re-rolled from them if the counts disagree. With one
 * writer (PGlite) they always agree; on a shared Postgres a transaction may commit an id below a
 * watermark another gateway already moved past, and this is what repairs it.
 *
 * `rerollHours` recomputes hours from the raw rows and overwrites them: re-running it gives the
 * same rows (idempotent). Histograms appended by increments are compacted to one sorted entry
 * list per row (`pieces` = 1) at the end of each run.
 */
export interface RollupRunOptions {
  now: Date;
  /** Hours an hour stays open to late data before it is verified against raw rows (default 2). */
  lateWindowHours?: number;
  /** Raw ids rolled per transaction (bounds how long one transaction holds the database). */
  chunkIds?: number;
  /** Chunks per run at most; the next run continues (default: until caught up). */
  maxChunks?: number;
  /** Hours verified per run at most (after a long downtime the backlog is spread over runs). */
  maxVerifyHours?: number;
}

export interface RollupRunResult {
  at: Date;
  ms: number;
  /** Raw events rolled in by this run. */
  events: number;
  chunks: number;
  /** Events still above the watermark after the run (0 when caught up). */
  pending: number;
  lastId: number;
  compacted: number;
  verifiedHours: number;
  /** Hours whose counts disagreed with the raw rows and were re-rolled. */
  rerolledHours: number;
}

export interface RollupState {
  lastId: number;
  verifiedUntil: Date | null;
  maxEventId: number;
}

export interface RollupsRepository {
  run(options: RollupRunOptions): Promise<RollupRunResult>;
  /** Recomputes the hours in [from, to) (rounded out to whole hours) from raw rows; returns rows written. */
  rerollHours(from: Date, to: Date): Promise<number>;
  /** Rewrites every appended histogram (pieces > 1) as one sorted entry list; returns rows compacted. */
  compact(limitRows?: number): Promise<number>;
  /** VACUUM (ANALYZE) of the rollup tables (PGlite has no autovacuum). Not inside a transaction. */
  vacuum(): Promise<void>;
  /** Deletes rollups older than cutoff (hourly: hour < cutoff; daily: day ends <= cutoff). */
  dropBefore(cutoff: Date): Promise<{ hourly: number; daily: number }>;
  state(): Promise<RollupState>;
  /** The last run's result (this process), for status screens and /metrics. */
  lastRun(): RollupRunResult | null;
}

const STATE = 'events';

interface Touched {
  hourly: number[];
  daily: number[];
}

const idList = (text: string | null | undefined): number[] => (text ? text.split(',').map(Number) : []);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const EPOCH = sql.raw(`timestamptz '1970-01-01 00:00:00+00'`);
const KEY = sql.raw('preset_id, server_id, tool_name, event_type');

/** The statistics columns of a delta grouped by (key, bucket): g must have n/ok/err/tmo/rej/s/mn/mx/b. */
const DELTA_AGGREGATES = sql.raw(`sum(n), sum(ok), sum(err), sum(tmo), sum(rej), sum(s), min(mn), max(mx),
  string_agg(int2send(b::int2) || int4send(n::int4), ''::bytea order by b)`);
const ROLLUP_COLUMNS = sql.raw(
  'calls, ok, errors, timeouts, rejected, latency_sum, latency_min, latency_max, histogram, pieces',
);

/** Raw rows grouped by key, `period` (an SQL expression over ts) and latency bucket. */
function rawDelta(period: SQL, where: SQL): SQL {
  return sql`select ${KEY}, ${period} as period, metrics_latency_bucket(latency_ms) as b,
      count(*) as n,
      count(*) filter (where status = 'ok') as ok,
      count(*) filter (where status = 'error') as err,
      count(*) filter (where status = 'timeout') as tmo,
      count(*) filter (where status = 'rejected') as rej,
      sum(latency_ms) as s, min(latency_ms) as mn, max(latency_ms) as mx
    from metrics_events where ${where}
    group by preset_id, server_id, tool_name, event_type, period, b`;
}

function additiveSet(alias: string): SQL {
  const t = alias;
  return sql.raw(`calls = ${t}.calls + excluded.calls, ok = ${t}.ok + excluded.ok, errors = ${t}.errors + excluded.errors,
    timeouts = ${t}.timeouts + excluded.timeouts, rejected = ${t}.rejected + excluded.rejected,
    latency_sum = ${t}.latency_sum + excluded.latency_sum,
    latency_min = least(${t}.latency_min, excluded.latency_min), latency_max = greatest(${t}.latency_max, excluded.latency_max),
    histogram = ${t}.histogram || excluded.histogram, pieces = ${t}.pieces + excluded.pieces`);
}

const OVERWRITE_SET = sql.raw(`calls = excluded.calls, ok = excluded.ok, errors = excluded.errors,
  timeouts = excluded.timeouts, rejected = excluded.rejected, latency_sum = excluded.latency_sum,
  latency_min = excluded.latency_min, latency_max = excluded.latency_max,
  histogram = excluded.histogram, pieces = excluded.pieces`);

export function createRollupsRepository(runner: DbRunner): RollupsRepository {
  let last: RollupRunResult | null = null;

  const ensureState = (db: Db) =>
    db.execute(sql`insert into metrics_rollup_state (name) values (${STATE}) on conflict (name) do nothing`);

  /** Locks and reads the watermark (FOR UPDATE: one roller at a time on a shared Postgres). */
  const lockState = async (tx: Db): Promise<{ lastId: number; verifiedUntil: Date | null }> => {
    await ensureState(tx);
    const [row] = await executeRows<{ last_id: number | string; verified_ms: number | null }>(
      tx,
      sql`select last_id, extract(epoch from verified_until) * 1000 as verified_ms
          from metrics_rollup_state where name = ${STATE} for update`,
    );
    return {
      lastId: Number(row?.last_id ?? 0),
      verifiedUntil: row?.verified_ms === null || row?.verified_ms === undefined ? null : new Date(Number(row.verified_ms)),
    };
  };

  const maxEventId = async (db: Db): Promise<number> => {
    const [row] = await executeRows<{ max_id: number | string | null }>(db, sql`select max(id) as max_id from metrics_events`);
    return Number(row?.max_id ?? 0);
  };

  /** Rolls raw ids (lastId, lastId + chunkIds] into hourly and daily rows; one transaction. */
  const rollChunk = (chunkIds: number) =>
    runner.transaction(async (tx) => {
      const { lastId } = await lockState(tx);
      const maxId = await maxEventId(tx);
      const upTo = Math.min(maxId, lastId + chunkIds);
      if (upTo <= lastId) return { events: 0, lastId, maxId, touched: { hourly: [], daily: [] } };
      const [counted] = await executeRows<{ events: number | string; hourly_ids: string | null; daily_ids: string | null }>(
        tx,
        sql`with g as materialized (
              ${rawDelta(sql`date_bin('1 hour', ts, ${EPOCH})`, sql`id > ${lastId} and id <= ${upTo}`)}
            ),
            hourly as (
              insert into metrics_hourly as t (${KEY}, hour, ${ROLLUP_COLUMNS})
              select ${KEY}, period, ${DELTA_AGGREGATES}, 1 from g
              group by preset_id, server_id, tool_name, event_type, period
              on conflict on constraint metrics_hourly_key_uq do update set ${additiveSet('t')}
              returning id, pieces
            ),
            daily as (
              insert into metrics_daily as t (${KEY}, day, ${ROLLUP_COLUMNS})
              select ${KEY}, day, ${DELTA_AGGREGATES}, 1
              from (select ${KEY}, date_bin('1 day', period, ${EPOCH}) as day, b,
                           sum(n) as n, sum(ok) as ok, sum(err) as err, sum(tmo) as tmo, sum(rej) as rej,
                           sum(s) as s, min(mn) as mn, max(mx) as mx
                    from g group by preset_id, server_id, tool_name, event_type, day, b) d
              group by preset_id, server_id, tool_name, event_type, day
              on conflict on constraint metrics_daily_key_uq do update set ${additiveSet('t')}
              returning id, pieces
            )
            select (select coalesce(sum(n), 0) from g) as events,
                   (select string_agg(id::text, ',') from hourly where pieces > 1) as hourly_ids,
                   (select string_agg(id::text, ',') from daily where pieces > 1) as daily_ids`,
      );
      await tx.execute(sql`update metrics_rollup_state set last_id = ${upTo}, updated_at = now() where name = ${STATE}`);
      return {
        events: Number(counted?.events ?? 0),
        lastId: upTo,
        maxId,
        touched: { hourly: idList(counted?.hourly_ids), daily: idList(counted?.daily_ids) },
      };
    });

  /**
   * Rewrites appended histograms as one sorted entry list: the given rows (ids) or, without ids,
   * up to `limit` rows found by a scan. Guarded by `pieces`, so a row that grew meanwhile is left
   * for the next pass. Returns how many rows it rewrote.
   */
  const compactTable = async (table: 'metrics_hourly' | 'metrics_daily', ids: number[] | null, limit = 500): Promise<number> => {
    const t = sql.raw(table);
    if (ids !== null && ids.length === 0) return 0;
    return runner.transaction(async (tx) => {
      const rows = await executeRows<{ id: number | string; pieces: number; hex: string }>(
        tx,
        ids === null
          ? sql`select id, pieces, encode(histogram, 'hex') as hex from ${t} where pieces > 1 limit ${limit}`
          : sql`select id, pieces, encode(histogram, 'hex') as hex from ${t}
                where id = any(string_to_array(${ids.join(',')}, ',')::bigint[]) and pieces > 1`,
      );
      if (rows.length === 0) return 0;
      const updates = rows.map((r) => {
        const h = new LatencyHistogram();
        h.addHex(r.hex);
        return { id: Number(r.id), pieces: Number(r.pieces), hex: h.encode().toString('hex') };
      });
      await tx.execute(sql`update ${t} as t set histogram = decode(x.hex, 'hex'), pieces = 1
          from json_to_recordset(${JSON.stringify(updates)}::json) as x(id bigint, pieces integer, hex text)
          where t.id = x.id and t.pieces = x.pieces`);
      return rows.length;
    });
  };

  const compactIds = async (touched: Touched): Promise<number> => {
    let n = 0;
    for (const table of ['hourly', 'daily'] as const) {
      const ids = [...new Set(touched[table])];
      for (let i = 0; i < ids.length; i += 500) n += await compactTable(`metrics_${table}`, ids.slice(i, i + 500));
    }
    return n;
  };

  const compact = async (limitRows = 50_000): Promise<number> => {
    let total = 0;
    for (const table of ['metrics_hourly', 'metrics_daily'] as const) {
      for (;;) {
        const done = await compactTable(table, null, 500);
        total += done;
        if (done < 500 || total >= limitRows) break;
      }
    }
    return total;
  };

  /**
   * Overwrites hours [from, to) from raw ids <= watermark and rebuilds their days; in tx.
   * (`id + 0`: the time range is the selective condition here, so keep the planner on the ts
   * index instead of walking the (id, ts) primary key up to the watermark.)
   */
  const rerollIn = async (tx: Db, from: Date, to: Date): Promise<{ rows: number; touched: Touched }> => {
    const { lastId } = await lockState(tx);
    const [written] = await executeRows<{ n: number | string }>(
      tx,
      sql`with g as (
            ${rawDelta(
              sql`date_bin('1 hour', ts, ${EPOCH})`,
              sql`ts >= ${from.toISOString()}::timestamptz and ts < ${to.toISOString()}::timestamptz and id + 0 <= ${lastId}`,
            )}
          ), up as (
            insert into metrics_hourly as t (${KEY}, hour, ${ROLLUP_COLUMNS})
            select ${KEY}, period, ${DELTA_AGGREGATES}, 1 from g
            group by preset_id, server_id, tool_name, event_type, period
            on conflict on constraint metrics_hourly_key_uq do update set ${OVERWRITE_SET}
            returning 1
          )
          select count(*) as n from up`,
    );
    const dayFrom = new Date(Math.floor(from.getTime() / DAY_MS) * DAY_MS);
    const dayTo = new Date(Math.ceil(to.getTime() / DAY_MS) * DAY_MS);
    // Days = the concatenation of their hours (compacted after): exactly the same raw rows.
    const days = await executeRows<{ id: number | string }>(
      tx,
      sql`insert into metrics_daily as t (${KEY}, day, ${ROLLUP_COLUMNS})
        select ${KEY}, date_bin('1 day', hour, ${EPOCH}) as day,
               sum(calls), sum(ok), sum(errors), sum(timeouts), sum(rejected), sum(latency_sum),
               min(latency_min), max(latency_max), string_agg(histogram, ''::bytea order by hour), sum(pieces)
        from metrics_hourly
        where hour >= ${dayFrom.toISOString()}::timestamptz and hour < ${dayTo.toISOString()}::timestamptz
        group by preset_id, server_id, tool_name, event_type, day
        on conflict on constraint metrics_daily_key_uq do update set ${OVERWRITE_SET}
        returning id`,
    );
    return { rows: Number(written?.n ?? 0), touched: { hourly: [], daily: days.map((d) => Number(d.id)) } };
  };

  /** Re-counts closed hours past the late window against raw rows; re-rolls the ones that differ. */
  const verify = async (now: Date, lateWindowHours: number, maxHours: number): Promise<{ verified: number; rerolled: number; touched: Touched }> =>
    runner.transaction(async (tx) => {
      const { lastId, verifiedUntil } = await lockState(tx);
      const end = new Date(Math.floor((now.getTime() - lateWindowHours * HOUR_MS) / HOUR_MS) * HOUR_MS);
      if (verifiedUntil === null || verifiedUntil >= end) {
        if (verifiedUntil === null) {
          await tx.execute(sql`update metrics_rollup_state set verified_until = ${end.toISOString()}::timestamptz where name = ${STATE}`);
        }
        return { verified: 0, rerolled: 0, touched: { hourly: [], daily: [] } };
      }
      const stop = new Date(Math.min(end.getTime(), verifiedUntil.getTime() + maxHours * HOUR_MS));
      const fromIso = verifiedUntil.toISOString();
      const toIso = stop.toISOString();
      const differing = await executeRows<{ hour_ms: number }>(
        tx,
        sql`select extract(epoch from coalesce(r.h, u.h)) * 1000 as hour_ms
            from (select date_bin('1 hour', ts, ${EPOCH}) as h, count(*) as c from metrics_events
                  where ts >= ${fromIso}::timestamptz and ts < ${toIso}::timestamptz and id + 0 <= ${lastId} group by 1) r
            full join (select hour as h, sum(calls) as c from metrics_hourly
                       where hour >= ${fromIso}::timestamptz and hour < ${toIso}::timestamptz group by 1) u on u.h = r.h
            where r.h is null or u.h is null or r.c <> u.c`,
      );
      let rerolled = 0;
      const touched: Touched = { hourly: [], daily: [] };
      for (const { hour_ms } of differing) {
        const hour = new Date(Number(hour_ms));
        // An hour with rollups but no raw rows lost its raw data (retention): nothing to re-roll from.
        const [raw] = await executeRows<{ n: number | string }>(
          tx,
          sql`select count(*) as n from metrics_events where ts >= ${hour.toISOString()}::timestamptz
              and ts < ${new Date(hour.getTime() + HOUR_MS).toISOString()}::timestamptz and id + 0 <= ${lastId}`,
        );
        if (Number(raw?.n ?? 0) === 0) continue;
        const re = await rerollIn(tx, hour, new Date(hour.getTime() + HOUR_MS));
        touched.daily.push(...re.touched.daily);
        rerolled++;
      }
      await tx.execute(sql`update metrics_rollup_state set verified_until = ${toIso}::timestamptz where name = ${STATE}`);
      return { verified: Math.round((stop.getTime() - verifiedUntil.getTime()) / HOUR_MS), rerolled, touched };
    });

  return {
    async run(options) {
      const started = performance.now();
      const chunkIds = Math.max(1, Math.trunc(options.chunkIds ?? 200_000));
      const maxChunks = options.maxChunks ?? Number.POSITIVE_INFINITY;
      let events = 0;
      let chunks = 0;
      let compacted = 0;
      let state: Awaited<ReturnType<typeof rollChunk>>;
      do {
        state = await rollChunk(chunkIds);
        compacted += await compactIds(state.touched);
        events += state.events;
        chunks++;
      } while (state.lastId < state.maxId && chunks < maxChunks);
      const { verified, rerolled, touched } = await verify(options.now, Math.max(0, options.lateWindowHours ?? 2), options.maxVerifyHours ?? 48);
      compacted += await compactIds(touched);
      last = {
        at: options.now,
        ms: performance.now() - started,
        events,
        chunks,
        pending: Math.max(0, state.maxId - state.lastId),
        lastId: state.lastId,
        compacted,
        verifiedHours: verified,
        rerolledHours: rerolled,
      };
      return last;
    },

    async rerollHours(from, to) {
      const a = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
      const b = new Date(Math.ceil(to.getTime() / HOUR_MS) * HOUR_MS);
      if (b <= a) return 0;
      const { rows, touched } = await runner.transaction((tx) => rerollIn(tx, a, b));
      await compactIds(touched);
      return rows;
    },

    compact,

    async vacuum() {
      // PGlite runs no autovacuum: the rollup's updates would otherwise pile up dead rows.
      for (const table of ['metrics_hourly', 'metrics_daily', 'metrics_rollup_state']) {
        await runner.db.execute(sql.raw(`vacuum (analyze) ${table}`));
      }
    },

    async dropBefore(cutoff) {
      const iso = cutoff.toISOString();
      const hourly = await executeRows<{ n: number | string }>(
        runner.db,
        sql`with d as (delete from metrics_hourly where hour < ${iso}::timestamptz returning 1) select count(*) as n from d`,
      );
      const daily = await executeRows<{ n: number | string }>(
        runner.db,
        sql`with d as (delete from metrics_daily where day + interval '1 day' <= ${iso}::timestamptz returning 1) select count(*) as n from d`,
      );
      return { hourly: Number(hourly[0]?.n ?? 0), daily: Number(daily[0]?.n ?? 0) };
    },

    async state() {
      await ensureState(runner.db);
      const [row] = await executeRows<{ last_id: number | string; verified_ms: number | null }>(
        runner.db,
        sql`select last_id, extract(epoch from verified_until) * 1000 as verified_ms from metrics_rollup_state where name = ${STATE}`,
      );
      return {
        lastId: Number(row?.last_id ?? 0),
        verifiedUntil: row?.verified_ms === null || row?.verified_ms === undefined ? null : new Date(Number(row.verified_ms)),
        maxEventId: await maxEventId(runner.db),
      };
    },

    lastRun: () => last,
  };
}
