import { create } from 'zustand';
import type { MethodOutput } from '../../../gateway/contract/index.js';
import { call, errorText } from '../api/client.js';

export type RangeKey = '1h' | '6h' | '24h' | '7d' | '30d' | '90d';
export type GroupBy = 'tool' | 'server' | 'preset';
export type LatencyRow = MethodOutput<'metrics.latency'>['rows'][number];
export type RecentCall = MethodOutput<'metrics.recentCalls'>['items'][number];
export type SlowRow = MethodOutput<'metrics.slowest'>['rows'][number];
export type ErrorReport = MethodOutput<'metrics.errors'>;

const HOUR = 3_600_000;
/** Each range is drawn as a fixed number of intervals. */
export const RANGES: Record<RangeKey, { label: string; ms: number; buckets: number }> = {
  '1h': { label: '1 hour', ms: HOUR, buckets: 12 },
  '6h': { label: '6 hours', ms: 6 * HOUR, buckets: 12 },
  '24h': { label: '24 hours', ms: 24 * HOUR, buckets: 24 },
  '7d': { label: '7 days', ms: 7 * 24 * HOUR, buckets: 28 },
  '30d': { label: '30 days', ms: 30 * 24 * HOUR, buckets: 30 },
  '90d': { label: '90 days', ms: 90 * 24 * HOUR, buckets: 30 },
};

export interface SeriesPoint {
  /** Interval start, ms since epoch. */
  t: number;
  calls: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Totals {
  calls: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

interface DashboardState {
  range: RangeKey;
  slug: string;
  groupBy: GroupBy;
  rows: LatencyRow[];
  slowest: SlowRow[];
  errors: ErrorReport | null;
  totals: Totals | null;
  /** False when the percentiles are an upper bound (several presets over 90 days). */
  totalsExact: boolean;
  series: SeriesPoint[];
  recent: RecentCall[];
  loading: boolean;
  loadingSeries: boolean;
  error: string | null;
  updatedAt: number | null;
  setRange(range: RangeKey): void;
  setSlug(slug: string): void;
  setGroupBy(groupBy: GroupBy): void;
  /** Tables and recent calls (cheap); `withSeries` also redraws the chart. */
  refresh(options?: { withSeries?: boolean }): Promise<void>;
}

/**
 * Percentiles cannot be added up: over several presets, the worst preset's value is an upper
 * bound of the overall percentile (used only where no exact figure is available).
 */
export function combineRows(rows: LatencyRow[]): Totals {
  const calls = rows.reduce((sum, r) => sum + r.calls, 0);
  const errors = rows.reduce((sum, r) => sum + r.errors + r.timeouts, 0);
  const worst = (key: 'p50' | 'p95' | 'p99'): number | null => {
    const values = rows.filter((r) => r.calls > 0 && r[key] !== null).map((r) => r[key] as number);
    return values.length > 0 ? Math.max(...values) : null;
  };
  return { calls, errors, p50: worst('p50'), p95: worst('p95'), p99: worst('p99') };
}

/** Bin width per range: whole hours from 24 h up, minutes below (the API takes both). */
export function stepFor(range: RangeKey): number {
  const { ms, buckets } = RANGES[range];
  const seconds = ms / 1000 / buckets;
  return seconds >= 3600 ? Math.round(seconds / 3600) * 3600 : Math.max(60, Math.round(seconds / 60) * 60);
}

type TimeseriesPoint = MethodOutput<'metrics.timeseries'>['series'][number]['points'][number];

export function toSeriesPoint(point: TimeseriesPoint): SeriesPoint {
  return { t: new Date(point.ts).getTime(), calls: point.calls, errors: point.calls - point.ok, p50: point.p50, p95: point.p95, p99: point.p99 };
}

/** Every bin of the range, empty ones as zero calls (the API may leave them out). */
export function fillSeries(points: SeriesPoint[], fromMs: number, toMs: number, stepMs: number): SeriesPoint[] {
  if (stepMs <= 0) return points;
  const byTime = new Map(points.map((p) => [p.t, p]));
  const first = Math.floor(fromMs / stepMs) * stepMs;
  const grid: SeriesPoint[] = [];
  for (let t = first; t < toMs && grid.length < 2000; t += stepMs) grid.push(byTime.get(t) ?? { t, calls: 0, errors: 0, p50: null, p95: null, p99: null });
  // Bins on another grid (an unexpected alignment): show the points as they came.
  const matched = points.filter((p) => byTime.get(p.t) && grid.some((g) => g.t === p.t)).length;
  return matched === points.length ? grid : points;
}

/** Exact percentiles over the whole range: one bin when the API allows it (≤ 30 days). */
async function loadTotals(range: RangeKey, scope: { slug?: string }, from: string, to: string): Promise<{ totals: Totals; exact: boolean }> {
  const seconds = RANGES[range].ms / 1000;
  if (seconds <= 30 * 86_400) {
    const { series } = await call('metrics.timeseries', { groupBy: 'none', from, to, stepSeconds: seconds, ...scope });
    const points = series[0]?.points ?? [];
    const calls = points.reduce((sum, p) => sum + p.calls, 0);
    const errors = points.reduce((sum, p) => sum + p.calls - p.ok, 0);
    const only = points.filter((p) => p.calls > 0);
    if (only.length <= 1) return { totals: { calls, errors, p50: only[0]?.p50 ?? null, p95: only[0]?.p95 ?? null, p99: only[0]?.p99 ?? null }, exact: true };
  }
  const { rows } = await call('metrics.latency', { groupBy: 'preset', from, to, ...scope });
  return { totals: combineRows(rows), exact: rows.length <= 1 };
}

export const useDashboard = create<DashboardState>((set, get) => ({
  range: '24h',
  slug: '',
  groupBy: 'tool',
  rows: [],
  slowest: [],
  errors: null,
  totals: null,
  totalsExact: true,
  series: [],
  recent: [],
  loading: false,
  loadingSeries: false,
  error: null,
  updatedAt: null,
  setRange(range) {
    set({ range, series: [] });
    void get().refresh({ withSeries: true });
  },
  setSlug(slug) {
    set({ slug, series: [] });
    void get().refresh({ withSeries: true });
  },
  setGroupBy(groupBy) {
    set({ groupBy });
    void get().refresh();
  },
  async refresh(options) {
    const { range, slug, groupBy } = get();
    const now = Date.now();
    const from = new Date(now - RANGES[range].ms).toISOString();
    const to = new Date(now).toISOString();
    const scope = slug ? { slug } : {};
    set({ loading: true, ...(options?.withSeries ? { loadingSeries: true } : {}) });
    try {
      const [latency, totals, slowest, errors, recent] = await Promise.all([
        call('metrics.latency', { groupBy, from, to, ...scope }),
        loadTotals(range, scope, from, to),
        call('metrics.slowest', { from, to, by: 'p95', limit: 10, ...scope }),
        call('metrics.errors', { groupBy: 'tool', from, to, limit: 10, ...scope }),
        call('metrics.recentCalls', { limit: 25, ...scope }),
      ]);
      if (get().range !== range || get().slug !== slug) return; // superseded
      set({
        rows: latency.rows,
        totals: totals.totals,
        totalsExact: totals.exact,
        slowest: slowest.rows,
        errors,
        recent: recent.items,
        error: null,
        updatedAt: now,
      });
      if (options?.withSeries) {
        const step = stepFor(range);
        const result = await call('metrics.timeseries', { groupBy: 'none', from, to, stepSeconds: step, ...scope });
        if (get().range === range && get().slug === slug) set({ series: fillSeries((result.series[0]?.points ?? []).map(toSeriesPoint), now - RANGES[range].ms, now, result.stepSeconds * 1000) });
      }
    } catch (error) {
      set({ error: errorText(error) });
    } finally {
      set({ loading: false, ...(options?.withSeries ? { loadingSeries: false } : {}) });
    }
  },
}));
