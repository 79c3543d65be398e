import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '../contract/index.js';
import type { GatewayConfig } from '../config/schema.js';
import { openDatabase, type Database } from '../db/database.js';
import { openPostgresDatabase } from '../db/postgres.js';
import { RedisSync } from '../sync/redis-sync.js';
import { databaseAwareDispatch, invalidationTarget, publishingContext } from '../sync/publishing.js';
import { DesktopSync } from '../sync/desktop-sync.js';
import { syncAwareDispatch } from '../sync/local-writes.js';
import { TeamStore } from '../sync/team-store.js';
import { findMigrationsFolder } from '../db/migrations-folder.js';
import { loadOrCreateSecretKey } from '../db/secret-box.js';
import { LOCAL_OWNER_ID, type PresetWithServers } from '../db/records.js';
import { createDispatcher, type Dispatch } from '../api/dispatcher.js';
import { AuditTrail, auditedDispatch } from '../api/audit-trail.js';
import { createHandlers } from '../api/handlers/index.js';
import type { ApiContext } from '../api/context.js';
import { EventHub } from '../http/event-hub.js';
import { createHttpServer } from '../http/server.js';
import { RateLimiter } from '../http/rate-limit.js';
import { PresetAccess } from '../http/preset-access.js';
import { readDeclarativeFile } from '../config/load.js';
import { UpstreamPool } from '../upstream/pool.js';
import { PresetRegistry, defaultRegistryCacheOptions } from '../mcp/preset-registry.js';
import { SessionStore } from '../mcp/session.js';
import { MrtrBroker } from '../mcp/mrtr.js';
import { wireBroadcasts } from '../mcp/broadcast.js';
import { MetricsRecorder } from '../metrics/recorder.js';
import { GatewayMetrics, httpRoute } from '../metrics/prometheus.js';
import { MetricsMaintenance } from '../metrics/maintenance.js';
import { ensureDataDir, loadOrCreateAdminToken } from './data-dir.js';
import { listen, principalOf, rateLimited, readiness } from './serving.js';
import { packageVersion } from './package-info.js';

export interface Gateway {
  url: string;
  adminToken: string;
  dispatch: Dispatch;
  events: EventHub;
  stop(): Promise<void>;
}

export interface GatewayOptions {
  log?: (line: string) => void;
  /** Key that encrypts upstream secrets at rest (default: <dataDir>/secret.key, mode 0600). The desktop app passes one kept by Electron safeStorage. */
  secretKey?: Buffer;
  /** Admin token to use instead of <dataDir>/admin-token (team mode: every instance shares one). */
  adminToken?: string;
}

/** How long start waits for upstream servers before listening anyway (they join the views when ready). */
const UPSTREAM_START_WAIT_MS = 15_000;

/**
 * The composition root: builds every part from one config object, starts them in order and
 * returns a disposer that stops them in reverse. Nothing here runs at import time.
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const version = packageVersion();
  const dataDir = config.dataDir;
  if (dataDir) await ensureDataDir(dataDir);
  const adminToken = options.adminToken ?? (dataDir ? await loadOrCreateAdminToken(dataDir) : randomBytes(32).toString('hex'));
  const metrics = new GatewayMetrics({ maxToolLabelSets: config.metricsMaxLabelSets });
  const secretKey = options.secretKey ?? loadOrCreateSecretKey(dataDir);
  const onQuery = (op: string, ms: number, ok: boolean): void => metrics.observeDbQuery(op, ms, ok);
  // Team mode: a shared PostgreSQL (no PGlite); otherwise the embedded database in the data dir.
  const db: Database = config.databaseUrl
    ? await openPostgresDatabase({
        connectionString: config.databaseUrl,
        replicaConnectionString: config.readReplicaUrl,
        maxConnections: config.dbPoolMax,
        idleTimeoutMs: config.dbIdleTimeoutMs,
        connectTimeoutMs: config.dbConnectTimeoutMs,
        secretKey,
        onQuery,
      })
    : await openDatabase({ dataDir, secretKey, onQuery, isolation: config.dbIsolation });
  const disposers: Array<() => Promise<void> | void> = [() => db.close()];
  const stopAll = async (): Promise<void> => {
    for (const dispose of disposers.splice(0).reverse()) {
      try {
        await dispose();
      } catch (error) {
        log(`stop: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  try {
    // Partitions now (inserts must find them); rollup, retention and upkeep on timers.
    const maintenance = new MetricsMaintenance(db, {
      granularity: config.metricsPartitionGranularity,
      rawRetention: config.metricsRawRetention,
      rollupRetention: config.metricsRollupRetention,
      rollupIntervalMs: config.metricsRollupIntervalMs,
      lateWindowHours: config.metricsLateWindowHours,
      log,
      onRollup: (result, ms, error) => metrics.observeRollup(ms, error === null, result?.events ?? 0),
    });
    await maintenance.start();
    disposers.push(() => maintenance.stop());

    const events = new EventHub();
    disposers.push(() => events.close());
    const pool = new UpstreamPool({
      clientVersion: version,
      restartBaseMs: config.restartBaseMs,
      restartMaxMs: config.restartMaxMs,
      breaker: { failureThreshold: config.breakerFailureThreshold, cooldownMs: config.breakerCooldownMs, maxCooldownMs: 60_000 },
      pingIntervalMs: config.pingIntervalMs,
      log,
    });
    disposers.push(() => pool.stop());
    pool.on('status', (_id, name, status) => events.emit('server.status', { name, status }));

    const tick = { calls: 0, errors: 0, at: 0 };
    const recorder = new MetricsRecorder({
      flushMs: config.metricsFlushMs,
      flushEvents: config.metricsFlushEvents,
      maxBuffered: config.metricsMaxBuffered,
      write: (batch) => db.metrics.insertBatch(batch),
      observe: (event) => {
        metrics.observeEvent(event);
        tick.calls++;
        if (event.status !== 'ok') tick.errors++;
      },
      onFlush: (info) => {
        metrics.observeFlush(info);
        // New calls are in the database: open dashboards refresh (at most once a second).
        const now = Date.now();
        if (info.ok && tick.calls > 0 && now - tick.at >= 1000) {
          events.emit('metrics.tick', { calls: tick.calls, errors: tick.errors });
          tick.calls = 0;
          tick.errors = 0;
          tick.at = now;
        }
      },
      log,
    });
    recorder.start();
    disposers.push(() => recorder.stop());

    // Team mode: preset records through the shared Redis tier (set once Redis sync is built).
    let sharedPresets: ((slug: string) => Promise<PresetWithServers | null>) | null = null;
    const sessions = new SessionStore();
    disposers.push(() => sessions.closeAll());
    const mrtr = new MrtrBroker();
    disposers.push(() => mrtr.stop());
    const registry = new PresetRegistry(
      pool,
      (slug) => (sharedPresets ? sharedPresets(slug) : db.presets.findBySlugWithServers(slug)),
      { defaultTimeoutMs: config.defaultToolTimeoutMs, maxToolSchemaBytes: config.maxToolSchemaBytes, log },
      { ...defaultRegistryCacheOptions, maxEntries: config.cacheMaxEntries, maxBytes: config.cacheMaxBytes },
      (slug) => sessions.hasSlug(slug),
    );
    disposers.push(() => registry.stop());
    disposers.push(wireBroadcasts(pool, registry, sessions));
    metrics.setSources({
      upstreams: () =>
        pool.all().map((connection) => {
          const status = connection.status();
          return { server: connection.name, state: status.state, restarts: status.restarts, breaker: status.breaker };
        }),
      caches: () => {
        const views = registry.stats();
        return [{ cache: 'preset_views', hits: views.hits, misses: views.misses, entries: views.size }];
      },
      recorder: () => recorder.stats(),
      rollup: () => {
        const last = maintenance.status().lastRollup;
        return last ? { pending: last.pending, lastRunAt: last.at } : null;
      },
      names: () => db.metricsQueries.names(),
    });

    const audit = new AuditTrail(db.audit, log);
    disposers.push(() => audit.stop());
    const access = new PresetAccess(
      db.tokens,
      adminToken,
      LOCAL_OWNER_ID,
      (denied) =>
        audit.record({
          actor: denied.tokenId ? `token:${denied.tokenId}` : 'anonymous',
          action: 'access.denied',
          target: `preset:${denied.slug}`,
          outcome: 'denied',
          detail: { status: denied.status, reason: denied.reason },
        }),
      (ids) => {
        for (const id of ids) audit.record({ actor: `token:${id}`, action: 'token.used', target: null, outcome: 'ok', detail: null });
      },
    );
    disposers.push(() => access.stop());

    // Desktop sync applies the team's presets through the same path as config.apply (pool, views, events).
    let applyDispatch: Dispatch | null = null;
    const applied = async (method: string, input: unknown, tolerate?: string): Promise<void> => {
      const result = await applyDispatch!(method, input);
      if (!result.ok && result.error.code !== tolerate) throw new GatewayError(result.error.code, result.error.message);
    };
    const desktopSync = new DesktopSync({
      db,
      ownerId: LOCAL_OWNER_ID,
      version,
      migrationsFolder: findMigrationsFolder(),
      applier: {
        applyConfig: (declared) => applied('config.apply', { config: declared, prune: false }),
        deletePreset: (slug) => applied('presets.delete', { slug }, 'not_found'),
      },
      intervalMs: config.syncIntervalMs,
      maxBackoffMs: config.syncMaxBackoffMs,
      connectTimeoutMs: config.syncConnectTimeoutMs,
      queryTimeoutMs: config.syncQueryTimeoutMs,
      available: !config.databaseUrl,
      onStatus: (summary) => events.emit('sync.status', summary),
      note: (action, slug, detail) => audit.record({ actor: 'sync', action, target: `preset:${slug}`, outcome: 'ok', detail }),
      log,
    });
    disposers.push(() => desktopSync.stop());
    // Team mode: the team-wide report reads this gateway's own database.
    const ownTeamDatabase = config.databaseUrl
      ? new TeamStore({ url: config.databaseUrl, connectTimeoutMs: config.dbConnectTimeoutMs, queryTimeoutMs: config.syncQueryTimeoutMs })
      : null;
    if (ownTeamDatabase) disposers.push(() => ownTeamDatabase.close());
    let baseUrl = `http://${config.host}:${config.port}`;
    const ctx: ApiContext = {
      db,
      pool,
      registry,
      recorder,
      events,
      ownerId: LOCAL_OWNER_ID,
      baseUrl: () => baseUrl,
      dataDir: dataDir ?? '(in memory)',
      startedAt: new Date(),
      version,
      defaultTimeoutMs: config.defaultToolTimeoutMs,
      access,
      audit,
      sync: desktopSync,
      teamDatabase: async () => ownTeamDatabase?.queryable ?? (await desktopSync.teamDatabase()),
    };
    const limiter = new RateLimiter(config.rateLimitPerSecond, config.rateLimitBurst);
    // Team mode: admin writes are published to the other instances, which reload what changed.
    const sync = config.redisUrl
      ? new RedisSync({
          url: config.redisUrl,
          keyPrefix: config.redisKeyPrefix,
          db,
          ownerId: LOCAL_OWNER_ID,
          target: invalidationTarget(ctx),
          localLimiter: limiter,
          rateLimitPerSecond: config.rateLimitPerSecond,
          rateLimitBurst: config.rateLimitBurst,
          resyncPollMs: config.resyncPollMs,
          log,
        })
      : null;
    if (sync) disposers.push(() => sync.stop());
    if (sync) sharedPresets = (slug) => sync.cachedPreset(slug, (s) => db.presets.findBySlugWithServers(s));
    const handlers = createHandlers(sync ? publishingContext(ctx, sync) : ctx);
    const baseDispatch = createDispatcher(handlers, log);
    applyDispatch = baseDispatch;
    const dispatch = syncAwareDispatch(
      auditedDispatch(config.databaseUrl ? databaseAwareDispatch(baseDispatch, db, config.dbConnectTimeoutMs) : baseDispatch, audit, 'admin'),
      desktopSync,
    );
    await sync?.start();

    const servers = await db.servers.list(LOCAL_OWNER_ID);
    const starting = Promise.all(servers.map((server) => pool.upsert(server)));
    await Promise.race([starting, new Promise((resolve) => setTimeout(resolve, UPSTREAM_START_WAIT_MS).unref())]);

    if (config.configFile) {
      const declared = await readDeclarativeFile(config.configFile);
      const result = await dispatch('config.apply', { config: declared, prune: false });
      if (!result.ok) throw new GatewayError(result.error.code, `--config ${config.configFile}: ${result.error.message}`);
    }
    // After the local presets are in place: the first cycle compares them with the team's.
    await desktopSync.start({ url: config.syncUrl, member: config.syncMember });

    const take = sync ? (key: string) => sync.take(key) : (key: string) => limiter.take(key);
    const http = createHttpServer({
      mcp: {
        registry,
        sessions,
        recorder,
        logListeners: { slugsUsingServer: (id) => registry.slugsUsingServer(id), sessionsOf: (slug) => sessions.ofSlug(slug) },
        mrtr,
        serverInfo: { name: 'mcp-gateway', version },
        authorize: async (view, req) => {
          const denied = (await access.authorize(view, req)) ?? (await rateLimited(take, req));
          if (denied?.status === 429) {
            audit.record({ actor: `token-hash:${principalOf(req) ?? '-'}`, action: 'access.denied', target: `preset:${view.preset.slug}`, outcome: 'denied', detail: { status: 429 } });
          }
          return denied;
        },
        limits: {
          maxJsonDepth: config.maxJsonDepth,
          maxToolInputBytes: config.maxToolInputBytes,
          maxSessionsPerToken: config.maxSessionsPerToken,
        },
        principalOf: (req) => principalOf(req),
      },
      dispatch,
      adminToken,
      events,
      maxBodyBytes: config.maxBodyBytes,
      allowedHosts: config.allowedHosts,
      allowedOrigins: config.allowedOrigins,
      ready: () => readiness(pool, db),
      onRefused: (refusal) =>
        audit.record({ actor: 'anonymous', action: 'access.denied', target: refusal.path, outcome: 'denied', detail: { status: refusal.status, reason: refusal.reason } }),
      metricsText: () => metrics.text(),
      log,
    });
    // Request counts and durations by route and status: one listener, timed when the response closes.
    http.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const started = performance.now();
      res.once('close', () => {
        const stream = req.method === 'GET' && String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
        const status = res.headersSent ? res.statusCode : 'aborted';
        metrics.observeHttp(httpRoute(req.url), req.method ?? 'GET', status, stream ? null : (performance.now() - started) / 1000);
      });
    });
    await listen(http, config.host, config.port);
    disposers.push(
      () =>
        new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        }),
    );
    const address = http.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    baseUrl = `http://${host}:${address.port}`;
    return { url: baseUrl, adminToken, dispatch, events, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
