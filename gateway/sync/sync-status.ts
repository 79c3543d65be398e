import type { MetricsScope, SyncState, SyncStatus } from '../contract/index.js';
import type { Database } from '../db/database.js';
import { metricsWatermark } from './sync-steps.js';
import { redactUrl } from './sync-support.js';

/** What the sync engine knows in memory; the rest of the status is read from the local database. */
export interface SyncRuntime {
  available: boolean;
  settings: { url: string | null; member: string; metricsScope: MetricsScope } | null;
  state: SyncState;
  lastSyncAt: Date | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  lastError: string | null;
  missing: ReadonlyMap<string, string[]>;
}

/** The visible sync state: settings (URL without its password), progress, outbox and conflicts, shared presets. */
export async function buildSyncStatus(db: Database, runtime: SyncRuntime): Promise<SyncStatus> {
  const [tracked, outbox, open, through] = await Promise.all([db.sync.tracked(), db.sync.outbox(), db.sync.openConflicts(), metricsWatermark(db)]);
  const entries = new Map(outbox.map((e) => [e.slug, e]));
  const conflicted = new Set(open.map((c) => c.slug));
  const { settings } = runtime;
  return {
    available: runtime.available,
    configured: Boolean(settings?.url),
    url: settings?.url ? redactUrl(settings.url) : null,
    member: settings?.member ?? null,
    metricsScope: settings?.metricsScope ?? 'shared',
    state: runtime.state,
    lastSyncAt: runtime.lastSyncAt?.toISOString() ?? null,
    lastAttemptAt: runtime.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: runtime.nextAttemptAt?.toISOString() ?? null,
    lastError: runtime.lastError,
    pending: outbox.filter((e) => e.state === 'pending').length,
    conflicts: open.length,
    metricsPushedThrough: through,
    shared: tracked.map((t) => {
      const entry = entries.get(t.slug);
      const state = entry?.state === 'conflict' || conflicted.has(t.slug) ? 'conflict' : entry || t.remoteVersion === null ? 'pending' : 'synced';
      return { slug: t.slug, remoteVersion: t.remoteVersion, state, includeSecrets: t.includeSecrets, missingSecrets: runtime.missing.get(t.slug) ?? [] };
    }),
  };
}
