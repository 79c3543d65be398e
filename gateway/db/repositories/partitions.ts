import { sql } from 'drizzle-orm';
import { executeRows, type Db } from '../executor.js';

/**
 * Monthly partitions of metrics_events (UTC months), through the SQL functions of migration
 * 0001. Run at start and on a timer; both calls are idempotent.
 */
export interface PartitionsRepository {
  /** Creates metrics_events_YYYY_MM for now's month and the next `monthsAhead`; returns the new ones. */
  ensurePartitions(now: Date, monthsAhead: number): Promise<string[]>;
  /**
   * Drops month partitions older than `retentionMonths` whole months before now's month (and
   * such rows in the DEFAULT partition); returns the dropped partitions.
   */
  dropExpired(now: Date, retentionMonths: number): Promise<string[]>;
}

export function createPartitionsRepository(db: Db): PartitionsRepository {
  return {
    async ensurePartitions(now, monthsAhead) {
      const first = monthStartUtc(now, 0);
      const last = monthStartUtc(now, Math.max(0, Math.trunc(monthsAhead)));
      const rows = await executeRows<{ name: string; created: boolean }>(
        db,
        sql`select 'metrics_events_' || to_char(m, 'YYYY_MM') as name, ensure_metrics_partition(m::date) as created
            from generate_series(${isoDate(first)}::date, ${isoDate(last)}::date, interval '1 month') as m`,
      );
      return rows.filter((r) => r.created).map((r) => r.name);
    },

    async dropExpired(now, retentionMonths) {
      const cutoff = monthStartUtc(now, -Math.max(0, Math.trunc(retentionMonths)));
      const rows = await executeRows<{ name: string }>(
        db,
        sql`select drop_metrics_partitions_before(${cutoff.toISOString()}::timestamptz) as name`,
      );
      return rows.map((r) => r.name);
    },
  };
}

function monthStartUtc(d: Date, addMonths: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + addMonths, 1));
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
