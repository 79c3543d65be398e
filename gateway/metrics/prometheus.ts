import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { MetricEvent } from '../db/records.js';
import type { FlushInfo, RecorderStats } from './recorder.js';

/**
 * The gateway's Prometheus exposition (`GET /metrics`), on its own prom-client Registry (several
 * gateways can live in one process, e.g. in tests).
 *
 * Nothing here runs on the request path by default: tool-call metrics come from the recorder's
 * events (observed in batches on its flush timer), and gauges/counters of upstreams, caches and
 * the recorder are read from callbacks at scrape time. The one push-style hook a request pays for
 * is `observeHttp` (a counter and a histogram bump).
 *
 * Cardinality is bounded: at most `maxToolLabelSets` distinct (preset, server, tool) label sets
 * (and `maxMethodLabelSets` (preset, method)); events beyond fold into preset/server/tool="other".
 * Ids are kept while observing and turned into preset slugs / server names only when scraped, so
 * a renamed server does not split its series history mid-flight and no lookup runs per call.
 */
export interface UpstreamSample {
  server: string;
  state: string;
  restarts: number;
  /** Circuit breaker state, when the upstream layer reports one. */
  breaker?: 'closed' | 'open' | 'half_open';
}

export interface CacheSample {
  cache: string;
  hits: number;
  misses: number;
  entries: number;
}

export interface RollupSample {
  /** Raw events above the rollup watermark. */
  pending: number;
  lastRunAt: Date | null;
}

export interface GatewayMetricsSources {
  upstreams?: () => Iterable<UpstreamSample>;
  caches?: () => Iterable<CacheSample>;
  recorder?: () => RecorderStats;
  rollup?: () => RollupSample | null;
  /** id → preset slug / server name for the tool-call labels (called at most every 30 s). */
  names?: () => Promise<{ presets: Map<string, string>; servers: Map<string, string> }>;
}

export interface GatewayMetricsOptions {
  maxToolLabelSets?: number;
  maxMethodLabelSets?: number;
  /** nodejs_* / process_* metrics (default true). */
  processMetrics?: boolean;
}

export const OTHER = 'other';
const NONE = 'none';
const UPSTREAM_STATES = ['stopped', 'starting', 'ready', 'restarting', 'failed'] as const;
const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
const DB_OPS = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback', 'create', 'alter', 'drop']);
/** Seconds: 0.5 ms … 60 s, the span of tool calls from a local stdio server to a slow remote one. */
export const TOOL_CALL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DB_BUCKETS = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAMES_TTL_MS = 30_000;
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

type Names = { presets: Map<string, string>; servers: Map<string, string> };
/** How a stored id label is shown: 'p' preset id, 's' server id, 't' plain text. */
type LabelKind = 'p' | 's' | 't';

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
class IdLabeledCalls {
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

export class GatewayMetrics {
  readonly registry = new Registry();
  private sources: GatewayMetricsSources = {};
  private namesCache: { at: number; names: Names } | null = null;
  private namesLoading: Promise<Names> | null = null;
  private readonly toolCalls: IdLabeledCalls;
  private readonly mcpRequests: IdLabeledCalls;
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  private readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  private readonly dbDuration: Histogram<'op' | 'result'>;
  private readonly flushDuration: Histogram<'result'>;
  private readonly rollupDuration: Histogram<'result'>;
  private readonly rolledEvents: Counter;

  constructor(options: GatewayMetricsOptions = {}) {
    const reg = this.registry;
    const names = () => this.names();
    this.toolCalls = new IdLabeledCalls(
      'mcp_gateway_tool_calls',
      'Tool calls (tools/call)',
      ['preset', 'server', 'tool', 'status'],
      ['p', 's', 't', 't'],
      3,
      options.maxToolLabelSets ?? 500,
      TOOL_CALL_BUCKETS,
      names,
    );
    this.mcpRequests = new IdLabeledCalls(
      'mcp_gateway_mcp_requests',
      'MCP requests other than tools/call (lists, prompts, resources)',
      ['preset', 'method', 'status'],
      ['p', 't', 't'],
      2,
      options.maxMethodLabelSets ?? 200,
      TOOL_CALL_BUCKETS,
      names,
    );
    for (const m of [this.toolCalls.counter, this.toolCalls.histogram, this.mcpRequests.counter, this.mcpRequests.histogram]) {
      reg.registerMetric(m);
    }

    this.httpRequests = new Counter({
      name: 'mcp_gateway_http_requests_total',
      help: 'HTTP requests by route pattern, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registers: [reg],
    });
    this.httpDuration = new Histogram({
      name: 'mcp_gateway_http_request_duration_seconds',
      help: 'HTTP request duration (until the response ended; long-lived GET streams excluded), in seconds.',
      labelNames: ['route', 'method', 'status'],
      buckets: HTTP_BUCKETS,
      registers: [reg],
    });
    this.dbDuration = new Histogram({
      name: 'mcp_gateway_db_query_duration_seconds',
      help: 'Database statement round trips (main thread to the database and back), in seconds.',
      labelNames: ['op', 'result'],
      buckets: DB_BUCKETS,
      registers: [reg],
    });
    this.flushDuration = new Histogram({
      name: 'mcp_gateway_metrics_flush_duration_seconds',
      help: 'Time to write one batch of metric events to the database, in seconds.',
      labelNames: ['result'],
      buckets: DB_BUCKETS,
      registers: [reg],
    });
    this.rollupDuration = new Histogram({
      name: 'mcp_gateway_metrics_rollup_duration_seconds',
      help: 'Time of one rollup run (increments, compaction, verification), in seconds.',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [reg],
    });
    this.rolledEvents = new Counter({
      name: 'mcp_gateway_metrics_rolled_events_total',
      help: 'Raw metric events rolled into the hourly and daily rollups.',
      registers: [reg],
    });

    const src = () => this.sources;
    const toolLabelSets = () => this.toolCalls.labelSets;
    const recorder = () => src().recorder?.();
    new Gauge({
      name: 'mcp_gateway_metrics_recorder_queue_depth',
      help: 'Metric events waiting in memory to be written (plus the batch being written).',
      registers: [reg],
      collect() {
        const s = recorder();
        this.set(s ? s.queueDepth + s.inFlight : 0);
      },
    });
    new Gauge({
      name: 'mcp_gateway_metrics_recorder_capacity',
      help: 'Metric events the recorder holds in memory at most before dropping.',
      registers: [reg],
      collect() {
        this.set(recorder()?.maxBuffered ?? 0);
      },
    });
    const recorderCounter = (name: string, help: string, pick: (s: RecorderStats) => number) =>
      new Counter({
        name,
        help,
        registers: [reg],
        collect() {
          const s = recorder();
          this.reset();
          this.inc(s ? pick(s) : 0);
        },
      });
    recorderCounter('mcp_gateway_metrics_recorder_dropped_total', 'Metric events dropped (buffer full or write failed).', (s) => s.dropped);
    recorderCounter('mcp_gateway_metrics_recorder_written_total', 'Metric events written to the database.', (s) => s.written);
    recorderCounter('mcp_gateway_metrics_recorder_failed_writes_total', 'Metric batches whose write failed.', (s) => s.failedWrites);
    new Gauge({
      name: 'mcp_gateway_metrics_rollup_pending_events',
      help: 'Raw metric events not rolled up yet (above the rollup watermark) at the last run.',
      registers: [reg],
      collect() {
        this.set(src().rollup?.()?.pending ?? 0);
      },
    });
    new Gauge({
      name: 'mcp_gateway_metrics_tool_label_sets',
      help: 'Distinct (preset, server, tool) label sets in use; beyond the cap calls fold into "other".',
      registers: [reg],
      collect() {
        this.set(toolLabelSets());
      },
    });

    new Gauge({
      name: 'mcp_gateway_upstream_up',
      help: 'Whether the upstream server is ready (1) or not (0).',
      labelNames: ['server'],
      registers: [reg],
      collect() {
        this.reset();
        for (const u of src().upstreams?.() ?? []) this.set({ server: u.server }, u.state === 'ready' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'mcp_gateway_upstream_state',
      help: 'Upstream server state: 1 for the current state, 0 for the others.',
      labelNames: ['server', 'state'],
      registers: [reg],
      collect() {
        this.reset();
        for (const u of src().upstreams?.() ?? []) {
          for (const state of UPSTREAM_STATES) this.set({ server: u.server, state }, u.state === state ? 1 : 0);
        }
      },
    });
    new Counter({
      name: 'mcp_gateway_upstream_restarts_total',
      help: 'Restarts of each upstream server since the gateway started.',
      labelNames: ['server'],
      registers: [reg],
      collect() {
        this.reset();
        for (const u of src().upstreams?.() ?? []) this.inc({ server: u.server }, u.restarts);
      },
    });
    new Gauge({
      name: 'mcp_gateway_upstream_breaker_state',
      help: 'Circuit breaker of each upstream server: 1 for the current state, 0 for the others.',
      labelNames: ['server', 'state'],
      registers: [reg],
      collect() {
        this.reset();
        for (const u of src().upstreams?.() ?? []) {
          if (!u.breaker) continue;
          for (const state of BREAKER_STATES) this.set({ server: u.server, state }, u.breaker === state ? 1 : 0);
        }
      },
    });

    const cacheCounter = (name: string, help: string, pick: (c: CacheSample) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['cache'],
        registers: [reg],
        collect() {
          this.reset();
          for (const c of src().caches?.() ?? []) this.inc({ cache: c.cache }, pick(c));
        },
      });
    cacheCounter('mcp_gateway_cache_hits_total', 'Cache lookups answered from the cache.', (c) => c.hits);
    cacheCounter('mcp_gateway_cache_misses_total', 'Cache lookups that had to load.', (c) => c.misses);
    new Gauge({
      name: 'mcp_gateway_cache_entries',
      help: 'Entries currently held by each cache.',
      labelNames: ['cache'],
      registers: [reg],
      collect() {
        this.reset();
        for (const c of src().caches?.() ?? []) this.set({ cache: c.cache }, c.entries);
      },
    });

    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: reg });
      // Gauges named *_total fail `promtool check metrics`; the per-type nodejs_active_* gauges
      // (nodejs_active_handles{type}, …) carry the same information.
      for (const name of LINT_FAILING_DEFAULTS) reg.removeSingleMetric(name);
    }
  }

  /** Adds or replaces callbacks read at scrape time. */
  setSources(sources: GatewayMetricsSources): void {
    this.sources = { ...this.sources, ...sources };
    if (sources.names) this.namesCache = null;
  }

  /** One recorded MCP event (the recorder's `observe` hook). */
  observeEvent(event: MetricEvent): void {
    const seconds = event.latencyMs > 0 ? event.latencyMs / 1000 : 0;
    if (event.eventType === 'tools/call') {
      this.toolCalls.observe([event.presetId ?? NONE, event.serverId ?? NONE, event.toolName ?? NONE, event.status], seconds);
    } else {
      this.mcpRequests.observe([event.presetId ?? NONE, event.eventType, event.status], seconds);
    }
  }

  /** One HTTP request; seconds null: count only (a long-lived stream). */
  observeHttp(route: string, method: string, status: number | string, seconds: number | null): void {
    const labels = { route, method: HTTP_METHODS.has(method) ? method : OTHER, status: String(status) };
    this.httpRequests.inc(labels);
    if (seconds !== null) this.httpDuration.observe(labels, seconds);
  }

  observeDbQuery(op: string, ms: number, ok: boolean): void {
    this.dbDuration.observe({ op: DB_OPS.has(op) ? op : OTHER, result: ok ? 'ok' : 'error' }, ms / 1000);
  }

  observeFlush(info: FlushInfo): void {
    this.flushDuration.observe({ result: info.ok ? 'ok' : 'error' }, info.ms / 1000);
  }

  observeRollup(ms: number, ok: boolean, events: number): void {
    this.rollupDuration.observe({ result: ok ? 'ok' : 'error' }, ms / 1000);
    if (events > 0) this.rolledEvents.inc(events);
  }

  /** The exposition in the Prometheus text format (see `contentType`). */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async names(): Promise<Names> {
    const source = this.sources.names;
    if (!source) return { presets: new Map(), servers: new Map() };
    if (this.namesCache && Date.now() - this.namesCache.at < NAMES_TTL_MS) return this.namesCache.names;
    this.namesLoading ??= source()
      .then((names) => {
        this.namesCache = { at: Date.now(), names };
        return names;
      })
      .catch(() => this.namesCache?.names ?? { presets: new Map(), servers: new Map() })
      .finally(() => {
        this.namesLoading = null;
      });
    return this.namesLoading;
  }
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** The route pattern of a request path (bounded label values). */
export function httpRoute(url: string | undefined): string {
  const path = url ? url.split('?', 1)[0]! : '/';
  if (path.startsWith('/mcp/')) return '/mcp/:slug';
  if (path === '/api/events') return '/api/events';
  if (path.startsWith('/api/')) return '/api/:method';
  if (path.startsWith('/sse/')) return '/sse/:slug';
  if (path.startsWith('/messages/')) return '/messages/:slug';
  if (path === '/metrics' || path === '/healthz' || path === '/readyz') return path;
  return OTHER;
}
