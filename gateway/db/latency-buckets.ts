/**
 * The fixed log-scale latency buckets of metrics_hourly.histogram. Changing them invalidates
 * stored histograms, so they are versioned by a migration, never edited in place.
 *
 * Bucket i counts latencies in (UPPER[i-1], UPPER[i]] ms; UPPER grows by 25% a step from 0.1 ms,
 * so a percentile read from merged histograms is within ~12% of the exact value. The last bucket
 * is open-ended (> ~120 s).
 */
const GROWTH = 1.25;
const FIRST_UPPER_MS = 0.1;
export const LATENCY_BUCKET_COUNT = 64;

export const LATENCY_BUCKET_UPPER_MS: readonly number[] = Array.from({ length: LATENCY_BUCKET_COUNT }, (_, i) =>
  i === LATENCY_BUCKET_COUNT - 1 ? Number.POSITIVE_INFINITY : FIRST_UPPER_MS * GROWTH ** i,
);

export function latencyBucketIndex(latencyMs: number): number {
  if (!(latencyMs > FIRST_UPPER_MS)) return 0;
  const i = Math.ceil(Math.log(latencyMs / FIRST_UPPER_MS) / Math.log(GROWTH) - 1e-9);
  return Math.min(i, LATENCY_BUCKET_COUNT - 1);
}

/** The p-quantile (0..1) of a histogram, as the geometric middle of the bucket holding it. */
export function percentileFromHistogram(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i] ?? 0;
    if (seen >= rank) {
      const upper = LATENCY_BUCKET_UPPER_MS[i] ?? Number.POSITIVE_INFINITY;
      const lower = i === 0 ? 0 : (LATENCY_BUCKET_UPPER_MS[i - 1] ?? 0);
      return Number.isFinite(upper) ? (i === 0 ? upper / 2 : Math.sqrt(lower * upper)) : lower;
    }
  }
  return null;
}
