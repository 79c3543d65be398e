import type { Metric } from 'prom-client';

/**
 * Label-cardinality capping for the gateway's Prometheus metrics (prometheus.ts): at most `cap`
 * distinct label sets per metric; observations beyond fold into "other". Ids are stored while
 * observing and rendered as preset slugs / server names only at scrape time.
 */
export const OTHER = 'other';
export const NONE = 'none';

export type Names = { presets: Map<string, string>; servers: Map<string, string> };
/** How a stored id label is shown: 'p' preset id, 's' server id, 't' plain text. */
export type LabelKind = 'p' | 's' | 't';

interface Series {
  labels: string[];
  count: number;
  sum: number;
  buckets: Float64Array;
}

/**
 * A counter (`<name>_total`) plus a histogram (`<name>_duration_seconds`) over the same bounded
 * label sets, stored by id and rendered with names at scrape time.
 */
export class IdLabeledCalls {
  private readonly series = new Map<string, Series>();
  private readonly capKeys = new Set<string>();
  readonly counter: Metric;
  readonly histogram: Metric;

  constructor(
    private readonly base: string,
    private readonly what: string,
    private readonly labelNames: string[],
    private readonly kinds: LabelKind[],
    /** How many leading labels form the capped identity (the rest, e.g. status, are small enums). */
    private readonly capWidth: number,
    private readonly cap: number,
    private readonly buckets: number[],
    private readonly names: () => Promise<Names>,
  ) {
    this.counter = this.metric('counter');
    this.histogram = this.metric('histogram');
  }

  observe(labels: string[], seconds: number): void {
    const capKey = labels.slice(0, this.capWidth).join('\u0001');
    if (!this.capKeys.has(capKey)) {
      if (this.capKeys.size >= this.cap) {
        for (let i = 0; i < this.capWidth; i++) labels[i] = OTHER;
      } else {
        this.capKeys.add(capKey);
      }
    }
    const key = labels.join('\u0001');
    let s = this.series.get(key);
    if (!s) {
      s = { labels, count: 0, sum: 0, buckets: new Float64Array(this.buckets.length) };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += seconds;
    for (let i = 0; i < this.buckets.length; i++) {
      if (seconds <= this.buckets[i]!) {
        s.buckets[i]!++;
        break;
      }
    }
  }

  get labelSets(): number {
    return this.capKeys.size;
  }

  /** Series merged by their display labels (a name may cover two ids, e.g. a re-created preset). */
  private async rendered(): Promise<Array<{ labels: Record<string, string>; count: number; sum: number; buckets: Float64Array }>> {
    const names = await this.names();
    const out = new Map<string, { labels: Record<string, string>; count: number; sum: number; buckets: Float64Array }>();
    for (const s of this.series.values()) {
      const shown = s.labels.map((value, i) => display(value, this.kinds[i]!, names));
      const key = shown.join('\u0001');
      let r = out.get(key);
      if (!r) {
        r = {
          labels: Object.fromEntries(this.labelNames.map((n, i) => [n, shown[i]!])),
          count: 0,
          sum: 0,
          buckets: new Float64Array(this.buckets.length),
        };
        out.set(key, r);
      }
      r.count += s.count;
      r.sum += s.sum;
      for (let i = 0; i < this.buckets.length; i++) r.buckets[i]! += s.buckets[i]!;
    }
    return [...out.values()];
  }

  private metric(type: 'counter' | 'histogram'): Metric {
    const name = type === 'counter' ? `${this.base}_total` : `${this.base}_duration_seconds`;
    const help = type === 'counter' ? `${this.what} handled, by ${this.labelNames.join(', ')}.` : `Duration of ${this.what}, in seconds.`;
    const get = async () => {
      const rows = await this.rendered();
      const values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }> = [];
      for (const r of rows) {
        if (type === 'counter') {
          values.push({ labels: r.labels, value: r.count });
          continue;
        }
        let cumulative = 0;
        for (let i = 0; i < this.buckets.length; i++) {
          cumulative += r.buckets[i]!;
          values.push({ labels: { ...r.labels, le: this.buckets[i]! }, value: cumulative, metricName: `${name}_bucket` });
        }
        values.push({ labels: { ...r.labels, le: '+Inf' }, value: r.count, metricName: `${name}_bucket` });
        values.push({ labels: r.labels, value: r.sum, metricName: `${name}_sum` });
        values.push({ labels: r.labels, value: r.count, metricName: `${name}_count` });
      }
      return { name, help, type, aggregator: 'sum' as const, values };
    };
    const reset = () => {
      this.series.clear();
      this.capKeys.clear();
    };
    return { name, help, type, aggregator: 'sum', get, reset } as unknown as Metric;
  }
}

function display(value: string, kind: LabelKind, names: Names): string {
  if (value === OTHER || value === NONE || kind === 't') return value;
  return (kind === 'p' ? names.presets.get(value) : names.servers.get(value)) ?? value;
}
