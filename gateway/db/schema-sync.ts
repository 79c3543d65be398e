import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { bytea, tsCol } from './schema-columns.js';

/**
 * Desktop sync (gateway/sync/desktop-sync.ts). Every gateway database holds both halves of the
 * sync tables, as the same migrations run everywhere: a desktop's PGlite uses the `sync_*`
 * tables, the team PostgreSQL the `team_*` ones.
 */

/** This machine's team settings: one row (id 1). The URL is sealed like upstream secrets. */
export const syncSettings = pgTable('sync_settings', {
  id: integer('id').primaryKey(),
  /** AES-256-GCM sealed postgres:// URL (it may hold a password); null: sync off. */
  url: text('url'),
  member: text('member').notNull(),
  metricsScope: text('metrics_scope').$type<'shared' | 'all' | 'none'>().notNull().default('shared'),
  updatedAt: tsCol('updated_at').notNull().defaultNow(),
});

/** Presets this machine shares with the team, and the team version each local copy is based on. */
export const syncPresets = pgTable('sync_presets', {
  slug: text('slug').primaryKey(),
  /** null: not published yet. */
  remoteVersion: integer('remote_version'),
  /** Hash of the shared document when it last matched the team's: a different hash is a local change. */
  baseHash: text('base_hash'),
  includeSecrets: boolean('include_secrets').notNull().default(false),
  syncedAt: tsCol('synced_at'),
});

/**
 * Local changes waiting for the team database: at most one entry per slug (a newer edit replaces
 * the document and keeps the base version it started from). Written before the change is
 * acknowledged, removed only once the team database accepted it.
 */
export const syncOutbox = pgTable('sync_outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  slug: text('slug').notNull().unique('sync_outbox_slug_uq'),
  op: text('op').$type<'put' | 'delete'>().notNull(),
  /** The team version the change was made on (null: a first publication). */
  baseVersion: integer('base_version'),
  doc: jsonb('doc').$type<Record<string, unknown>>(),
  docHash: text('doc_hash'),
  /** conflict: held until the user resolves it (sync_conflicts). */
  state: text('state').$type<'pending' | 'conflict'>().notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  createdAt: tsCol('created_at').notNull().defaultNow(),
  updatedAt: tsCol('updated_at').notNull().defaultNow(),
});

/** Both sides of a concurrent edit, kept until the user picks one (and after, as history). */
export const syncConflicts = pgTable(
  'sync_conflicts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    slug: text('slug').notNull(),
    kind: text('kind').$type<'edit' | 'delete' | 'slug-taken'>().notNull(),
    localDoc: jsonb('local_doc').$type<Record<string, unknown>>(),
    remoteDoc: jsonb('remote_doc').$type<Record<string, unknown>>(),
    remoteVersion: integer('remote_version').notNull(),
    remoteMember: text('remote_member'),
    detectedAt: tsCol('detected_at').notNull().defaultNow(),
    resolvedAt: tsCol('resolved_at'),
    resolution: text('resolution').$type<'mine' | 'theirs' | 'same'>(),
  },
  (t) => [index('sync_conflicts_open_idx').on(t.slug).where(sql`${t.resolvedAt} is null`)],
);

/** Progress markers: the pull cursor, the metrics push watermark, the last successful cycle. */
export const syncCursor = pgTable('sync_cursor', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  updatedAt: tsCol('updated_at').notNull().defaultNow(),
});

/**
 * The team's shared presets, one row per slug holding its latest version (a deletion is a
 * tombstone). `seq` moves on at every change, so a desktop pulls "seq > my cursor"; publishers
 * take one advisory lock so seq order is commit order and no change is skipped.
 */
export const teamPresets = pgTable(
  'team_presets',
  {
    slug: text('slug').primaryKey(),
    version: integer('version').notNull(),
    doc: jsonb('doc').$type<Record<string, unknown>>(),
    deleted: boolean('deleted').notNull().default(false),
    updatedBy: text('updated_by').notNull(),
    updatedAt: tsCol('updated_at').notNull().defaultNow(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
  },
  (t) => [index('team_presets_seq_idx').on(t.seq)],
);

/** Every version ever published (a conflict resolved as "mine" never erases the other version). */
export const teamPresetRevisions = pgTable(
  'team_preset_revisions',
  {
    slug: text('slug').notNull(),
    version: integer('version').notNull(),
    doc: jsonb('doc').$type<Record<string, unknown>>(),
    deleted: boolean('deleted').notNull().default(false),
    updatedBy: text('updated_by').notNull(),
    updatedAt: tsCol('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'team_preset_revisions_pk', columns: [t.slug, t.version] })],
);

/** Hourly rollups pushed by each member ('' stands for no preset/server/tool). Replaced on re-push. */
export const teamMetricsHourly = pgTable(
  'team_metrics_hourly',
  {
    member: text('member').notNull(),
    presetSlug: text('preset_slug').notNull(),
    serverName: text('server_name').notNull(),
    toolName: text('tool_name').notNull(),
    eventType: text('event_type').notNull(),
    hour: tsCol('hour').notNull(),
    calls: bigint('calls', { mode: 'number' }).notNull(),
    ok: bigint('ok', { mode: 'number' }).notNull(),
    errors: bigint('errors', { mode: 'number' }).notNull(),
    timeouts: bigint('timeouts', { mode: 'number' }).notNull(),
    rejected: bigint('rejected', { mode: 'number' }).notNull(),
    latencySum: doublePrecision('latency_sum').notNull(),
    latencyMin: doublePrecision('latency_min'),
    latencyMax: doublePrecision('latency_max'),
    histogram: bytea('histogram').notNull(),
    pushedAt: tsCol('pushed_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'team_metrics_hourly_pk', columns: [t.member, t.presetSlug, t.serverName, t.toolName, t.eventType, t.hour] }),
    index('team_metrics_hourly_hour_idx').on(t.hour),
  ],
);

/** Who syncs with this team database, and when each was last seen. */
export const teamMembers = pgTable('team_members', {
  member: text('member').primaryKey(),
  version: text('version'),
  lastSeenAt: tsCol('last_seen_at').notNull().defaultNow(),
});
