import type { DeclarativeConfigInput, PresetSpec, ServerSpec } from '../contract/declarative.js';
import { GatewayError } from '../contract/errors.js';
import type { Database } from '../db/database.js';
import type { ServerRecord } from '../db/records.js';
import type { OutboxEntry, TrackedPreset } from '../db/repositories/sync.js';
import { asSharedDoc, buildSharedDoc, configFromDoc, docHash, missingSecrets, type SharedPresetDoc } from './preset-doc.js';
import type { TeamPresetRow, TeamStore } from './team-store.js';

/** How pulled changes reach the running gateway (the config.apply path: pool, views, events). */
export interface PresetApplier {
  applyConfig(config: DeclarativeConfigInput): Promise<void>;
  deletePreset(slug: string): Promise<void>;
}

/** What the sync steps work with; the engine (desktop-sync.ts) runs them one at a time. */
export interface StepContext {
  db: Database;
  ownerId: string;
  member: string;
  applier: PresetApplier;
  /** Per shared slug: secrets the team copy names that this machine lacks (refreshed on pull). */
  missing: Map<string, string[]>;
  note(action: string, slug: string, detail: Record<string, unknown>): void;
  /**
   * Runs fn while no local admin write and no other sync step touches the local state: what a
   * step reads (tracked presets, the outbox) is still true when it writes. Held only around local
   * database work, never across a network round trip, so admin writes never wait for the network.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

const PULL_CURSOR = 'pull_seq';
const PULL_PAGE = 200;

/** This machine's current document for a shared slug (null: the preset was deleted here). */
export async function localDoc(ctx: StepContext, slug: string, includeSecrets: boolean, servers?: Map<string, ServerRecord>): Promise<SharedPresetDoc | null> {
  const preset = await ctx.db.presets.findBySlugWithServers(slug);
  if (!preset) return null;
  return buildSharedDoc(preset, servers ?? (await serverMap(ctx)), includeSecrets);
}

export async function serverMap(ctx: StepContext): Promise<Map<string, ServerRecord>> {
  return new Map((await ctx.db.servers.list(ctx.ownerId)).map((s) => [s.name, s]));
}

/**
 * Records every local change of a shared preset in the outbox: the current document differs from
 * the one last agreed with the team (baseHash). Comparing documents, rather than hooking each
 * write, also catches changes made while the gateway was stopped or before a crash.
 */
export async function capture(ctx: StepContext): Promise<boolean> {
  const tracked = await ctx.db.sync.tracked();
  if (tracked.length === 0) return false;
  const outbox = new Map((await ctx.db.sync.outbox()).map((e) => [e.slug, e]));
  const servers = await serverMap(ctx);
  // One query for every preset (not one per shared slug): this runs after every admin write.
  const presets = new Map((await ctx.db.presets.findAllForOwnerWithServers(ctx.ownerId)).map((p) => [p.slug, p]));
  let changed = false;
  for (const row of tracked) {
    const preset = presets.get(row.slug);
    const doc = preset ? buildSharedDoc(preset, servers, row.includeSecrets) : null;
    const hash = doc === null ? null : docHash(doc);
    const waiting = outbox.get(row.slug);
    if (hash !== null && hash === row.baseHash) {
      // Edited back to what the team has: nothing to send.
      if (waiting && waiting.state === 'pending') {
        await ctx.db.sync.dropEntry(row.slug);
        changed = true;
      }
      continue;
    }
    if (waiting && waiting.docHash === hash && waiting.op === (doc === null ? 'delete' : 'put')) continue;
    await ctx.db.sync.enqueue({ slug: row.slug, op: doc === null ? 'delete' : 'put', baseVersion: row.remoteVersion, doc: doc as Record<string, unknown> | null, docHash: hash });
    changed = true;
  }
  return changed;
}

/**
 * Applies the team's changes since the cursor, a page at a time: the presets to adopt are applied
 * together (one config.apply, one transaction), a change meeting an unsent local one becomes a
 * conflict, and the cursor moves on with the page, so a crash re-reads at most one page (taking a
 * change again is a no-op).
 */
export async function pull(ctx: StepContext, store: TeamStore): Promise<number> {
  let applied = 0;
  for (;;) {
    const cursor = Number((await ctx.db.sync.cursor(PULL_CURSOR)) ?? '0');
    const rows = await store.changesSince(cursor, PULL_PAGE);
    if (rows.length === 0) return applied;
    applied += await ctx.exclusive(async () => {
      const adopt: Adoption[] = [];
      let taken = 0;
      for (const row of rows) {
        const tracked = await ctx.db.sync.trackedOne(row.slug);
        const waiting = await ctx.db.sync.entry(row.slug);
        const decision = await takeRemote(ctx, row, tracked, waiting);
        if (decision === 'taken') taken++;
        else if (decision !== 'skipped') adopt.push(decision);
      }
      const adopted = await adoptOrSkip(ctx, adopt);
      for (const { slug, version, by } of adopted) ctx.note('sync.pulled', slug, { version, by });
      await ctx.db.sync.setCursor(PULL_CURSOR, String(rows[rows.length - 1]!.seq));
      return taken + adopted.length;
    });
    if (rows.length < PULL_PAGE) return applied;
  }
}

/** A team document to make the local copy of `slug`. */
export interface Adoption {
  slug: string;
  doc: SharedPresetDoc;
  version: number;
  includeSecrets: boolean;
  by: string | null;
}

/** Settles one team change, or answers the adoption it calls for (applied with the page's others). */
async function takeRemote(ctx: StepContext, row: TeamPresetRow, tracked: TrackedPreset | null, waiting: OutboxEntry | null): Promise<'skipped' | 'taken' | Adoption> {
  // Ours, already taken, or older than what a waiting local change (an unshare, say) starts from.
  if (Math.max(tracked?.remoteVersion ?? 0, waiting?.baseVersion ?? 0) >= row.version) return 'skipped';
  if (waiting) {
    await meetLocalChange(ctx, waiting, row);
    return 'skipped';
  }
  if (row.deleted) {
    if (!tracked) return 'skipped'; // a preset this machine never had
    await ctx.applier.deletePreset(row.slug);
    await ctx.db.sync.untrack(row.slug);
    ctx.missing.delete(row.slug);
    ctx.note('sync.pulled', row.slug, { version: row.version, deleted: true, by: row.updatedBy });
    return 'taken';
  }
  const doc = asSharedDoc(row.doc);
  if (!doc) {
    ctx.note('sync.skipped', row.slug, { version: row.version, reason: 'unknown document format (a newer gateway published it?)' });
    return 'skipped';
  }
  if (!tracked && (await ctx.db.presets.findBySlugWithServers(row.slug))) {
    // A team preset with the slug of a preset this machine keeps to itself: never overwrite it.
    const mine = await localDoc(ctx, row.slug, false);
    await ctx.db.sync.addConflict({ slug: row.slug, kind: 'slug-taken', localDoc: mine as Record<string, unknown> | null, remoteDoc: row.doc, remoteVersion: row.version, remoteMember: row.updatedBy });
    ctx.note('sync.conflict', row.slug, { kind: 'slug-taken', version: row.version, by: row.updatedBy });
    return 'skipped';
  }
  return { slug: row.slug, doc, version: row.version, includeSecrets: tracked?.includeSecrets ?? false, by: row.updatedBy };
}

/**
 * Adopts the page's documents together; if the gateway refuses them (a document another
 * version or a hand edit of the team database made invalid here), adopts them one by one and
 * skips the refused ones, so one bad document cannot stall sync for everyone after it.
 * Transient failures (database, network) are thrown: the page is retried next cycle.
 */
async function adoptOrSkip(ctx: StepContext, adoptions: Adoption[]): Promise<Adoption[]> {
  try {
    await adoptTeamDocs(ctx, adoptions);
    return adoptions;
  } catch (error) {
    if (!isRefusal(error)) throw error;
  }
  const adopted: Adoption[] = [];
  for (const adoption of adoptions) {
    try {
      await adoptTeamDocs(ctx, [adoption]);
      adopted.push(adoption);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      ctx.note('sync.skipped', adoption.slug, { version: adoption.version, by: adoption.by, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return adopted;
}

function isRefusal(error: unknown): boolean {
  return error instanceof GatewayError && ['invalid_input', 'bad_request', 'conflict', 'not_found'].includes(error.code);
}

/** Makes the local copies the team's versions (one config.apply) and records them as the agreed bases. */
export async function adoptTeamDocs(ctx: StepContext, adoptions: Adoption[]): Promise<void> {
  if (adoptions.length === 0) return;
  const before = await serverMap(ctx);
  const config: { servers: Record<string, ServerSpec>; presets: Record<string, PresetSpec> } = { servers: {}, presets: {} };
  // In team order (seq): where two documents define one server, the newer definition wins.
  for (const { slug, doc } of adoptions) {
    const one = configFromDoc(slug, doc, before);
    Object.assign(config.servers, one.servers);
    Object.assign(config.presets, one.presets);
  }
  // A server this machine changed and has not published yet (it sits in a waiting document)
  // keeps its local definition: that change reaches the team with the waiting document, and the
  // others follow it, instead of a pulled copy silently undoing it.
  for (const name of await serversInWaitingDocs(ctx)) if (before.has(name)) delete config.servers[name];
  const bystanders = await cleanBystanders(ctx, new Set(adoptions.map((a) => a.slug)), before);
  await ctx.applier.applyConfig(config);
  const servers = await serverMap(ctx);
  const presets = new Map((await ctx.db.presets.findAllForOwnerWithServers(ctx.ownerId)).map((p) => [p.slug, p]));
  const hashNow = (slug: string, includeSecrets: boolean): string | null => {
    const preset = presets.get(slug);
    return preset ? docHash(buildSharedDoc(preset, servers, includeSecrets)) : null;
  };
  for (const { slug, doc, version, includeSecrets } of adoptions) {
    await ctx.db.sync.track({ slug, remoteVersion: version, baseHash: hashNow(slug, includeSecrets), includeSecrets, syncedAt: new Date() });
    ctx.missing.set(slug, missingSecrets(doc, servers));
  }
  // Other shared presets that bind a server the team just updated changed here too, but not by
  // anyone's edit: every machine takes the same server, so they are not published again (from
  // every machine at once, as conflicting edits); they travel with their next real edit.
  for (const tracked of bystanders) {
    const now = hashNow(tracked.slug, tracked.includeSecrets);
    if (now !== null && now !== tracked.baseHash) await ctx.db.sync.track({ ...tracked, baseHash: now });
  }
}

/** Shared presets, other than `adopting`, that agree with the team and have no local change waiting. */
async function cleanBystanders(ctx: StepContext, adopting: Set<string>, servers: Map<string, ServerRecord>): Promise<TrackedPreset[]> {
  const waiting = new Set((await ctx.db.sync.outbox()).map((e) => e.slug));
  const candidates = (await ctx.db.sync.tracked()).filter((t) => !adopting.has(t.slug) && !waiting.has(t.slug) && t.baseHash !== null);
  if (candidates.length === 0) return [];
  const presets = new Map((await ctx.db.presets.findAllForOwnerWithServers(ctx.ownerId)).map((p) => [p.slug, p]));
  return candidates.filter((t) => {
    const preset = presets.get(t.slug);
    return preset !== undefined && docHash(buildSharedDoc(preset, servers, t.includeSecrets)) === t.baseHash;
  });
}

async function serversInWaitingDocs(ctx: StepContext): Promise<Set<string>> {
  const names = new Set<string>();
  for (const entry of await ctx.db.sync.outbox()) {
    const doc = entry.op === 'put' ? asSharedDoc(entry.doc) : null;
    for (const name of Object.keys(doc?.servers ?? {})) names.add(name);
  }
  return names;
}

/** A team change arrived while a local one waits: equal content settles it, otherwise both are kept. */
async function meetLocalChange(ctx: StepContext, waiting: OutboxEntry, row: TeamPresetRow): Promise<void> {
  const same = waiting.op === 'delete' ? row.deleted : !row.deleted && row.doc !== null && docHash(row.doc) === waiting.docHash;
  if (same) {
    await settleAsSame(ctx, waiting, row.version);
    return;
  }
  const kind = waiting.op === 'delete' || row.deleted ? 'delete' : 'edit';
  await ctx.db.sync.addConflict({ slug: waiting.slug, kind, localDoc: waiting.doc, remoteDoc: row.deleted ? null : row.doc, remoteVersion: row.version, remoteMember: row.updatedBy });
  await ctx.db.sync.setEntryState(waiting.slug, 'conflict');
  ctx.note('sync.conflict', waiting.slug, { kind, version: row.version, by: row.updatedBy });
}

async function settleAsSame(ctx: StepContext, entry: OutboxEntry, version: number): Promise<void> {
  await ctx.db.sync.dropEntry(entry.slug);
  if (entry.op === 'delete') {
    const tracked = await ctx.db.sync.trackedOne(entry.slug);
    if (tracked) await ctx.db.sync.untrack(entry.slug);
  } else {
    const tracked = await ctx.db.sync.trackedOne(entry.slug);
    await ctx.db.sync.track({ slug: entry.slug, remoteVersion: version, baseHash: entry.docHash, includeSecrets: tracked?.includeSecrets ?? false, syncedAt: new Date() });
  }
  await ctx.db.sync.resolveConflicts(entry.slug, 'same');
}

export interface PushOutcome {
  published: number;
  conflicts: number;
}

/** Sends the outbox, oldest first; the team accepts a change only on the version it was made on. */
export async function push(ctx: StepContext, store: TeamStore): Promise<PushOutcome> {
  const outcome: PushOutcome = { published: 0, conflicts: 0 };
  for (const entry of await ctx.db.sync.outbox()) {
    if (entry.state !== 'pending') continue;
    if (entry.op === 'delete' && entry.baseVersion === null) {
      // Withdrawn before it was ever published: nothing to tell the team.
      await ctx.exclusive(() => ctx.db.sync.dequeue(entry.slug, entry.docHash));
      continue;
    }
    let result;
    try {
      result = await store.publish(entry.slug, entry.baseVersion, entry.op === 'delete' ? null : entry.doc, ctx.member);
    } catch (error) {
      await ctx.db.sync.markAttempt(entry.slug, error instanceof Error ? error.message : String(error));
      throw error;
    }
    const published = result;
    if (published.ok) {
      await ctx.exclusive(() => recordPublished(ctx, entry, published.version));
      ctx.note('sync.published', entry.slug, { version: published.version, deleted: entry.op === 'delete' });
      outcome.published++;
      continue;
    }
    const conflicted = await ctx.exclusive(async () => {
      const current = await ctx.db.sync.entry(entry.slug);
      if (!current) return false;
      await meetLocalChange(ctx, current, published.current);
      return (await ctx.db.sync.entry(entry.slug))?.state === 'conflict';
    });
    if (conflicted) outcome.conflicts++;
  }
  return outcome;
}

/**
 * The team took `entry` as `version`. A newer local edit may have replaced the entry while it
 * travelled: it stays queued, now based on the version just published.
 */
async function recordPublished(ctx: StepContext, entry: OutboxEntry, version: number): Promise<void> {
  const removed = await ctx.db.sync.dequeue(entry.slug, entry.docHash);
  if (!removed) await ctx.db.sync.setEntryState(entry.slug, 'pending', version);
  const tracked = await ctx.db.sync.trackedOne(entry.slug);
  if (entry.op === 'delete') {
    if (tracked && (await ctx.db.presets.findBySlugWithServers(entry.slug)) === null) await ctx.db.sync.untrack(entry.slug);
  } else if (tracked) {
    await ctx.db.sync.track({ ...tracked, remoteVersion: version, baseHash: entry.docHash, syncedAt: new Date() });
  }
}

const METRICS_CURSOR = 'metrics_hour';
/** Hours re-sent every cycle: the current hour keeps growing and late events re-roll recent ones. */
const METRICS_OVERLAP_MS = 3 * 3_600_000;
/** How far back the first push of a machine reaches. */
const METRICS_FIRST_PUSH_MS = 7 * 86_400_000;
const METRICS_PAGE = 500;

/** Pushes the hourly rollups changed since the last push (scope: shared presets, all, or none). */
export async function pushMetrics(ctx: StepContext, store: TeamStore, scope: 'shared' | 'all' | 'none', now: Date): Promise<{ rows: number; through: string | null }> {
  const watermark = (await ctx.db.sync.cursor(METRICS_CURSOR)) || null;
  if (scope === 'none') return { rows: 0, through: watermark };
  const slugs = scope === 'shared' ? (await ctx.db.sync.tracked()).map((t) => t.slug) : null;
  const since = new Date(watermark ? Date.parse(watermark) - METRICS_OVERLAP_MS : now.getTime() - METRICS_FIRST_PUSH_MS);
  let after: string | null = null;
  let rows = 0;
  let latest = watermark ? Date.parse(watermark) : 0;
  for (;;) {
    const page = await ctx.db.sync.hourlyRows(since, slugs, METRICS_PAGE, after);
    if (page.length === 0) break;
    await store.pushHourly(ctx.member, page);
    rows += page.length;
    for (const row of page) latest = Math.max(latest, row.hour.getTime());
    after = page[page.length - 1]!.key;
    if (page.length < METRICS_PAGE) break;
  }
  if (latest > 0) {
    const through = new Date(latest).toISOString();
    await ctx.db.sync.setCursor(METRICS_CURSOR, through);
    return { rows, through };
  }
  return { rows, through: watermark };
}

/**
 * A newly shared preset's recent history goes to the team too: the next push reaches back as
 * far as a machine's first push does (re-sent hours replace their earlier copies).
 */
export async function rewindMetricsForNewShare(db: Database, now: Date): Promise<void> {
  const watermark = await metricsWatermark(db);
  const back = new Date(now.getTime() - METRICS_FIRST_PUSH_MS + METRICS_OVERLAP_MS);
  if (watermark && Date.parse(watermark) > back.getTime()) await db.sync.setCursor(METRICS_CURSOR, back.toISOString());
}

export async function metricsWatermark(db: Database): Promise<string | null> {
  return (await db.sync.cursor(METRICS_CURSOR)) || null;
}

/** Forgets progress against a previous team database (a new URL is a new team). */
export async function resetProgress(db: Database): Promise<void> {
  await db.sync.setCursor(PULL_CURSOR, '0');
  await db.sync.setCursor(METRICS_CURSOR, '');
  for (const row of await db.sync.tracked()) await db.sync.track({ ...row, remoteVersion: null, baseHash: null, syncedAt: null });
  for (const entry of await db.sync.outbox()) await db.sync.setEntryState(entry.slug, 'pending', null);
}
