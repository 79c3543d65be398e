import { z } from 'zod';
import { presetSlugSchema } from './declarative.js';
import { latencyRowSchema } from './views.js';

/**
 * Desktop sync with a team PostgreSQL: shared presets published and pulled (versioned, conflicts
 * kept), hourly rollups pushed, a visible state. See gateway/sync/desktop-sync.ts.
 */
export const syncStateSchema = z.enum([
  /** No team database configured (or this gateway runs on the team database itself). */
  'disabled',
  /** Connected; nothing waiting. */
  'idle',
  /** A cycle is running. */
  'syncing',
  /** The team database cannot be reached; local work continues and is sent when it is back. */
  'offline',
  /** Reachable, but the last cycle failed (see lastError). */
  'error',
]);
export type SyncState = z.infer<typeof syncStateSchema>;

export const metricsScopeSchema = z.enum(['shared', 'all', 'none']);
export type MetricsScope = z.infer<typeof metricsScopeSchema>;

export const sharedPresetStatusSchema = z.object({
  slug: z.string(),
  /** The team version this copy is based on (null: never published yet). */
  remoteVersion: z.number().int().nullable(),
  /** synced: same as the team's; pending: a local change waits in the outbox; conflict: see sync.conflicts. */
  state: z.enum(['synced', 'pending', 'conflict']),
  /** Upstream env values and headers are published too (the user chose to share them). */
  includeSecrets: z.boolean(),
  /** "server: env NAME" / "server: header NAME" the team copy needs but this machine has no value for. */
  missingSecrets: z.array(z.string()),
});

export const syncStatusSchema = z.object({
  /** False when this gateway runs on the team database itself (serve --database-url). */
  available: z.boolean(),
  configured: z.boolean(),
  /** The team database URL with its password hidden. */
  url: z.string().nullable(),
  /** How this machine is named in the team (metrics, revisions). */
  member: z.string().nullable(),
  metricsScope: metricsScopeSchema,
  state: syncStateSchema,
  lastSyncAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** Local changes not yet accepted by the team database (the outbox). */
  pending: z.number().int(),
  /** Unresolved conflicts (sync.conflicts). */
  conflicts: z.number().int(),
  /** Hourly rollups up to this hour are in the team database. */
  metricsPushedThrough: z.string().nullable(),
  shared: z.array(sharedPresetStatusSchema),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const syncConflictSchema = z.object({
  id: z.number().int(),
  slug: z.string(),
  /**
   * edit: both sides changed the preset; delete: one side deleted it while the other changed it;
   * slug-taken: a team preset has the slug of a local preset that is not shared.
   */
  kind: z.enum(['edit', 'delete', 'slug-taken']),
  /** This machine's version (null: deleted here). */
  local: z.unknown().nullable(),
  /** The team's version (null: deleted in the team). */
  remote: z.unknown().nullable(),
  remoteVersion: z.number().int(),
  remoteMember: z.string().nullable(),
  detectedAt: z.string(),
});
export type SyncConflict = z.infer<typeof syncConflictSchema>;

const isoTime = z.iso.datetime({ offset: true });

export const syncMethods = {
  'sync.status': { input: z.object({}), output: syncStatusSchema },
  /** Saves the team database settings (durably, before answering); url null turns sync off. */
  'sync.configure': {
    input: z.object({
      url: z
        .string()
        .max(2000)
        .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
        .nullable(),
      member: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'member names use letters, digits, ".", "_", "@" and "-" (1-100 chars)')
        .optional(),
      metricsScope: metricsScopeSchema.optional(),
    }),
    output: syncStatusSchema,
  },
  /** Runs a sync cycle now and answers when it is over (its outcome is in the status). */
  'sync.now': { input: z.object({}), output: syncStatusSchema },
  'sync.share': {
    input: z.object({ slug: presetSlugSchema, includeSecrets: z.boolean().optional() }),
    output: syncStatusSchema,
  },
  /** Stops sharing: the team copy is withdrawn; the local preset stays. */
  'sync.unshare': { input: z.object({ slug: presetSlugSchema }), output: syncStatusSchema },
  'sync.conflicts': { input: z.object({}), output: z.object({ items: z.array(syncConflictSchema) }) },
  /** mine: publish this machine's version over the team's; theirs: replace the local copy with the team's. */
  'sync.resolve': {
    input: z.object({ id: z.number().int().positive(), keep: z.enum(['mine', 'theirs']) }),
    output: syncStatusSchema,
  },
  /** Every version of a shared preset the team database keeps, newest first (who, when, what). */
  'sync.history': {
    input: z.object({ slug: presetSlugSchema, limit: z.number().int().min(1).max(100).optional() }),
    output: z.object({
      items: z.array(
        z.object({ version: z.number().int(), updatedBy: z.string(), updatedAt: z.string(), deleted: z.boolean(), doc: z.unknown().nullable() }),
      ),
    }),
  },
  /** Makes an earlier team version the local copy again; it is published as the next version. */
  'sync.restore': {
    input: z.object({ slug: presetSlugSchema, version: z.number().int().positive() }),
    output: syncStatusSchema,
  },
  /** Latency of the whole team from the pushed hourly rollups (tools/call only). */
  'sync.teamLatency': {
    input: z.object({
      groupBy: z.enum(['member', 'preset', 'tool']),
      from: isoTime.optional(),
      to: isoTime.optional(),
    }),
    output: z.object({
      rows: z.array(latencyRowSchema),
      members: z.array(z.object({ member: z.string(), lastSeenAt: z.string(), version: z.string().nullable() })),
    }),
  },
} as const;
