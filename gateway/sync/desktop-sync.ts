import { GatewayError, type MetricsScope, type SyncConflict, type SyncState, type SyncStatus } from '../contract/index.js';
import type { Database } from '../db/database.js';
import { asSharedDoc, missingSecrets } from './preset-doc.js';
import { conflictView, resolveConflict, restoreVersion } from './sync-resolution.js';
import {
  capture,
  pull,
  push,
  pushMetrics,
  resetProgress,
  rewindMetricsForNewShare,
  serverMap,
  type PresetApplier,
  type StepContext,
} from './sync-steps.js';
import { TeamStore, type Queryable } from './team-store.js';
import { buildSyncStatus } from './sync-status.js';
import { backoff, defaultMember, isUnreachable, redactUrl, sameDatabase, unavailableOnError } from './sync-support.js';

export interface DesktopSyncOptions {
  db: Database;
  ownerId: string;
  version: string;
  migrationsFolder: string;
  applier: PresetApplier;
  /** Pause between cycles while all is well (ms). */
  intervalMs: number;
  /** Longest pause between attempts while the team database is unreachable (ms). */
  maxBackoffMs: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  /** false: this gateway runs on the team database itself; sync is not for it. */
  available: boolean;
  onStatus(summary: { state: SyncState; pending: number; conflicts: number }): void;
  note(action: string, slug: string, detail: Record<string, unknown>): void;
  log(line: string): void;
}

/** How long stop() waits for a network step of a running cycle, and for the team pool to close. */
const STOP_WAIT_MS = 3_000;

function withinMs(work: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([work, new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

/** When the last cycle succeeded (kept, so "last sync" survives a restart while offline). */
const LAST_SYNC = 'last_sync';

interface Settings {
  url: string | null;
  member: string;
  metricsScope: MetricsScope;
}

/**
 * Desktop sync: this machine keeps its own database (it works offline) and, when a team
 * PostgreSQL is configured, publishes the presets it shares, pulls the team's, and pushes its
 * hourly rollups. Every operation runs one at a time (a promise chain); cycles run on a timer,
 * right after local changes, and with backoff while the team database is unreachable. Nothing
 * is lost in between: local changes wait in the outbox table until the team accepts them.
 */
export class DesktopSync {
  private settings: Settings | null = null;
  private store: TeamStore | null = null;
  private schemaReady = false;
  private state: SyncState = 'disabled';
  private lastSyncAt: Date | null = null;
  private lastAttemptAt: Date | null = null;
  private nextAttemptAt: Date | null = null;
  private lastError: string | null = null;
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Cycles and reconfiguration, one at a time (they may wait on the network). */
  private chain: Promise<unknown> = Promise.resolve();
  /** Local critical sections: admin writes with their outbox record, and sync steps' local work. */
  private localChain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly missing = new Map<string, string[]>();

  constructor(private readonly opts: DesktopSyncOptions) {}

  async start(overrides?: { url?: string | null; member?: string | null }): Promise<void> {
    if (!this.opts.available) {
      if (overrides?.url) this.opts.log('sync: --sync-url is ignored: this gateway runs on the team database itself (--database-url)');
      return;
    }
    const saved = await this.opts.db.sync.settings();
    this.settings = saved ? { ...saved } : null;
    const last = await this.opts.db.sync.cursor(LAST_SYNC);
    this.lastSyncAt = last ? new Date(last) : null;
    if (overrides?.url !== undefined && overrides.url !== null) {
      await this.configure({ url: overrides.url, ...(overrides.member ? { member: overrides.member } : {}) });
      return;
    }
    if (this.settings?.url) this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // A cycle stuck on an unreachable team database must not hold up quitting the app: local work
    // (always short) is waited for, a network step for a few seconds at most.
    await this.localChain.catch(() => undefined);
    await withinMs(this.chain.catch(() => undefined), STOP_WAIT_MS);
    await withinMs(this.store?.close() ?? Promise.resolve(), STOP_WAIT_MS);
    this.store = null;
  }

  /** Saves the settings (durably, before answering) and reconnects; url null turns sync off. */
  configure(input: { url: string | null; member?: string; metricsScope?: MetricsScope }): Promise<SyncStatus> {
    return this.serial(async () => {
      this.requireAvailable();
      const previous = this.settings;
      // The UI shows the URL with its password hidden; saving it unchanged keeps the stored password.
      const url = input.url !== null && previous?.url && input.url === redactUrl(previous.url) ? previous.url : input.url;
      const next: Settings = {
        url,
        member: input.member ?? previous?.member ?? defaultMember(),
        metricsScope: input.metricsScope ?? previous?.metricsScope ?? 'shared',
      };
      await this.exclusive(async () => {
        // Another database is another team (a new password or user for the same one is not).
        if (url !== null && previous?.url && !sameDatabase(previous.url, url)) await resetProgress(this.opts.db);
        await this.opts.db.sync.saveSettings(next);
      });
      this.settings = next;
      await this.store?.close();
      this.store = null;
      this.schemaReady = false;
      this.failures = 0;
      this.lastError = null;
      if (next.url) this.connect();
      else this.setState('disabled');
      return this.status();
    });
  }

  /** Runs a cycle now (after any running one) and answers with the resulting status. */
  syncNow(): Promise<SyncStatus> {
    return this.serial(async () => {
      this.requireConfigured();
      await this.cycle();
      return this.status();
    });
  }

  /**
   * Runs a local admin write and, when it succeeded, records what it changed in shared presets in
   * the outbox, all before the write is acknowledged and without a pulled change in between.
   */
  aroundLocalWrite<T>(write: () => Promise<T>, succeeded: (result: T) => boolean): Promise<T> {
    if (!this.opts.available) return write();
    return this.exclusive(async () => {
      const result = await write();
      if (!succeeded(result)) return result;
      this.missing.clear(); // a secret may have been filled in: recomputed on the next cycle
      try {
        if ((await this.opts.db.sync.tracked()).length > 0 && (await capture(this.stepContext()))) {
          this.emit();
          this.schedule(100);
        }
      } catch (error) {
        // The write is done; the next cycle's capture finds the change anyway.
        this.opts.log(`sync: recording a local change failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return result;
    });
  }

  share(slug: string, includeSecrets: boolean): Promise<SyncStatus> {
    return this.exclusive(async () => {
      this.requireAvailable();
      if (!(await this.opts.db.presets.findBySlugWithServers(slug))) throw new GatewayError('not_found', `no preset "${slug}"`);
      const tracked = await this.opts.db.sync.trackedOne(slug);
      await this.opts.db.sync.track(tracked ? { ...tracked, includeSecrets } : { slug, remoteVersion: null, baseHash: null, includeSecrets, syncedAt: null });
      if (!tracked) await rewindMetricsForNewShare(this.opts.db, new Date());
      await capture(this.stepContext());
      this.opts.note('sync.shared', slug, { includeSecrets });
      this.schedule(0);
      return this.status();
    });
  }

  unshare(slug: string): Promise<SyncStatus> {
    return this.exclusive(async () => {
      this.requireAvailable();
      const tracked = await this.opts.db.sync.trackedOne(slug);
      if (!tracked) throw new GatewayError('not_found', `preset "${slug}" is not shared`);
      const waiting = await this.opts.db.sync.entry(slug);
      await this.opts.db.sync.untrack(slug);
      await this.opts.db.sync.enqueue({ slug, op: 'delete', baseVersion: waiting ? waiting.baseVersion : tracked.remoteVersion, doc: null, docHash: null });
      await this.opts.db.sync.setEntryState(slug, 'pending');
      await this.opts.db.sync.resolveConflicts(slug, 'mine');
      this.missing.delete(slug);
      this.opts.note('sync.unshared', slug, {});
      this.schedule(0);
      return this.status();
    });
  }

  async conflicts(): Promise<SyncConflict[]> {
    return (await this.opts.db.sync.openConflicts()).map(conflictView);
  }

  /** mine: publish this machine's version over the team's; theirs: take the team's (works offline: it was kept). */
  resolve(id: number, keep: 'mine' | 'theirs'): Promise<SyncStatus> {
    return this.exclusive(async () => {
      this.requireAvailable();
      const conflict = await this.opts.db.sync.conflict(id);
      if (!conflict || conflict.resolvedAt) throw new GatewayError('not_found', `no open conflict ${id}`);
      await resolveConflict(this.stepContext(), conflict, keep);
      this.schedule(0);
      return this.status();
    });
  }

  /** The versions of a shared preset the team database keeps, newest first. */
  async history(slug: string, limit: number): Promise<Array<{ version: number; updatedBy: string; updatedAt: string; deleted: boolean; doc: unknown }>> {
    const store = await this.readyStore();
    const rows = await unavailableOnError(store.revisions(slug, limit));
    return rows.map((r) => ({ version: r.version, updatedBy: r.updatedBy, updatedAt: r.updatedAt.toISOString(), deleted: r.deleted, doc: r.doc }));
  }

  /** Makes version `version` of a shared preset the local copy again; the next cycle publishes it as the newest. */
  async restore(slug: string, version: number): Promise<SyncStatus> {
    const store = await this.readyStore();
    const revision = await unavailableOnError(store.revision(slug, version));
    const doc = revision && !revision.deleted ? asSharedDoc(revision.doc) : null;
    if (!doc) throw new GatewayError('not_found', `preset "${slug}" has no restorable version ${version} in the team database`);
    return this.exclusive(async () => {
      await restoreVersion(this.stepContext(), slug, version, doc);
      this.schedule(0);
      return this.status();
    });
  }

  /** The team store, configured and with its tables; a clear error otherwise. */
  private async readyStore(): Promise<TeamStore> {
    this.requireConfigured();
    await unavailableOnError(this.teamDatabase());
    if (!this.store) throw new GatewayError('bad_request', 'sync is not configured: set the team database URL first (sync.configure)');
    return this.store;
  }

  /** The team database for team-wide reports, its tables created if this is the first use (null: not configured). */
  async teamDatabase(): Promise<Queryable | null> {
    const store = this.store;
    if (!store) return null;
    if (!this.schemaReady) {
      await store.ensureSchema(this.opts.migrationsFolder);
      this.schemaReady = true;
    }
    return store.queryable;
  }

  status(): Promise<SyncStatus> {
    return buildSyncStatus(this.opts.db, {
      available: this.opts.available,
      settings: this.settings,
      state: this.state,
      lastSyncAt: this.lastSyncAt,
      lastAttemptAt: this.lastAttemptAt,
      nextAttemptAt: this.nextAttemptAt,
      lastError: this.lastError,
      missing: this.missing,
    });
  }

  /** Secrets the team copies name that this machine lacks (learnt on pull; read once per process otherwise). */
  private async refreshMissing(store: TeamStore): Promise<void> {
    const slugs = (await this.opts.db.sync.tracked()).map((t) => t.slug).filter((slug) => !this.missing.has(slug));
    if (slugs.length === 0) return;
    const servers = await serverMap(this.stepContext());
    const rows = new Map((await store.currentMany(slugs)).map((row) => [row.slug, row]));
    for (const slug of slugs) {
      const doc = asSharedDoc(rows.get(slug)?.doc);
      this.missing.set(slug, doc ? missingSecrets(doc, servers) : []);
    }
  }

  private connect(): void {
    if (!this.settings?.url || this.stopped) return;
    this.store = new TeamStore({ url: this.settings.url, connectTimeoutMs: this.opts.connectTimeoutMs, queryTimeoutMs: this.opts.queryTimeoutMs });
    this.schemaReady = false;
    this.setState('idle');
    this.schedule(0);
  }

  /** One cycle: record local changes, take the team's, send ours, push rollups. */
  private async cycle(): Promise<void> {
    const store = this.store;
    const settings = this.settings;
    if (!store || !settings?.url) return;
    this.lastAttemptAt = new Date();
    this.setState('syncing');
    const ctx = this.stepContext();
    try {
      if (!this.schemaReady) {
        await store.ensureSchema(this.opts.migrationsFolder);
        this.schemaReady = true;
      }
      await this.exclusive(() => capture(ctx));
      await pull(ctx, store);
      await push(ctx, store);
      await this.refreshMissing(store);
      await pushMetrics(ctx, store, settings.metricsScope, new Date());
      await store.touchMember(settings.member, this.opts.version);
      this.failures = 0;
      this.lastError = null;
      this.lastSyncAt = new Date();
      await this.opts.db.sync.setCursor(LAST_SYNC, this.lastSyncAt.toISOString());
      this.setState('idle');
    } catch (error) {
      this.failures++;
      const message = error instanceof Error ? error.message : String(error);
      if (this.lastError !== message) this.opts.log(`sync: ${message}`);
      this.lastError = message;
      this.setState(isUnreachable(error) ? 'offline' : 'error');
    }
  }

  private schedule(delayMs: number | null = null): void {
    if (this.stopped || !this.store) return;
    const wait = delayMs ?? (this.failures === 0 ? this.opts.intervalMs : backoff(this.failures, this.opts.maxBackoffMs));
    if (this.timer) clearTimeout(this.timer);
    this.nextAttemptAt = new Date(Date.now() + wait);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.serial(() => this.cycle()).finally(() => {
        if (!this.timer) this.schedule();
        this.emit();
      });
    }, wait);
    this.timer.unref();
  }

  /** Runs fn after every operation queued before it; a failure does not stop the ones after. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Runs fn after every local critical section queued before it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.localChain.then(fn, fn);
    this.localChain = run.catch(() => undefined);
    return run;
  }

  private stepContext(): StepContext {
    return {
      exclusive: (fn) => this.exclusive(fn),
      db: this.opts.db,
      ownerId: this.opts.ownerId,
      member: this.settings?.member ?? defaultMember(),
      applier: this.opts.applier,
      missing: this.missing,
      note: this.opts.note,
    };
  }

  private setState(state: SyncState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit();
  }

  private emit(): void {
    void Promise.all([this.opts.db.sync.outbox(), this.opts.db.sync.openConflicts()]).then(
      ([outbox, open]) => this.opts.onStatus({ state: this.state, pending: outbox.filter((e) => e.state === 'pending').length, conflicts: open.length }),
      () => undefined,
    );
  }

  private requireAvailable(): void {
    if (!this.opts.available) {
      throw new GatewayError('bad_request', 'this gateway runs on the team database itself (serve --database-url): desktop sync is for gateways with their own database');
    }
  }

  private requireConfigured(): void {
    this.requireAvailable();
    if (!this.settings?.url) throw new GatewayError('bad_request', 'sync is not configured: set the team database URL first (sync.configure)');
  }
}
