/**
 * The fixed log-scale latency buckets of metrics_hourly / metrics_daily `histogram`, and the
 * codec of that column. The SQL twin is `metrics_latency_bucket(ms)` (migration 0003); the two
 * must agree, so changing the scale means a new migration that rebuilds the rollups.
 *
 * Scale: bucket 0 holds latencies ≤ 0.01 ms; bucket i (1..606) holds (0.01·1.03^(i-1), 0.01·1.03^i]
 * ms, so the finite buckets cover 0.01 ms … ~602 s (10 min); bucket 607 holds everything above
 * (and NaN). A bucket is represented by its geometric middle, which is within √1.03 − 1 ≈ 1.49 %
 * of every latency in it: that is the relative error of a percentile read from merged histograms
 * (for latencies inside 0.01 ms … 10 min), whatever the number of hours merged.
 *
 * Storage: a bytea of 6-byte big-endian entries (int2 bucket, int4 count). Concatenating two
 * histograms merges them (entries may repeat a bucket; readers sum), which is what lets the
 * rollup append an increment with `histogram || excluded.histogram` and lets a query merge any
 * number of hours with `string_agg(histogram, '')`. Compaction rewrites an entry list sorted by
 * bucket with one entry per bucket (`encode()`).
 */
export const LATENCY_BUCKET_BASE_MS = 0.01;
export const LATENCY_BUCKET_GROWTH = 1.03;
/** Buckets 1..FINITE are finite; bucket 0 is "≤ base", bucket FINITE + 1 is "above the top". */
export const LATENCY_FINITE_BUCKETS = 606;
export const LATENCY_OVERFLOW_BUCKET = LATENCY_FINITE_BUCKETS + 1;
export const LATENCY_BUCKET_COUNT = LATENCY_FINITE_BUCKETS + 2;
/** Upper bound of the last finite bucket (~602,000 ms). */
export const LATENCY_TOP_MS = LATENCY_BUCKET_BASE_MS * LATENCY_BUCKET_GROWTH ** LATENCY_FINITE_BUCKETS;
/** The worst relative error of a bucket's representative value for a latency inside the scale. */
export const LATENCY_MAX_RELATIVE_ERROR = Math.sqrt(LATENCY_BUCKET_GROWTH) - 1;

const LN_GROWTH = Math.log(LATENCY_BUCKET_GROWTH);
const ENTRY_BYTES = 6;
const MAX_ENTRY_COUNT = 0x7fffffff;

/** Upper bound (inclusive, ms) of every bucket; the last one is +Infinity. */
export const LATENCY_BUCKET_UPPER_MS: readonly number[] = Array.from({ length: LATENCY_BUCKET_COUNT }, (_, i) =>
  i === LATENCY_OVERFLOW_BUCKET ? Number.POSITIVE_INFINITY : LATENCY_BUCKET_BASE_MS * LATENCY_BUCKET_GROWTH ** i,
);

/** Same formula as the SQL function metrics_latency_bucket (including its 1e-9 edge nudge). */
export function latencyBucketIndex(latencyMs: number): number {
  if (Number.isNaN(latencyMs)) return LATENCY_OVERFLOW_BUCKET;
  if (!(latencyMs > LATENCY_BUCKET_BASE_MS)) return 0;
  if (!(latencyMs <= LATENCY_TOP_MS)) return LATENCY_OVERFLOW_BUCKET;
  const i = Math.ceil(Math.log(latencyMs / LATENCY_BUCKET_BASE_MS) / LN_GROWTH - 1e-9);
  return Math.min(Math.max(i, 1), LATENCY_FINITE_BUCKETS);
}

/**
 * The value standing for bucket i: its geometric middle (bucket 0: the base; overflow: +Infinity).
 * Callers clamp it into the group's [min, max], which only moves it closer to the true values.
 */
export function latencyBucketValue(bucket: number): number {
  if (bucket <= 0) return LATENCY_BUCKET_BASE_MS;
  if (bucket >= LATENCY_OVERFLOW_BUCKET) return Number.POSITIVE_INFINITY;
  return LATENCY_BUCKET_BASE_MS * LATENCY_BUCKET_GROWTH ** (bucket - 0.5);
}

/** A mergeable latency histogram over the fixed scale, plus the exact extremes. */
export class LatencyHistogram {
  readonly counts = new Float64Array(LATENCY_BUCKET_COUNT);
  total = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  record(latencyMs: number, times = 1): void {
    this.addToBucket(latencyBucketIndex(latencyMs), times);
    if (latencyMs < this.min) this.min = latencyMs;
    if (latencyMs > this.max) this.max = latencyMs;
  }

  addToBucket(bucket: number, count: number): void {
    if (!(count > 0)) return;
    const b = bucket < 0 ? 0 : bucket > LATENCY_OVERFLOW_BUCKET ? LATENCY_OVERFLOW_BUCKET : bucket;
    this.counts[b] = (this.counts[b] ?? 0) + count;
    this.total += count;
  }

  /** Widens the known extremes (the rollup rows carry exact min/max). */
  addExtremes(min: number | null, max: number | null): void {
    if (min !== null && min < this.min) this.min = min;
    if (max !== null && max > this.max) this.max = max;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) {
      const c = other.counts[i] ?? 0;
      if (c > 0) this.counts[i] = (this.counts[i] ?? 0) + c;
    }
    this.total += other.total;
    this.addExtremes(Number.isFinite(other.min) ? other.min : null, Number.isFinite(other.max) ? other.max : null);
  }

  /** Adds the entries of a stored histogram (bytea bytes, any order, repeats allowed). */
  addEncoded(bytes: Uint8Array): void {
    const counts = this.counts;
    const end = bytes.length - (bytes.length % ENTRY_BYTES);
    let total = 0;
    for (let at = 0; at < end; at += ENTRY_BYTES) {
      const bucket = Math.min((bytes[at]! << 8) | bytes[at + 1]!, LATENCY_OVERFLOW_BUCKET);
      const count = (bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!;
      if (count > 0) {
        counts[bucket]! += count;
        total += count;
      }
    }
    this.total += total;
  }

  /** Adds a hex-encoded stored histogram (what `encode(histogram, 'hex')` returns). */
  addHex(hex: string | null | undefined): void {
    if (hex) this.addEncoded(Buffer.from(hex, 'hex'));
  }

  /** The canonical stored form: one entry per non-empty bucket, ascending. */
  encode(): Buffer {
    let entries = 0;
    for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) {
      const c = this.counts[i] ?? 0;
      if (c > 0) entries += Math.ceil(c / MAX_ENTRY_COUNT);
    }
    const out = Buffer.allocUnsafe(entries * ENTRY_BYTES);
    let at = 0;
    for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) {
      let c = this.counts[i] ?? 0;
      while (c > 0) {
        const part = Math.min(c, MAX_ENTRY_COUNT);
        out.writeUInt16BE(i, at);
        out.writeInt32BE(part, at + 2);
        at += ENTRY_BYTES;
        c -= part;
      }
    }
    return out;
  }

  /**
   * The p-quantile (0..1) the way PostgreSQL's percentile_cont computes it (linear interpolation
   * between the order statistics around p·(n−1)), with each order statistic replaced by its
   * bucket's value clamped into [min, max]. null when empty.
   */
  quantile(p: number): number | null {
    if (this.total <= 0) return null;
    const q = Math.min(1, Math.max(0, p));
    const pos = q * (this.total - 1);
    const lo = Math.floor(pos);
    const frac = pos - lo;
    const vLo = this.orderStatistic(lo);
    if (frac === 0) return vLo;
    const vHi = this.orderStatistic(lo + 1);
    return vLo + frac * (vHi - vLo);
  }

  /** The estimated value of the k-th smallest latency (0-based). */
  private orderStatistic(k: number): number {
    let seen = 0;
    let bucket = LATENCY_OVERFLOW_BUCKET;
    for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) {
      seen += this.counts[i] ?? 0;
      if (seen > k) {
        bucket = i;
        break;
      }
    }
    let value = latencyBucketValue(bucket);
    if (Number.isFinite(this.max) && value > this.max) value = this.max;
    if (Number.isFinite(this.min) && value < this.min) value = this.min;
    return value;
  }
}

/** Decodes a stored histogram into {bucket → count} pairs (repeats summed), ascending. */
export function decodeHistogram(bytes: Uint8Array): Array<[bucket: number, count: number]> {
  const h = new LatencyHistogram();
  h.addEncoded(bytes);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) if ((h.counts[i] ?? 0) > 0) out.push([i, h.counts[i] ?? 0]);
  return out;
}

/**
 * The p-quantile (0..1) of a dense histogram indexed by bucket, as the value of the bucket holding
 * the nearest-rank order statistic (no min/max clamping: use LatencyHistogram.quantile for that).
 */
export function percentileFromHistogram(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i] ?? 0;
    if (seen >= rank) return i >= LATENCY_OVERFLOW_BUCKET ? LATENCY_TOP_MS : latencyBucketValue(i);
  }
  return null;
}
