import { z } from 'zod';
import {
  declarativeConfigSchema,
  presetSlugSchema,
  presetSpecSchema,
  serverNameSchema,
  serverSpecSchema,
} from './declarative.js';
import {
  errorBreakdownSchema,
  latencyRowSchema,
  paginationSchema,
  recorderStatsSchema,
  slowToolRowSchema,
  timeseriesSchema,
  presetDetailSchema,
  presetSummarySchema,
  recentCallSchema,
  serverViewSchema,
  toolViewEntrySchema,
  upstreamToolSchema,
} from './views.js';
import { uiMethods } from './ui-methods.js';
import { syncMethods } from './sync-methods.js';

const cacheStatsSchema = z.object({
  hits: z.number().int(),
  misses: z.number().int(),
  loads: z.number().int(),
  evictions: z.number().int(),
  invalidations: z.number().int(),
  size: z.number().int(),
  bytes: z.number().int(),
  maxEntries: z.number().int(),
  maxBytes: z.number().int(),
  hitRatio: z.number(),
});

const accessTokenSchema = z.object({
  id: z.string(),
  principal: z.string(),
  presetScope: z.array(z.string()).nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const byName = z.object({ name: serverNameSchema });
const bySlug = z.object({ slug: presetSlugSchema });
const deleted = z.object({ deleted: z.literal(true) });
const isoTime = z.iso.datetime({ offset: true });

/**
 * Every admin operation, declared once. The dispatcher, the HTTP binding (`POST /api/:method`),
 * the Electron IPC channel and the typed client are all derived from this map.
 */
export const methods = {
  'gateway.status': {
    input: z.object({}),
    output: z.object({
      version: z.string(),
      url: z.string(),
      dataDir: z.string(),
      startedAt: z.string(),
      servers: z.object({ total: z.number().int(), ready: z.number().int(), failed: z.number().int() }),
      presets: z.number().int(),
    }),
  },
  'servers.list': { input: z.object({}), output: z.object({ items: z.array(serverViewSchema) }) },
  'servers.get': {
    input: byName,
    output: serverViewSchema.extend({ stderrTail: z.array(z.string()) }),
  },
  'servers.create': { input: z.object({ name: serverNameSchema, spec: serverSpecSchema }), output: serverViewSchema },
  'servers.update': { input: z.object({ name: serverNameSchema, spec: serverSpecSchema }), output: serverViewSchema },
  'servers.delete': { input: byName, output: deleted },
  'servers.restart': { input: byName, output: serverViewSchema },
  'servers.tools': { input: byName, output: z.object({ tools: z.array(upstreamToolSchema) }) },
  'presets.list': {
    input: z.object({
      cursor: z.string().optional(),
      limit: z.number().int().min(1).max(200).optional(),
      search: z.string().max(200).optional(),
    }),
    output: z.object({ items: z.array(presetSummarySchema), pagination: paginationSchema }),
  },
  'presets.get': { input: bySlug, output: presetDetailSchema },
  'presets.create': { input: z.object({ slug: presetSlugSchema, spec: presetSpecSchema }), output: presetDetailSchema },
  'presets.update': { input: z.object({ slug: presetSlugSchema, spec: presetSpecSchema }), output: presetDetailSchema },
  'presets.delete': { input: bySlug, output: deleted },
  'presets.toolView': {
    input: bySlug,
    output: z.object({ tools: z.array(toolViewEntrySchema), estimatedTokens: z.number().int() }),
  },
  'config.apply': {
    input: z.object({ config: declarativeConfigSchema, prune: z.boolean().optional() }),
    output: z.object({
      created: z.array(z.string()),
      updated: z.array(z.string()),
      deleted: z.array(z.string()),
      unchanged: z.array(z.string()),
    }),
  },
  'metrics.recentCalls': {
    input: z.object({ slug: presetSlugSchema.optional(), limit: z.number().int().min(1).max(500).optional() }),
    output: z.object({ items: z.array(recentCallSchema) }),
  },
  'metrics.latency': {
    input: z.object({
      groupBy: z.enum(['tool', 'server', 'preset']),
      from: isoTime.optional(),
      to: isoTime.optional(),
      slug: presetSlugSchema.optional(),
    }),
    output: z.object({ rows: z.array(latencyRowSchema) }),
  },
  /** Counts, error rate and p50/p95/p99 per bin; minute steps from raw rows, hourly+ from rollups. */
  'metrics.timeseries': {
    input: z.object({
      groupBy: z.enum(['tool', 'server', 'preset', 'none']),
      from: isoTime.optional(),
      to: isoTime.optional(),
      /** Bin width: a divisor-friendly minute count below an hour, or whole hours. Default: by range. */
      stepSeconds: z.number().int().min(60).max(30 * 86_400).optional(),
      slug: presetSlugSchema.optional(),
      server: serverNameSchema.optional(),
      tool: z.string().min(1).max(200).optional(),
    }),
    output: timeseriesSchema,
  },
  'metrics.slowest': {
    input: z.object({
      from: isoTime.optional(),
      to: isoTime.optional(),
      slug: presetSlugSchema.optional(),
      by: z.enum(['p50', 'p95', 'p99']).optional(),
      minCalls: z.number().int().min(1).optional(),
      limit: z.number().int().min(1).max(100).optional(),
    }),
    output: z.object({ rows: z.array(slowToolRowSchema) }),
  },
  'metrics.errors': {
    input: z.object({
      groupBy: z.enum(['tool', 'server', 'preset']).optional(),
      from: isoTime.optional(),
      to: isoTime.optional(),
      slug: presetSlugSchema.optional(),
      limit: z.number().int().min(1).max(200).optional(),
    }),
    output: errorBreakdownSchema,
  },
  'metrics.recorderStats': { input: z.object({}), output: recorderStatsSchema },
  ...uiMethods,
  ...syncMethods,
  'tokens.create': {
    input: z.object({
      /** Who the token speaks for (user id or email); omitted: the owner. */
      principal: z.string().min(1).max(320).optional(),
      /** Preset slugs it may open; omitted: every preset its principal may open. */
      presets: z.array(presetSlugSchema).min(1).optional(),
      expiresInDays: z.number().positive().max(3650).optional(),
    }),
    output: z.object({ token: z.string(), record: accessTokenSchema }),
  },
  'tokens.list': { input: z.object({}), output: z.object({ items: z.array(accessTokenSchema) }) },
  'tokens.revoke': { input: z.object({ id: z.uuid() }), output: accessTokenSchema },
  'audit.list': {
    input: z.object({
      limit: z.number().int().min(1).max(500).optional(),
      beforeId: z.number().int().positive().optional(),
      action: z.string().max(100).optional(),
    }),
    output: z.object({
      items: z.array(
        z.object({
          id: z.number().int(),
          ts: z.string(),
          actor: z.string(),
          action: z.string(),
          target: z.string().nullable(),
          outcome: z.enum(['ok', 'denied', 'error']),
          detail: z.record(z.string(), z.unknown()).nullable(),
        }),
      ),
    }),
  },
  'cache.stats': {
    input: z.object({}),
    output: z.object({ views: cacheStatsSchema }),
  },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}
