import { z } from 'zod';
import { transportSchema, visibilitySchema, toolOverrideSchema, aclEntrySchema } from './declarative.js';

export const serverStateSchema = z.enum(['stopped', 'starting', 'ready', 'restarting', 'failed']);
export type ServerState = z.infer<typeof serverStateSchema>;

export const serverStatusSchema = z.object({
  state: serverStateSchema,
  lastError: z.string().nullable(),
  restarts: z.number().int(),
  toolCount: z.number().int(),
  pid: z.number().int().nullable(),
  nextRetryAt: z.string().nullable(),
  /** Circuit breaker of the upstream: open means calls fail fast until a probe succeeds. */
  breaker: z.enum(['closed', 'open', 'half_open']),
  consecutiveFailures: z.number().int(),
});
export type ServerStatus = z.infer<typeof serverStatusSchema>;

/** A server as the API shows it: secret values (env, headers) are masked. */
export const serverViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  transport: transportSchema,
  command: z.string().nullable(),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  cwd: z.string().nullable(),
  url: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  enabled: z.boolean(),
  timeoutMs: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  status: serverStatusSchema,
});
export type ServerView = z.infer<typeof serverViewSchema>;

export const upstreamToolSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  inputSchema: z.unknown(),
});

export const presetServerViewSchema = z.object({
  serverName: z.string(),
  enabled: z.boolean(),
  allowedTools: z.array(z.string()),
  toolTimeouts: z.record(z.string(), z.number()),
  toolOverrides: z.record(z.string(), toolOverrideSchema),
  prefix: z.string().nullable(),
});

export const presetSummarySchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  visibility: visibilitySchema,
  status: z.enum(['active', 'disabled']),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  url: z.string(),
});
export type PresetSummary = z.infer<typeof presetSummarySchema>;

export const presetDetailSchema = presetSummarySchema.extend({
  servers: z.array(presetServerViewSchema),
  acl: z.array(aclEntrySchema),
});
export type PresetDetail = z.infer<typeof presetDetailSchema>;

export const paginationSchema = z.object({
  nextCursor: z.string().nullable(),
  hasMore: z.boolean(),
  limit: z.number().int(),
});

export const toolViewEntrySchema = z.object({
  serverName: z.string(),
  serverState: serverStateSchema,
  upstreamName: z.string(),
  exposedName: z.string().nullable(),
  description: z.string().optional(),
  allowed: z.boolean(),
  timeoutMs: z.number().int(),
  estimatedTokens: z.number().int(),
});

export const recentCallSchema = z.object({
  ts: z.string(),
  presetSlug: z.string().nullable(),
  serverName: z.string().nullable(),
  toolName: z.string().nullable(),
  eventType: z.string(),
  status: z.string(),
  latencyMs: z.number(),
  errorMessage: z.string().nullable(),
});

/** Counts, error rate and latency (ms) of a group or of one time bin (metrics reports). */
export const metricsStatsSchema = z.object({
  calls: z.number().int(),
  ok: z.number().int(),
  errors: z.number().int(),
  timeouts: z.number().int(),
  rejected: z.number().int(),
  /** (calls − ok) / calls. */
  errorRate: z.number(),
  avgMs: z.number().nullable(),
  minMs: z.number().nullable(),
  maxMs: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/** One group's latency summary (metrics.latency): the stats above, fewer fields, keyed. */
export const latencyRowSchema = metricsStatsSchema
  .pick({ calls: true, errors: true, timeouts: true, p50: true, p95: true, p99: true })
  .extend({ key: z.string() });

export const timeseriesSchema = z.object({
  /** The span covered: every point is a whole bin, so this is `from`/`to` rounded out to the step. */
  from: z.string(),
  to: z.string(),
  stepSeconds: z.number().int(),
  /** 'raw' for sub-hour steps, 'rollups' (plus raw edges and not-yet-rolled rows) otherwise. */
  source: z.enum(['raw', 'rollups']),
  series: z.array(
    z.object({
      key: z.string(),
      points: z.array(metricsStatsSchema.extend({ ts: z.string() })),
    }),
  ),
});

export const slowToolRowSchema = metricsStatsSchema.extend({ key: z.string() });

export const errorBreakdownSchema = z.object({
  totals: z.object({
    calls: z.number().int(),
    ok: z.number().int(),
    errors: z.number().int(),
    timeouts: z.number().int(),
    rejected: z.number().int(),
    errorRate: z.number(),
  }),
  rows: z.array(metricsStatsSchema.extend({ key: z.string() })),
  /** Failed calls the messages were counted over: the range's most recent ones (at most 2,000). */
  messagesSampled: z.number().int(),
  messages: z.array(
    z.object({
      presetSlug: z.string().nullable(),
      serverName: z.string().nullable(),
      toolName: z.string().nullable(),
      status: z.enum(['error', 'timeout', 'rejected']),
      message: z.string(),
      count: z.number().int(),
      lastSeen: z.string(),
    }),
  ),
});

export const recorderStatsSchema = z.object({
  recorder: z.object({
    queueDepth: z.number().int(),
    inFlight: z.number().int(),
    maxBuffered: z.number().int(),
    recorded: z.number().int(),
    written: z.number().int(),
    dropped: z.number().int(),
    failedWrites: z.number().int(),
    flushes: z.number().int(),
    lastFlushMs: z.number().nullable(),
    lastFlushAt: z.string().nullable(),
  }),
  rollup: z.object({
    lastId: z.number().int(),
    maxEventId: z.number().int(),
    pendingEvents: z.number().int(),
    verifiedUntil: z.string().nullable(),
    lastRunAt: z.string().nullable(),
    lastRunMs: z.number().nullable(),
    lastRunEvents: z.number().int().nullable(),
  }),
  partitions: z.array(
    z.object({
      name: z.string(),
      from: z.string().nullable(),
      to: z.string().nullable(),
      estimatedRows: z.number(),
      totalBytes: z.number(),
    }),
  ),
});
