import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { executeRows, type Db } from '../executor.js';
import { decryptString, encryptString } from '../secret-box.js';
import { syncConflicts, syncCursor, syncOutbox, syncPresets, syncSettings } from '../schema.js';

/** The local half of desktop sync (gateway/sync/desktop-sync.ts): settings, shared presets, outbox, conflicts. */
export interface SyncSettingsRecord {
  url: string | null;
  member: string;
  metricsScope: 'shared' | 'all' | 'none';
}

export type TrackedPreset = typeof syncPresets.$inferSelect;
export type OutboxEntry = typeof syncOutbox.$inferSelect;
export type ConflictRecord = typeof syncConflicts.$inferSelect;

/** One local hourly rollup row named for the team (names instead of local ids). */
export interface LocalHourlyRow {
  hour: Date;
  presetSlug: string;
  serverName: string;
  toolName: string;
  eventType: string;
  calls: number;
  ok: number;
  errors: number;
  timeouts: number;
  rejected: number;
  latencySum: number;
  latencyMin: number | null;
  latencyMax: number | null;
  /** Hex of the stored histogram bytes. */
  histogramHex: string;
}

export interface SyncRepository {
  settings(): Promise<SyncSettingsRecord | null>;
  saveSettings(settings: SyncSettingsRecord): Promise<void>;
  tracked(): Promise<TrackedPreset[]>;
  trackedOne(slug: string): Promise<TrackedPreset | null>;
  track(row: TrackedPreset): Promise<void>;
  untrack(slug: string): Promise<void>;
  outbox(): Promise<OutboxEntry[]>;
  entry(slug: string): Promise<OutboxEntry | null>;
  /**
   * Records a local change of `slug`. An entry already waiting keeps its base version and state
   * (the change still starts from the team version the first one did); its document is replaced.
   */
  enqueue(entry: { slug: string; op: 'put' | 'delete'; baseVersion: number | null; doc: Record<string, unknown> | null; docHash: string | null }): Promise<void>;
  /** Removes the entry only if it still holds `docHash` (a newer local edit made meanwhile stays). */
  dequeue(slug: string, docHash: string | null): Promise<boolean>;
  dropEntry(slug: string): Promise<void>;
  markAttempt(slug: string, error: string | null): Promise<void>;
  setEntryState(slug: string, state: 'pending' | 'conflict', baseVersion?: number | null): Promise<void>;
  openConflicts(): Promise<ConflictRecord[]>;
  conflict(id: number): Promise<ConflictRecord | null>;
  /** Adds a conflict unless one is already open for the slug at that remote version. */
  addConflict(conflict: Pick<ConflictRecord, 'slug' | 'kind' | 'localDoc' | 'remoteDoc' | 'remoteVersion' | 'remoteMember'>): Promise<void>;
  /** Closes every open conflict of the slug. */
  resolveConflicts(slug: string, resolution: 'mine' | 'theirs' | 'same'): Promise<void>;
  cursor(name: string): Promise<string | null>;
  setCursor(name: string, value: string): Promise<void>;
  /** Local hourly rollups from `since` on (whole hours), named for the team; `slugs` null: every preset. */
  hourlyRows(since: Date, slugs: string[] | null, limit: number, afterKey: string | null): Promise<Array<LocalHourlyRow & { key: string }>>;
}

const SETTINGS_ID = 1;

export function createSyncRepository(db: Db, secretKey: Buffer): SyncRepository {
  return {
    async settings() {
      const [row] = await db.select().from(syncSettings).where(eq(syncSettings.id, SETTINGS_ID));
      if (!row) return null;
      return { url: row.url === null ? null : decryptString(row.url, secretKey), member: row.member, metricsScope: row.metricsScope };
    },
    async saveSettings({ url, member, metricsScope }) {
      const values = { url: url === null ? null : encryptString(url, secretKey), member, metricsScope, updatedAt: new Date() };
      await db
        .insert(syncSettings)
        .values({ id: SETTINGS_ID, ...values })
        .onConflictDoUpdate({ target: syncSettings.id, set: values });
    },
    tracked: () => db.select().from(syncPresets).orderBy(asc(syncPresets.slug)),
    async trackedOne(slug) {
      const [row] = await db.select().from(syncPresets).where(eq(syncPresets.slug, slug));
      return row ?? null;
    },
    async track(row) {
      await db.insert(syncPresets).values(row).onConflictDoUpdate({ target: syncPresets.slug, set: row });
    },
    async untrack(slug) {
      await db.delete(syncPresets).where(eq(syncPresets.slug, slug));
    },
    outbox: () => db.select().from(syncOutbox).orderBy(asc(syncOutbox.id)),
    async entry(slug) {
      const [row] = await db.select().from(syncOutbox).where(eq(syncOutbox.slug, slug));
      return row ?? null;
    },
    async enqueue({ slug, op, baseVersion, doc, docHash }) {
      await db
        .insert(syncOutbox)
        .values({ slug, op, baseVersion, doc, docHash })
        .onConflictDoUpdate({ target: syncOutbox.slug, set: { op, doc, docHash, updatedAt: new Date() } });
    },
    async dequeue(slug, docHash) {
      const hashMatches = docHash === null ? isNull(syncOutbox.docHash) : eq(syncOutbox.docHash, docHash);
      const rows = await db.delete(syncOutbox).where(and(eq(syncOutbox.slug, slug), hashMatches)).returning({ id: syncOutbox.id });
      return rows.length > 0;
    },
    async dropEntry(slug) {
      await db.delete(syncOutbox).where(eq(syncOutbox.slug, slug));
    },
    async markAttempt(slug, error) {
      await db
        .update(syncOutbox)
        .set({ attempts: sql`${syncOutbox.attempts} + 1`, lastError: error, updatedAt: new Date() })
        .where(eq(syncOutbox.slug, slug));
    },
    async setEntryState(slug, state, baseVersion) {
      await db
        .update(syncOutbox)
        .set({ state, ...(baseVersion === undefined ? {} : { baseVersion }), updatedAt: new Date() })
        .where(eq(syncOutbox.slug, slug));
    },
    openConflicts: () => db.select().from(syncConflicts).where(isNull(syncConflicts.resolvedAt)).orderBy(asc(syncConflicts.id)),
    async conflict(id) {
      const [row] = await db.select().from(syncConflicts).where(eq(syncConflicts.id, id));
      return row ?? null;
    },
    async addConflict(conflict) {
      const [open] = await db
        .select({ id: syncConflicts.id })
        .from(syncConflicts)
        .where(and(eq(syncConflicts.slug, conflict.slug), eq(syncConflicts.remoteVersion, conflict.remoteVersion), isNull(syncConflicts.resolvedAt)));
      if (open) {
        // The same remote version again (a retried push): keep the newest local side.
        await db.update(syncConflicts).set({ localDoc: conflict.localDoc, kind: conflict.kind }).where(eq(syncConflicts.id, open.id));
        return;
      }
      await db.insert(syncConflicts).values(conflict);
    },
    async resolveConflicts(slug, resolution) {
      await db
        .update(syncConflicts)
        .set({ resolvedAt: new Date(), resolution })
        .where(and(eq(syncConflicts.slug, slug), isNull(syncConflicts.resolvedAt)));
    },
    async cursor(name) {
      const [row] = await db.select().from(syncCursor).where(eq(syncCursor.name, name));
      return row?.value ?? null;
    },
    async setCursor(name, value) {
      const now = new Date();
      await db.insert(syncCursor).values({ name, value, updatedAt: now }).onConflictDoUpdate({ target: syncCursor.name, set: { value, updatedAt: now } });
    },
    async hourlyRows(since, slugs, limit, afterKey) {
      if (slugs !== null && slugs.length === 0) return [];
      const slugFilter = slugs === null ? sql`true` : sql`p.slug in (${sql.join(slugs.map((s) => sql`${s}`), sql`, `)})`;
      // A stable key per row (hour + local ids) pages through many hours without OFFSET.
      const rows = await executeRows<Record<string, unknown>>(
        db,
        sql`select * from (
              select to_char(h.hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24') || '|' || coalesce(h.preset_id::text, '') || '|' ||
                       coalesce(h.server_id::text, '') || '|' || coalesce(h.tool_name, '') || '|' || h.event_type as key,
                     h.hour, coalesce(p.slug, h.preset_id::text, '') as preset_slug, coalesce(s.name, h.server_id::text, '') as server_name,
                     coalesce(h.tool_name, '') as tool_name, h.event_type, h.calls, h.ok, h.errors, h.timeouts, h.rejected,
                     h.latency_sum, h.latency_min, h.latency_max, encode(h.histogram, 'hex') as hist
              from metrics_hourly h
              left join presets p on p.id = h.preset_id
              left join mcp_servers s on s.id = h.server_id
              where h.hour >= ${since.toISOString()}::timestamptz and ${slugFilter}
            ) r
            where ${afterKey === null ? sql`true` : sql`r.key > ${afterKey}`}
            order by r.key
            limit ${limit}`,
      );
      return rows.map((r) => ({
        key: String(r.key),
        hour: new Date(r.hour as string | Date),
        presetSlug: String(r.preset_slug),
        serverName: String(r.server_name),
        toolName: String(r.tool_name),
        eventType: String(r.event_type),
        calls: Number(r.calls),
        ok: Number(r.ok),
        errors: Number(r.errors),
        timeouts: Number(r.timeouts),
        rejected: Number(r.rejected),
        latencySum: Number(r.latency_sum),
        latencyMin: r.latency_min === null ? null : Number(r.latency_min),
        latencyMax: r.latency_max === null ? null : Number(r.latency_max),
        histogramHex: String(r.hist),
      }));
    },
  };
}
