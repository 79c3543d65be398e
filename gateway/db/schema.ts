import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';
import type { AclEntry, MetricStatus, ToolOverride } from './records.js';
import { bytea, tsCol } from './schema-columns.js';
import {
  syncConflicts,
  syncCursor,
  syncOutbox,
  syncPresets,
  syncSettings,
  teamMembers,
  teamMetricsHourly,
  teamPresetRevisions,
  teamPresets,
} from './schema-sync.js';

// The desktop sync tables live in schema-sync.ts; drizzle-kit reads them through this file.
export * from './schema-sync.js';
import type { UpstreamTransport, Visibility } from '../contract/index.js';

export const mcpServers = pgTable(
  'mcp_servers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: text('owner_id').notNull(),
    name: text('name').notNull(),
    transport: text('transport').$type<UpstreamTransport>().notNull(),
    command: text('command'),
    args: jsonb('args').$type<string[]>().notNull().default([]),
    /** AES-256-GCM sealed JSON object (see secret-box.ts); never plaintext. */
    env: text('env').notNull(),
    cwd: text('cwd'),
    url: text('url'),
    /** AES-256-GCM sealed JSON object. */
    headers: text('headers').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    timeoutMs: integer('timeout_ms'),
    createdAt: tsCol('created_at').notNull().defaultNow(),
    updatedAt: tsCol('updated_at').notNull().defaultNow(),
  },
  (t) => [unique('mcp_servers_owner_name_uq').on(t.ownerId, t.name)],
);

export const presets = pgTable(
  'presets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: text('owner_id').notNull(),
    slug: text('slug').notNull().unique('presets_slug_uq'),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    visibility: text('visibility').$type<Visibility>().notNull().default('private'),
    status: text('status').$type<'active' | 'disabled'>().notNull().default('active'),
    version: integer('version').notNull().default(1),
    createdAt: tsCol('created_at').notNull().defaultNow(),
    updatedAt: tsCol('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // Leading owner_id serves owner lookups; the tail serves the owner's keyset listing.
    index('presets_owner_idx').on(t.ownerId, t.createdAt.desc(), t.id.desc()),
    index('presets_listing_idx').on(t.visibility, t.status, t.createdAt.desc(), t.id),
  ],
);

export const presetServers = pgTable(
  'preset_servers',
  {
    presetId: uuid('preset_id')
      .notNull()
      .references(() => presets.id, { onDelete: 'cascade' }),
    serverId: uuid('server_id')
      .notNull()
      .references(() => mcpServers.id, { onDelete: 'cascade' }),
    enabled: boolean('enabled').notNull().default(true),
    allowedTools: jsonb('allowed_tools').$type<string[]>().notNull().default([]),
    toolTimeouts: jsonb('tool_timeouts').$type<Record<string, number>>().notNull().default({}),
    toolOverrides: jsonb('tool_overrides').$type<Record<string, ToolOverride>>().notNull().default({}),
    prefix: text('prefix'),
    position: integer('position').notNull().default(0),
  },
  (t) => [
    unique('preset_servers_preset_server_uq').on(t.presetId, t.serverId),
    // ON DELETE CASCADE from mcp_servers scans by server_id.
    index('preset_servers_server_idx').on(t.serverId),
  ],
);

export const presetAcl = pgTable(
  'preset_acl',
  {
    presetId: uuid('preset_id')
      .notNull()
      .references(() => presets.id, { onDelete: 'cascade' }),
    principalType: text('principal_type').$type<AclEntry['type']>().notNull(),
    principalValue: text('principal_value').notNull(),
  },
  (t) => [unique('preset_acl_uq').on(t.presetId, t.principalType, t.principalValue)],
);

export const accessTokens = pgTable('access_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  principal: text('principal').notNull(),
  /** Preset slugs the token may open; null = every preset its principal may open. */
  presetScope: jsonb('preset_scope').$type<string[] | null>(),
  /** Hash of the token (the token itself is never stored). */
  hash: text('hash').notNull().unique('access_tokens_hash_uq'),
  createdAt: tsCol('created_at').notNull().defaultNow(),
  expiresAt: tsCol('expires_at'),
  lastUsedAt: tsCol('last_used_at'),
  revokedAt: tsCol('revoked_at'),
});

/**
 * PARTITION BY RANGE (ts) with monthly partitions and a DEFAULT partition: drizzle cannot
 * express that, so the generated CREATE TABLE was hand-edited (migrations/0000_*.sql).
 * bigserial, not identity: PostgreSQL < 17 rejects identity columns on partitioned tables.
 * No FK to presets/servers: history outlives deleted presets.
 */
export const metricsEvents = pgTable(
  'metrics_events',
  {
    id: bigserial('id', { mode: 'number' }).notNull(),
    ts: tsCol('ts').notNull().defaultNow(),
    presetId: uuid('preset_id'),
    serverId: uuid('server_id'),
    toolName: text('tool_name'),
    eventType: text('event_type').notNull(),
    status: text('status').$type<MetricStatus>().notNull(),
    latencyMs: doublePrecision('latency_ms').notNull(),
    errorMessage: text('error_message'),
    sessionId: text('session_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
  },
  (t) => [
    primaryKey({ name: 'metrics_events_pk', columns: [t.id, t.ts] }),
    index('metrics_events_preset_ts_idx').on(t.presetId, t.ts.desc()),
    index('metrics_events_tool_ts_idx').on(t.toolName, t.ts.desc()),
    // Recent calls across presets, range scans of the rollup and of the latency report.
    index('metrics_events_ts_idx').on(t.ts.desc()),
    // The error breakdown reads only failed calls.
    index('metrics_events_failed_ts_idx').on(t.ts.desc()).where(sql`${t.status} <> 'ok'`),
  ],
);

/**
 * The columns shared by the hourly and daily rollups: counts by status, latency sum/min/max and
 * the mergeable histogram (see latency-buckets.ts for its scale and bytea format).
 * `pieces` counts the increments appended to `histogram` since it was last compacted (1: canonical).
 * No index covers a column the rollup updates, and the tables have fillfactor 70 (migration 0003),
 * so the per-minute upserts are HOT updates that do not bloat the indexes.
 */
const rollupColumns = {
  /** Surrogate key: lets compaction address a row without matching its NULL-able key. */
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  presetId: uuid('preset_id'),
  serverId: uuid('server_id'),
  toolName: text('tool_name'),
  /** tools/call, tools/list, prompts/get, …: a tool's percentiles are not mixed with list calls. */
  eventType: text('event_type').notNull(),
  calls: bigint('calls', { mode: 'number' }).notNull().default(0),
  ok: bigint('ok', { mode: 'number' }).notNull().default(0),
  errors: bigint('errors', { mode: 'number' }).notNull().default(0),
  timeouts: bigint('timeouts', { mode: 'number' }).notNull().default(0),
  rejected: bigint('rejected', { mode: 'number' }).notNull().default(0),
  latencySum: doublePrecision('latency_sum').notNull().default(0),
  latencyMin: doublePrecision('latency_min'),
  latencyMax: doublePrecision('latency_max'),
  histogram: bytea('histogram').notNull().default(sql`'\\x'::bytea`),
  pieces: integer('pieces').notNull().default(1),
};

/**
 * One row per (preset, server, tool, event type, UTC hour) holding every raw event with
 * id <= metrics_rollup_state.last_id (rollups.ts). Upserted with ON CONFLICT on the NULLS NOT
 * DISTINCT key (PostgreSQL 15+), so events without a preset/server/tool roll up too. Kept after
 * the raw partitions are dropped (rollup retention is separate, forever by default).
 */
export const metricsHourly = pgTable(
  'metrics_hourly',
  { ...rollupColumns, hour: tsCol('hour').notNull() },
  (t) => [
    unique('metrics_hourly_key_uq').on(t.presetId, t.serverId, t.toolName, t.eventType, t.hour).nullsNotDistinct(),
    index('metrics_hourly_hour_idx').on(t.hour),
  ],
);

/**
 * The same per UTC day, derived from metrics_hourly in the rollup's transaction: a 30-day report
 * merges 30 rows per group instead of 720.
 */
export const metricsDaily = pgTable(
  'metrics_daily',
  { ...rollupColumns, day: tsCol('day').notNull() },
  (t) => [
    unique('metrics_daily_key_uq').on(t.presetId, t.serverId, t.toolName, t.eventType, t.day).nullsNotDistinct(),
    index('metrics_daily_day_idx').on(t.day),
  ],
);

/**
 * Rollup progress. `last_id`: every metrics_events row with id <= last_id is in the rollups (ids
 * grow with insertion, so late events of old hours still get rolled); `verified_until`: hours
 * before it were re-counted against the raw rows after the late-data window.
 */
export const metricsRollupState = pgTable('metrics_rollup_state', {
  name: text('name').primaryKey(),
  lastId: bigint('last_id', { mode: 'number' }).notNull().default(0),
  verifiedUntil: tsCol('verified_until'),
  updatedAt: tsCol('updated_at').notNull().defaultNow(),
});

/** Who did what: admin changes, token use, refused requests. Append-only. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ts: tsCol('ts').notNull().defaultNow(),
    /** "admin", "token:<id>" or "anonymous". */
    actor: text('actor').notNull(),
    /** An admin method (servers.create…), "token.used" or "access.denied". */
    action: text('action').notNull(),
    target: text('target'),
    outcome: text('outcome').$type<'ok' | 'denied' | 'error'>().notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_log_ts_idx').on(t.ts.desc()), index('audit_log_action_ts_idx').on(t.action, t.ts.desc())],
);

export const schema = {
  auditLog,
  mcpServers,
  presets,
  presetServers,
  presetAcl,
  accessTokens,
  metricsEvents,
  metricsHourly,
  metricsDaily,
  metricsRollupState,
  syncSettings,
  syncPresets,
  syncOutbox,
  syncConflicts,
  syncCursor,
  teamPresets,
  teamPresetRevisions,
  teamMetricsHourly,
  teamMembers,
};
export type Schema = typeof schema;
