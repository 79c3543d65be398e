import { and, desc, eq, gte, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../executor.js';
import { driverError, executeRows } from '../executor.js';
import type { MetricEvent, MetricStatus } from '../records.js';
import { mcpServers, metricsEvents, presets } from '../schema.js';

export interface RecentCall {
  id: number;
  ts: Date;
  presetId: string | null;
  /** null when the event had no preset or the preset has since been deleted. */
  presetSlug: string | null;
  serverId: string | null;
  serverName: string | null;
  toolName: string | null;
  eventType: string;
  status: MetricStatus;
  latencyMs: number;
  errorMessage: string | null;
  sessionId: string | null;
}

export type LatencyGroupBy = 'tool' | 'server' | 'preset';

export interface LatencyQuery {
  groupBy: LatencyGroupBy;
  from: Date;
  /** Exclusive. */
  to: Date;
  presetId?: string;
  /** e.g. 'tools/call'; all event types when omitted. */
  eventType?: string;
}

export interface LatencyRow {
  /** Tool name, server name or preset slug (the id when the server/preset was deleted). */
  key: string;
  calls: number;
  errors: number;
  timeouts: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface MetricsRepository {
  /** One multi-row INSERT per INSERT_CHUNK events (not a transaction across chunks). */
  insertBatch(events: MetricEvent[]): Promise<void>;
  recent(query: { presetId?: string; limit: number }): Promise<RecentCall[]>;
  latency(query: LatencyQuery): Promise<LatencyRow[]>;
}

/** Rows per INSERT statement: bounds one statement's size (~250 KB of JSON) and its lock time. */
export const INSERT_CHUNK = 1000;

export function createMetricsRepository(db: Db): MetricsRepository {
  return {
    async insertBatch(events) {
      for (let i = 0; i < events.length; i += INSERT_CHUNK) {
        const rows = events.slice(i, i + INSERT_CHUNK).map((e) => ({
          ts: e.ts.toISOString(),
          preset_id: e.presetId,
          server_id: e.serverId,
          tool_name: e.toolName,
          event_type: e.eventType,
          status: e.status,
          latency_ms: e.latencyMs,
          error_message: e.errorMessage,
          session_id: e.sessionId,
          metadata: e.metadata,
        }));
        // One INSERT per chunk whose rows travel as ONE json parameter: measured ~3.5x faster on
        // PGlite than a VALUES list with 10 bind parameters a row (49k vs 14k rows/s).
        try {
          await db.execute(sql`insert into ${metricsEvents}
              (ts, preset_id, server_id, tool_name, event_type, status, latency_ms, error_message, session_id, metadata)
            select ts, preset_id, server_id, tool_name, event_type, status, latency_ms, error_message, session_id, metadata
            from json_populate_recordset(null::${metricsEvents}, ${JSON.stringify(rows)}::json)`);
        } catch (err) {
          // drizzle's message would carry the whole JSON batch; keep logs readable.
          const cause = driverError(err);
          // `written`: the events of earlier chunks are in (each chunk commits alone), so a retry sends only the rest.
          throw Object.assign(new Error(`inserting ${rows.length} metric events failed: ${(cause as Error).message ?? String(cause)}`, { cause }), { written: i });
        }
      }
    },

    async recent({ presetId, limit }) {
      return db
        .select({
          id: metricsEvents.id,
          ts: metricsEvents.ts,
          presetId: metricsEvents.presetId,
          presetSlug: presets.slug,
          serverId: metricsEvents.serverId,
          serverName: mcpServers.name,
          toolName: metricsEvents.toolName,
          eventType: metricsEvents.eventType,
          status: metricsEvents.status,
          latencyMs: metricsEvents.latencyMs,
          errorMessage: metricsEvents.errorMessage,
          sessionId: metricsEvents.sessionId,
        })
        .from(metricsEvents)
        .leftJoin(presets, eq(presets.id, metricsEvents.presetId))
        .leftJoin(mcpServers, eq(mcpServers.id, metricsEvents.serverId))
        .where(presetId !== undefined ? eq(metricsEvents.presetId, presetId) : undefined)
        .orderBy(desc(metricsEvents.ts), desc(metricsEvents.id))
        .limit(Math.max(1, Math.trunc(limit)));
    },

    async latency(q) {
      // Exact percentiles over raw events; fine for ranges of up to ~1e5 events. Long ranges
      // should come from metrics_hourly histograms (percentile_cont over 1M rows: ~2 s on PGlite).
      const { key, join, present } = groupKey(q.groupBy);
      const where = and(
        gte(metricsEvents.ts, q.from),
        lt(metricsEvents.ts, q.to),
        present,
        q.presetId !== undefined ? eq(metricsEvents.presetId, q.presetId) : undefined,
        q.eventType !== undefined ? eq(metricsEvents.eventType, q.eventType) : undefined,
      );
      const rows = await executeRows<{
        key: string;
        calls: number | string;
        errors: number | string;
        timeouts: number | string;
        p50: number | null;
        p95: number | null;
        p99: number | null;
      }>(
        db,
        sql`select ${key} as key,
            count(*)::int as calls,
            (count(*) filter (where ${metricsEvents.status} = 'error'))::int as errors,
            (count(*) filter (where ${metricsEvents.status} = 'timeout'))::int as timeouts,
            percentile_cont(0.5) within group (order by ${metricsEvents.latencyMs}) as p50,
            percentile_cont(0.95) within group (order by ${metricsEvents.latencyMs}) as p95,
            percentile_cont(0.99) within group (order by ${metricsEvents.latencyMs}) as p99
          from ${metricsEvents} ${join}
          where ${where}
          group by 1
          order by calls desc, key`,
      );
      return rows.map((r) => ({
        key: r.key,
        calls: Number(r.calls),
        errors: Number(r.errors),
        timeouts: Number(r.timeouts),
        p50: r.p50 === null ? null : Number(r.p50),
        p95: r.p95 === null ? null : Number(r.p95),
        p99: r.p99 === null ? null : Number(r.p99),
      }));
    },
  };
}

function groupKey(groupBy: LatencyGroupBy): { key: SQL; join: SQL; present: SQL } {
  switch (groupBy) {
    case 'tool':
      return { key: sql`${metricsEvents.toolName}`, join: sql``, present: isNotNull(metricsEvents.toolName) };
    case 'server':
      return {
        key: sql`coalesce(${mcpServers.name}, ${metricsEvents.serverId}::text)`,
        join: sql`left join ${mcpServers} on ${mcpServers.id} = ${metricsEvents.serverId}`,
        present: isNotNull(metricsEvents.serverId),
      };
    case 'preset':
      return {
        key: sql`coalesce(${presets.slug}, ${metricsEvents.presetId}::text)`,
        join: sql`left join ${presets} on ${presets.id} = ${metricsEvents.presetId}`,
        present: isNotNull(metricsEvents.presetId),
      };
  }
}
