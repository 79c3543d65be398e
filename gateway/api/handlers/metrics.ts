import { GatewayError, type MethodOutput } from '../../contract/index.js';
import type { MetricsStats } from '../../db/repositories/metrics-queries.js';
import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';

const HOUR_S = 3_600;
const DAY_S = 24 * HOUR_S;
/** Points per series at most (a chart is a few hundred pixels wide). */
const MAX_POINTS = 2_000;
/** Sub-hour steps read raw rows: keep their range to the recent hours they are meant for. */
const MAX_RAW_RANGE_S = 2 * DAY_S;

type MetricsMethods =
  | 'metrics.recentCalls'
  | 'metrics.latency'
  | 'metrics.timeseries'
  | 'metrics.slowest'
  | 'metrics.errors'
  | 'metrics.recorderStats';

/** The step a chart of this range gets when the caller does not choose one. */
export function defaultStepSeconds(rangeSeconds: number): number {
  if (rangeSeconds <= 2 * HOUR_S) return 60;
  if (rangeSeconds <= 12 * HOUR_S) return 300;
  if (rangeSeconds <= 2 * DAY_S) return HOUR_S;
  if (rangeSeconds <= 14 * DAY_S) return 6 * HOUR_S;
  return DAY_S;
}

function wireStats(s: MetricsStats) {
  return {
    calls: s.calls,
    ok: s.ok,
    errors: s.errors,
    timeouts: s.timeouts,
    rejected: s.rejected,
    errorRate: s.errorRate,
    avgMs: s.avg,
    minMs: s.min,
    maxMs: s.max,
    p50: s.p50,
    p95: s.p95,
    p99: s.p99,
  };
}

export function metricsHandlers(ctx: ApiContext): Pick<Handlers, MetricsMethods> {
  const presetId = async (slug: string | undefined): Promise<string | undefined> => {
    if (!slug) return undefined;
    const preset = await ctx.db.presets.findBySlugWithServers(slug);
    if (!preset) throw new GatewayError('not_found', `no preset with slug "${slug}"`);
    return preset.id;
  };
  const serverId = async (name: string | undefined): Promise<string | undefined> => {
    if (!name) return undefined;
    const server = await ctx.db.servers.getByName(ctx.ownerId, name);
    if (!server) throw new GatewayError('not_found', `no server named "${name}"`);
    return server.id;
  };
  const range = (from: string | undefined, to: string | undefined, defaultSeconds = DAY_S) => {
    const end = to ? new Date(to) : new Date();
    const start = from ? new Date(from) : new Date(end.getTime() - defaultSeconds * 1000);
    if (start >= end) throw new GatewayError('invalid_input', '"from" must be before "to"');
    return { from: start, to: end };
  };

  return {
    'metrics.recentCalls': async ({ slug, limit }) => {
      await ctx.recorder.flush(); // what the user just did should be on screen
      const rows = await ctx.db.metrics.recent({ presetId: await presetId(slug), limit: limit ?? 50 });
      return {
        items: rows.map((row) => ({
          ts: row.ts.toISOString(),
          presetSlug: row.presetSlug,
          serverName: row.serverName,
          toolName: row.toolName,
          eventType: row.eventType,
          status: row.status,
          latencyMs: row.latencyMs,
          errorMessage: row.errorMessage,
        })),
      };
    },

    'metrics.latency': async ({ groupBy, from, to, slug }) => {
      await ctx.recorder.flush();
      // Per-tool latency means tool calls; lists and prompts would skew the percentiles.
      const eventType = groupBy === 'tool' ? 'tools/call' : undefined;
      // Rollups + raw rows (any range in milliseconds); percentiles within 1.5 % of exact.
      const rows = await ctx.db.metricsQueries.summary({ groupBy, ...range(from, to), presetId: await presetId(slug), eventType });
      return {
        rows: rows.map((r) => ({ key: r.key, calls: r.calls, errors: r.errors, timeouts: r.timeouts, p50: r.p50, p95: r.p95, p99: r.p99 })),
      };
    },

    'metrics.timeseries': async (input) => {
      await ctx.recorder.flush();
      const { from, to } = range(input.from, input.to);
      const rangeSeconds = (to.getTime() - from.getTime()) / 1000;
      const step = input.stepSeconds ?? defaultStepSeconds(rangeSeconds);
      if (step >= HOUR_S && step % HOUR_S !== 0) {
        throw new GatewayError('invalid_input', 'stepSeconds of an hour or more must be whole hours (multiples of 3600)');
      }
      if (step < HOUR_S && rangeSeconds > MAX_RAW_RANGE_S) {
        throw new GatewayError('invalid_input', `steps under an hour read raw events: use a range of at most ${MAX_RAW_RANGE_S / HOUR_S} hours or a step of whole hours`);
      }
      if (rangeSeconds / step > MAX_POINTS) {
        throw new GatewayError('invalid_input', `that is more than ${MAX_POINTS} points per series: use a larger stepSeconds`);
      }
      const result = await ctx.db.metricsQueries.timeseries({
        groupBy: input.groupBy,
        from,
        to,
        stepSeconds: step,
        presetId: await presetId(input.slug),
        serverId: await serverId(input.server),
        toolName: input.tool,
        eventType: input.groupBy === 'tool' || input.tool !== undefined ? 'tools/call' : undefined,
      });
      return {
        from: result.from.toISOString(),
        to: result.to.toISOString(),
        stepSeconds: result.stepSeconds,
        source: result.source,
        series: result.series.map((s) => ({ key: s.key, points: s.points.map((p) => ({ ts: p.ts.toISOString(), ...wireStats(p) })) })),
      };
    },

    'metrics.slowest': async (input) => {
      await ctx.recorder.flush();
      const rows = await ctx.db.metricsQueries.slowest({
        ...range(input.from, input.to),
        presetId: await presetId(input.slug),
        by: input.by ?? 'p95',
        minCalls: input.minCalls ?? 1,
        limit: input.limit ?? 10,
      });
      return { rows: rows.map((r) => ({ key: r.key, ...wireStats(r) })) };
    },

    'metrics.errors': async (input) => {
      await ctx.recorder.flush();
      const groupBy = input.groupBy ?? 'tool';
      const breakdown = await ctx.db.metricsQueries.errors({
        groupBy,
        ...range(input.from, input.to),
        presetId: await presetId(input.slug),
        eventType: groupBy === 'tool' ? 'tools/call' : undefined,
        limit: input.limit ?? 20,
      });
      const t = breakdown.totals;
      return {
        totals: { calls: t.calls, ok: t.ok, errors: t.errors, timeouts: t.timeouts, rejected: t.rejected, errorRate: t.errorRate },
        rows: breakdown.rows.map((r) => ({ key: r.key, ...wireStats(r) })),
        messagesSampled: breakdown.messagesSampled,
        messages: breakdown.messages.map((m) => ({ ...m, lastSeen: m.lastSeen.toISOString() })),
      };
    },

    'metrics.recorderStats': async (): Promise<MethodOutput<'metrics.recorderStats'>> => {
      const r = ctx.recorder.stats();
      const state = await ctx.db.rollups.state();
      const last = ctx.db.rollups.lastRun();
      const partitions = await ctx.db.partitions.list();
      const iso = (d: Date) => (Number.isFinite(d.getTime()) ? d.toISOString() : null);
      return {
        recorder: { ...r, lastFlushAt: r.lastFlushAt?.toISOString() ?? null },
        rollup: {
          lastId: state.lastId,
          maxEventId: state.maxEventId,
          pendingEvents: Math.max(0, state.maxEventId - state.lastId),
          verifiedUntil: state.verifiedUntil?.toISOString() ?? null,
          lastRunAt: last?.at.toISOString() ?? null,
          lastRunMs: last?.ms ?? null,
          lastRunEvents: last?.events ?? null,
        },
        partitions: partitions.map((p) => ({ name: p.name, from: iso(p.from), to: iso(p.to), estimatedRows: p.estimatedRows, totalBytes: p.totalBytes })),
      };
    },
  };
}
