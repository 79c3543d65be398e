import { Counter, Histogram, Registry } from 'prom-client';
import type { MetricEvent } from '../db/records.js';
import { registerSourceCollectors, type GatewayMetricsSources } from './prometheus-collectors.js';
import { createCallMetrics, observeMetricEvent, type CallMetrics } from './prometheus-events.js';
import { OTHER, type Names } from './prometheus-labels.js';
import type { FlushInfo } from './recorder.js';

export type { CacheSample, GatewayMetricsSources, RollupSample, UpstreamSample } from './prometheus-collectors.js';
export { TOOL_CALL_BUCKETS } from './prometheus-events.js';
export { OTHER } from './prometheus-labels.js';

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
export interface GatewayMetricsOptions {
  maxToolLabelSets?: number;
  maxMethodLabelSets?: number;
  /** nodejs_* / process_* metrics (default true). */
  processMetrics?: boolean;
}

const DB_OPS = new Set(['select', 'insert', 'update', 'delete', 'with', 'begin', 'commit', 'rollback', 'create', 'alter', 'drop']);
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DB_BUCKETS = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAMES_TTL_MS = 30_000;

export class GatewayMetrics {
  readonly registry = new Registry();
  private sources: GatewayMetricsSources = {};
  private namesCache: { at: number; names: Names } | null = null;
  private namesLoading: Promise<Names> | null = null;
  private readonly calls: CallMetrics;
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  private readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  private readonly dbDuration: Histogram<'op' | 'result'>;
  private readonly flushDuration: Histogram<'result'>;
  private readonly rollupDuration: Histogram<'result'>;
  private readonly rolledEvents: Counter;

  constructor(options: GatewayMetricsOptions = {}) {
    const reg = this.registry;
    const names = () => this.names();
    this.calls = createCallMetrics(options, names);
    const { toolCalls, mcpRequests } = this.calls;
    for (const m of [toolCalls.counter, toolCalls.histogram, mcpRequests.counter, mcpRequests.histogram]) {
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

    registerSourceCollectors(reg, () => this.sources, () => this.calls.toolCalls.labelSets, options.processMetrics ?? true);
  }

  /** Adds or replaces callbacks read at scrape time. */
  setSources(sources: GatewayMetricsSources): void {
    this.sources = { ...this.sources, ...sources };
    if (sources.names) this.namesCache = null;
  }

  /** One recorded MCP event (the recorder's `observe` hook). */
  observeEvent(event: MetricEvent): void {
    observeMetricEvent(this.calls, event);
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
