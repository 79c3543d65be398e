import { LatencyHistogram } from '../latency-buckets.js';
import type { AggregateRow, MetricsStats, SeriesPoint } from './metrics-queries.js';

/** Conversion of SQL result rows to AggregateRows, merging of rows and their statistics. */
export interface AggregateSqlRow {
  key: string;
  bin_ms: number | string;
  calls: number | string;
  ok: number | string;
  errors: number | string;
  timeouts: number | string;
  rejected: number | string;
  lsum: number | string | null;
  lmin: number | string | null;
  lmax: number | string | null;
  hist: string | null;
  w_now: number | string;
}

export function toAggregateRow(r: AggregateSqlRow): AggregateRow {
  const histogram = new LatencyHistogram();
  histogram.addHex(r.hist);
  histogram.addExtremes(r.lmin === null ? null : Number(r.lmin), r.lmax === null ? null : Number(r.lmax));
  return {
    key: r.key,
    bin: new Date(Number(r.bin_ms)),
    calls: Number(r.calls),
    ok: Number(r.ok),
    errors: Number(r.errors),
    timeouts: Number(r.timeouts),
    rejected: Number(r.rejected),
    latencySum: Number(r.lsum ?? 0),
    histogram,
  };
}

export const EMPTY_STATS: MetricsStats = {
  calls: 0,
  ok: 0,
  errors: 0,
  timeouts: 0,
  rejected: 0,
  errorRate: 0,
  avg: null,
  min: null,
  max: null,
  p50: null,
  p95: null,
  p99: null,
};

export function total(points: SeriesPoint[]): number {
  return points.reduce((sum, p) => sum + p.calls, 0);
}

export function mergeInto(into: AggregateRow, row: AggregateRow): void {
  into.calls += row.calls;
  into.ok += row.ok;
  into.errors += row.errors;
  into.timeouts += row.timeouts;
  into.rejected += row.rejected;
  into.latencySum += row.latencySum;
  into.histogram.merge(row.histogram);
}

export function statsOf(row: Omit<AggregateRow, 'key' | 'bin'>): MetricsStats {
  const h = row.histogram;
  return {
    calls: row.calls,
    ok: row.ok,
    errors: row.errors,
    timeouts: row.timeouts,
    rejected: row.rejected,
    errorRate: row.calls > 0 ? (row.calls - row.ok) / row.calls : 0,
    avg: row.calls > 0 ? row.latencySum / row.calls : null,
    min: Number.isFinite(h.min) ? h.min : null,
    max: Number.isFinite(h.max) ? h.max : null,
    p50: h.quantile(0.5),
    p95: h.quantile(0.95),
    p99: h.quantile(0.99),
  };
}
