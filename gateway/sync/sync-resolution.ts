import { GatewayError, type SyncConflict } from '../contract/index.js';
import type { ConflictRecord } from '../db/repositories/sync.js';
import { asSharedDoc, configFromDoc, type SharedPresetDoc } from './preset-doc.js';
import { adoptTeamDocs, capture, serverMap, type StepContext } from './sync-steps.js';

/** What the user decides about shared presets: conflicts kept until resolved, earlier versions brought back. */

export function conflictView(c: ConflictRecord): SyncConflict {
  return {
    id: c.id,
    slug: c.slug,
    kind: c.kind,
    local: c.localDoc ?? null,
    remote: c.remoteDoc ?? null,
    remoteVersion: c.remoteVersion,
    remoteMember: c.remoteMember,
    detectedAt: c.detectedAt.toISOString(),
  };
}

/**
 * mine: this machine's version goes out over the team's (the team keeps its version in the
 * revisions); theirs: the team's version, kept with the conflict, becomes the local copy (works
 * offline). Run under the engine's local lock.
 */
export async function resolveConflict(ctx: StepContext, conflict: ConflictRecord, keep: 'mine' | 'theirs'): Promise<void> {
  const { slug } = conflict;
  const tracked = await ctx.db.sync.trackedOne(slug);
  if (keep === 'mine') {
    if (conflict.kind === 'slug-taken') {
      await ctx.db.sync.track({ slug, remoteVersion: conflict.remoteVersion, baseHash: null, includeSecrets: false, syncedAt: null });
    } else {
      // This copy now builds on the team version it overrides; the waiting change goes out on it
      // (and is recorded again if a later edit removed it meanwhile).
      if (tracked) await ctx.db.sync.track({ ...tracked, remoteVersion: Math.max(tracked.remoteVersion ?? 0, conflict.remoteVersion) });
      await ctx.db.sync.setEntryState(slug, 'pending', conflict.remoteVersion);
    }
    await capture(ctx);
  } else {
    await ctx.db.sync.dropEntry(slug);
    const doc = asSharedDoc(conflict.remoteDoc);
    if (doc === null) {
      await ctx.applier.deletePreset(slug);
      await ctx.db.sync.untrack(slug);
      ctx.missing.delete(slug);
    } else {
      await adoptTeamDocs(ctx, [{ slug, doc, version: conflict.remoteVersion, includeSecrets: tracked?.includeSecrets ?? false, by: conflict.remoteMember }]);
    }
  }
  await ctx.db.sync.resolveConflicts(slug, keep);
  ctx.note('sync.resolved', slug, { keep, remoteVersion: conflict.remoteVersion });
}

/**
 * Makes an earlier team version the local copy again (servers included, this machine's secrets
 * kept) and records it in the outbox: the next cycle publishes it as the newest. Run under the
 * engine's local lock.
 */
export async function restoreVersion(ctx: StepContext, slug: string, version: number, doc: SharedPresetDoc): Promise<void> {
  if (!(await ctx.db.sync.trackedOne(slug))) throw new GatewayError('not_found', `preset "${slug}" is not shared`);
  await ctx.applier.applyConfig(configFromDoc(slug, doc, await serverMap(ctx)));
  await capture(ctx);
  ctx.note('sync.restored', slug, { version });
}
