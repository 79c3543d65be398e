import { collectDefaultMetrics, Counter, Gauge, type Registry } from 'prom-client';
import type { RecorderStats } from './recorder.js';

/**
 * The gauges and counters of upstreams, caches and the recorder, read from callbacks at scrape
 * time (prometheus.ts), and the default nodejs_* / process_* metrics.
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

const UPSTREAM_STATES = ['stopped', 'starting', 'ready', 'restarting', 'failed'] as const;
const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Registers the scrape-time collectors on `reg`; `src` returns the current callbacks. */
export function registerSourceCollectors(
  reg: Registry,
  src: () => GatewayMetricsSources,
  toolLabelSets: () => number,
  processMetrics: boolean,
): void {
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

  if (processMetrics) {
    collectDefaultMetrics({ register: reg });
    // Gauges named *_total fail `promtool check metrics`; the per-type nodejs_active_* gauges
    // (nodejs_active_handles{type}, …) carry the same information.
    for (const name of LINT_FAILING_DEFAULTS) reg.removeSingleMetric(name);
  }
}
