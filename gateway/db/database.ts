import { AsyncLocalStorage } from 'node:async_hooks';
import { join } from 'node:path';
import type { Logger } from 'drizzle-orm/logger';
import { drizzle, type PgRemoteDatabase } from 'drizzle-orm/pg-proxy';
import type { DeclarativeConfig } from '../contract/declarative.js';
import { applyConfigInTransaction, type ApplyResult } from './apply-config.js';
import type { Db, DbRunner } from './executor.js';
import { findMigrationsFolder } from './migrations-folder.js';
import { createMetricsRepository, type MetricsRepository } from './repositories/metrics.js';
import { createPartitionsRepository } from './repositories/partitions.js';
import { createPresetsRepository, type PresetsRepository } from './repositories/presets.js';
import { createServersRepository, type ServersRepository } from './repositories/servers.js';
import { schema, type Schema } from './schema.js';
import { PgliteWorkerClient } from './worker-client.js';

export interface OpenDatabaseOptions {
  /** The gateway's data folder (PGlite files go to `<dataDir>/db`); null: in-memory. */
  dataDir: string | null;
  /** 32 bytes sealing server env/headers at rest (see loadOrCreateSecretKey). */
  secretKey: Buffer;
  /** Defaults to the repo's migrations/ folder found from this module. */
  migrationsFolder?: string;
  /** drizzle query logger (debugging; tests count round trips with it). */
  logger?: Logger;
}

export interface Database {
  /** drizzle over the PGlite worker. Do not use it inside `transaction(fn)`: use `tx`. */
  readonly db: PgRemoteDatabase<Schema>;
  /**
   * Runs fn's statements atomically (PGlite transaction() in the worker; nothing else
   * interleaves). Commits when fn resolves, rolls back when it throws. Not nestable.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  readonly servers: ServersRepository;
  readonly presets: PresetsRepository;
  readonly metrics: MetricsRepository;
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
  const { client, openMs, migrateMs } = await PgliteWorkerClient.start({
    pgDataDir: opts.dataDir === null ? null : join(opts.dataDir, 'db'),
    migrationsFolder: opts.migrationsFolder ?? findMigrationsFolder(),
  });

  // Queries of the root db issued from inside transaction(fn) would wait for that transaction
  // to end: a deadlock. The async context lets us fail them loudly instead.
  const inTransaction = new AsyncLocalStorage<number>();
  const db = drizzle(
    async (sqlText, params, method) => {
      if (inTransaction.getStore() !== undefined) {
        throw new Error('query on the root db inside transaction(fn) would deadlock: use the tx argument');
      }
      return client.query(sqlText, params, method, null);
    },
    { schema, ...(opts.logger ? { logger: opts.logger } : {}) },
  );

  const transaction = async <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
    if (inTransaction.getStore() !== undefined) {
      throw new Error('transaction(fn) is not nestable: pass the tx argument down instead');
    }
    const txId = await client.begin();
    const tx = drizzle((sqlText, params, method) => client.query(sqlText, params, method, txId), {
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

  const runner: DbRunner = { db, transaction };
  const partitions = createPartitionsRepository(db);
  return {
    db,
    transaction,
    servers: createServersRepository(runner, opts.secretKey),
    presets: createPresetsRepository(runner),
    metrics: createMetricsRepository(db),
    applyConfig: (ownerId, config, prune) =>
      transaction((tx) => applyConfigInTransaction(tx, opts.secretKey, ownerId, config, prune)),
    ensurePartitions: (now, monthsAhead) => partitions.ensurePartitions(now, monthsAhead),
    dropExpiredPartitions: (now, retentionMonths) => partitions.dropExpired(now, retentionMonths),
    startup: { openMs, migrateMs },
    ping: async () => {
      const started = performance.now();
      await client.query('select 1', [], 'all', null);
      return performance.now() - started;
    },
    close: () => client.close(),
  };
}
