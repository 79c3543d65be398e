import { sql } from 'drizzle-orm';
import { executeRows, type Db } from '../executor.js';

/** How wide one metrics_events partition is (UTC months or UTC days). */
export type PartitionGranularity = 'monthly' | 'daily';

/** How long something is kept: whole UTC months or days before now's month/day; null = forever. */
export type Retention = { unit: 'month' | 'day'; count: number } | null;

export interface MetricsPartition {
  name: string;
  from: Date;
  to: Date;
  /** Live rows (pg_class.reltuples estimate, -1 when never analysed). */
  estimatedRows: number;
  totalBytes: number;
}

/**
 * Partitions of metrics_events, through the SQL functions of migrations 0001/0003. Run at start
 * and on a timer; every call is idempotent and safe with several gateways on one Postgres.
 */
export interface PartitionsRepository {
  /** Creates metrics_events_YYYY_MM for now's month and the next `monthsAhead`; returns the new ones. */
  ensurePartitions(now: Date, monthsAhead: number): Promise<string[]>;
  /**
   * Drops month partitions older than `retentionMonths` whole months before now's month (and
   * such rows in the DEFAULT partition); returns the dropped partitions.
   */
  dropExpired(now: Date, retentionMonths: number): Promise<string[]>;
  /**
   * Creates the partitions for now and `ahead` more months/days, plus one for every period that
   * has rows waiting in the DEFAULT partition (from `notBefore` up to a year ahead), which moves
   * those rows into it. Returns the partitions created.
   */
  ensure(now: Date, granularity: PartitionGranularity, ahead: number, notBefore?: Date | null): Promise<string[]>;
  /** Drops partitions wholly before retentionCutoff(now, retention); returns them. Forever: none. */
  dropOlderThan(now: Date, retention: Retention): Promise<string[]>;
  /** Every partition (DEFAULT last), oldest first, with sizes. */
  list(): Promise<MetricsPartition[]>;
  /**
   * ANALYZE the partitions receiving rows now (and the DEFAULT one): PGlite runs no autovacuum,
   * so without this the planner would guess row counts. Returns the partitions analysed.
   */
  analyzeRecent(now: Date): Promise<string[]>;
}

export function createPartitionsRepository(db: Db): PartitionsRepository {
  const ensureRange = async (first: Date, last: Date, granularity: PartitionGranularity): Promise<string[]> => {
    const step = granularity === 'monthly' ? '1 month' : '1 day';
    const rows = await executeRows<{ name: string | null }>(
      db,
      sql`select case when ensure_metrics_partition_at(d::date, ${granularity}) then ${partitionNameSql(granularity)} end as name
          from generate_series(${isoDate(first)}::date, ${isoDate(last)}::date, ${step}::interval) as d`,
    );
    return rows.flatMap((r) => (r.name ? [r.name] : []));
  };

  return {
    async ensurePartitions(now, monthsAhead) {
      return ensureRange(monthStartUtc(now, 0), monthStartUtc(now, Math.max(0, Math.trunc(monthsAhead))), 'monthly');
    },

    async dropExpired(now, retentionMonths) {
      return this.dropOlderThan(now, { unit: 'month', count: retentionMonths });
    },

    async ensure(now, granularity, ahead, notBefore = null) {
      const n = Math.max(0, Math.trunc(ahead));
      const created =
        granularity === 'monthly'
          ? await ensureRange(monthStartUtc(now, 0), monthStartUtc(now, n), 'monthly')
          : await ensureRange(dayStartUtc(now, 0), dayStartUtc(now, n), 'daily');
      // Periods with rows stranded in DEFAULT (clock skew, a gateway that was off, late imports).
      const horizon = new Date(Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), now.getUTCDate()));
      const stranded = await executeRows<{ name: string | null }>(
        db,
        sql`select case when ensure_metrics_partition_at(d, ${granularity}) then ${partitionNameSql(granularity)} end as name
            from (select distinct (case when ${granularity} = 'monthly' then date_trunc('month', ts at time zone 'UTC')
                                        else date_trunc('day', ts at time zone 'UTC') end)::date as d
                  from metrics_events_default
                  where ts < ${horizon.toISOString()}::timestamptz
                    and (${notBefore?.toISOString() ?? null}::timestamptz is null or ts >= ${notBefore?.toISOString() ?? null}::timestamptz)) s
            order by d`,
      );
      return [...created, ...stranded.flatMap((r) => (r.name ? [r.name] : []))];
    },

    async dropOlderThan(now, retention) {
      const cutoff = retentionCutoff(now, retention);
      if (!cutoff) return [];
      const rows = await executeRows<{ name: string }>(
        db,
        sql`select drop_metrics_partitions_before(${cutoff.toISOString()}::timestamptz) as name`,
      );
      return rows.map((r) => r.name);
    },

    async analyzeRecent(now) {
      const parts = await this.list();
      const t = now.getTime();
      const recent = parts.filter((p) => p.name === 'metrics_events_default' || (p.to.getTime() > t - 2 * 86_400_000 && p.from.getTime() <= t));
      for (const p of recent) await db.execute(sql.raw(`analyze ${quoteIdent(p.name)}`));
      return recent.map((p) => p.name);
    },

    async list() {
      const rows = await executeRows<{ name: string; lo_ms: number | null; hi_ms: number | null; est: number; bytes: number | string }>(
        db,
        sql`select c.relname as name,
                   extract(epoch from r.lo) * 1000 as lo_ms, extract(epoch from r.hi) * 1000 as hi_ms,
                   c.reltuples::float8 as est, pg_total_relation_size(c.oid)::float8 as bytes
            from pg_inherits i join pg_class c on c.oid = i.inhrelid
            cross join lateral metrics_partition_range(c.relname) r
            where i.inhparent = 'metrics_events'::regclass
            order by r.lo nulls last, c.relname`,
      );
      return rows.map((r) => ({
        name: r.name,
        from: new Date(r.lo_ms === null ? Number.NEGATIVE_INFINITY : Number(r.lo_ms)),
        to: new Date(r.hi_ms === null ? Number.POSITIVE_INFINITY : Number(r.hi_ms)),
        estimatedRows: Number(r.est),
        totalBytes: Number(r.bytes),
      }));
    },
  };
}

/**
 * The instant before which data is expired: `count` whole months (or days) before the start of
 * now's UTC month (or day). Months: now 2031-07-20, 3 → 2031-04-01. null for "forever".
 */
export function retentionCutoff(now: Date, retention: Retention): Date | null {
  if (!retention) return null;
  const n = Math.max(0, Math.trunc(retention.count));
  return retention.unit === 'month' ? monthStartUtc(now, -n) : dayStartUtc(now, -n);
}

/** Parses "3 months", "90 days", "1 month", "forever" (case-insensitive). Throws on anything else. */
export function parseRetention(text: string): Retention {
  const t = text.trim().toLowerCase();
  if (t === 'forever' || t === 'never') return null;
  const m = /^(\d+)\s*(d|day|days|m|mo|month|months)$/.exec(t);
  if (!m) throw new Error(`invalid retention "${text}": expected "<n> days", "<n> months" or "forever"`);
  return { unit: m[2]!.startsWith('d') ? 'day' : 'month', count: Number(m[1]) };
}

function partitionNameSql(granularity: PartitionGranularity) {
  return granularity === 'monthly' ? sql`'metrics_events_' || to_char(d, 'YYYY_MM')` : sql`'metrics_events_' || to_char(d, 'YYYY_MM_DD')`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function monthStartUtc(d: Date, addMonths: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + addMonths, 1));
}

function dayStartUtc(d: Date, addDays: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + addDays));
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
