import type { DbIsolation } from './db-channel.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import type { Logger } from 'drizzle-orm/logger';
import { drizzle } from 'drizzle-orm/pg-proxy';
import type { DeclarativeConfig } from '../contract/declarative.js';
import { applyConfigInTransaction, type ApplyResult } from './apply-config.js';
import type { Db, DbRunner } from './executor.js';
import { findMigrationsFolder } from './migrations-folder.js';
import { createMetricsRepository, type MetricsRepository } from './repositories/metrics.js';
import { createMetricsQueries, type MetricsQueries } from './repositories/metrics-queries.js';
import { createPartitionsRepository, type PartitionsRepository } from './repositories/partitions.js';
import { createRollupsRepository, type RollupsRepository } from './repositories/rollups.js';
import { createPresetsRepository, type PresetsRepository } from './repositories/presets.js';
import { createAuditRepository, type AuditRepository } from './repositories/audit.js';
import { createTokensRepository, type TokensRepository } from './repositories/tokens.js';
import { createServersRepository, type ServersRepository } from './repositories/servers.js';
import { createSyncRepository, type SyncRepository } from './repositories/sync.js';
import { schema } from './schema.js';
import { PgliteWorkerClient } from './worker-client.js';

export interface OpenDatabaseOptions {
  /** Where PGlite runs: a child process (default) or a worker thread. Either way, off the event loop. */
  isolation?: DbIsolation;
  /** The gateway's data folder (PGlite files go to `<dataDir>/db`); null: in-memory. */
  dataDir: string | null;
  /** 32 bytes sealing server env/headers at rest (see loadOrCreateSecretKey). */
  secretKey: Buffer;
  /** Defaults to the repo's migrations/ folder found from this module. */
  migrationsFolder?: string;
  /** drizzle query logger (debugging; tests count round trips with it). */
  logger?: Logger;
  /** Called after every statement (Prometheus DB query durations): op is its first keyword. */
  onQuery?: QueryObserver;
}

/** op: the statement's first keyword (select, insert, update, delete, with, …); ms: round trip. */
export type QueryObserver = (op: string, ms: number, ok: boolean) => void;

export interface Database {
  /** drizzle over the PGlite worker (or node-postgres). Do not use it inside `transaction(fn)`: use `tx`. */
  readonly db: Db;
  /**
   * Runs fn's statements atomically (PGlite transaction() in the worker; nothing else
   * interleaves). Commits when fn resolves, rolls back when it throws. Not nestable.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  readonly servers: ServersRepository;
  readonly presets: PresetsRepository;
  readonly metrics: MetricsRepository;
  readonly tokens: TokensRepository;
  readonly audit: AuditRepository;
  /** Desktop sync's local state: settings, shared presets, outbox, conflicts (see gateway/sync). */
  readonly sync: SyncRepository;
  /** Hourly/daily rollups of metrics_events (the watermark, late window, compaction). */
  readonly rollups: RollupsRepository;
  /** p50/p95/p99, counts and error rates over any range/step, from rollups and raw rows. */
  readonly metricsQueries: MetricsQueries;
  /** metrics_events partitions: monthly or daily, retention, listing. */
  readonly partitions: PartitionsRepository;
  /** Upserts a declarative file for one owner in ONE transaction; see apply-config.ts. */
  applyConfig(ownerId: string, config: DeclarativeConfig, prune: boolean): Promise<ApplyResult>;
  /** Monthly metrics partitions for now's month and `monthsAhead` more; returns those created. */
  ensurePartitions(now: Date, monthsAhead: number): Promise<string[]>;
  /** Drops metrics partitions older than `retentionMonths` before now's month; returns them. */
  dropExpiredPartitions(now: Date, retentionMonths: number): Promise<string[]>;
  /** How long opening (initdb on first use) and migrating took, for the startup log. */
  readonly startup: { openMs: number; migrateMs: number };
  /** A trivial round trip through the worker: for readiness checks. Resolves with its latency. */
  ping(): Promise<number>;
  close(): Promise<void>;
}

/** Opens (creating and migrating on first use) the embedded database in a worker thread. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const { client, openMs, migrateMs } = await PgliteWorkerClient.start(
    {
      pgDataDir: opts.dataDir === null ? null : join(opts.dataDir, 'db'),
      migrationsFolder: opts.migrationsFolder ?? findMigrationsFolder(),
    },
    opts.isolation ?? 'process',
  );

  // Queries of the root db issued from inside transaction(fn) would wait for that transaction
  // to end: a deadlock. The async context lets us fail them loudly instead.
  const inTransaction = new AsyncLocalStorage<number>();
  const query = timedQuery(
    opts.onQuery,
    (sqlText: string, _params: unknown[], _method: 'all' | 'execute', _txId: number | null) => sqlText,
    (sqlText: string, params: unknown[], method: 'all' | 'execute', txId: number | null) => client.query(sqlText, params, method, txId),
  );
  const db = drizzle(
    async (sqlText, params, method) => {
      if (inTransaction.getStore() !== undefined) {
        throw new Error('query on the root db inside transaction(fn) would deadlock: use the tx argument');
      }
      return query(sqlText, params, method, null);
    },
    { schema, ...(opts.logger ? { logger: opts.logger } : {}) },
  );

  const transaction = async <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
    if (inTransaction.getStore() !== undefined) {
      throw new Error('transaction(fn) is not nestable: pass the tx argument down instead');
    }
    const txId = await client.begin();
    const tx = drizzle((sqlText, params, method) => query(sqlText, params, method, txId), {
      schema,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    let result: T;
    try {
      result = await inTransaction.run(txId, () => fn(tx));
    } catch (err) {
      await client.end(txId, false).catch(() => undefined);
      throw err;
    }
    await client.end(txId, true);
    return result;
  };

  return assembleDatabase({ db, transaction }, {
    secretKey: opts.secretKey,
    startup: { openMs, migrateMs },
    ping: async () => {
      const started = performance.now();
      await client.query('select 1', [], 'all', null);
      return performance.now() - started;
    },
    close: () => client.close(),
  });
}

/** Builds the repositories over any driver's runner (PGlite worker here, node-postgres in postgres.ts). */
export function assembleDatabase(
  runner: DbRunner,
  parts: {
    secretKey: Buffer;
    startup: { openMs: number; migrateMs: number };
    ping: () => Promise<number>;
    close: () => Promise<void>;
  },
): Database {
  const { db, transaction } = runner;
  const partitions = createPartitionsRepository(db);
  return {
    db,
    transaction,
    servers: createServersRepository(runner, parts.secretKey),
    presets: createPresetsRepository(runner),
    metrics: createMetricsRepository(db),
    tokens: createTokensRepository(db),
    audit: createAuditRepository(db),
    sync: createSyncRepository(db, parts.secretKey),
    rollups: createRollupsRepository(runner),
    metricsQueries: createMetricsQueries(db),
    partitions,
    applyConfig: (ownerId, config, prune) =>
      transaction((tx) => applyConfigInTransaction(tx, parts.secretKey, ownerId, config, prune)),
    ensurePartitions: (now, monthsAhead) => partitions.ensurePartitions(now, monthsAhead),
    dropExpiredPartitions: (now, retentionMonths) => partitions.dropExpired(now, retentionMonths),
    startup: parts.startup,
    ping: parts.ping,
    close: parts.close,
  };
}

/** The first keyword of a statement, lower-cased (cheap: no parsing). */
export function statementKind(sqlText: string): string {
  const m = /^\s*([A-Za-z]+)/.exec(sqlText);
  return m ? m[1]!.toLowerCase() : 'other';
}

/** Wraps a query function so every call is timed into `observer`. */
export function timedQuery<A extends unknown[], R>(
  observer: QueryObserver | undefined,
  sqlOf: (...args: A) => string,
  run: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  if (!observer) return run;
  return async (...args: A): Promise<R> => {
    const started = performance.now();
    try {
      const result = await run(...args);
      observer(statementKind(sqlOf(...args)), performance.now() - started, true);
      return result;
    } catch (error) {
      observer(statementKind(sqlOf(...args)), performance.now() - started, false);
      throw error;
    }
  };
}
