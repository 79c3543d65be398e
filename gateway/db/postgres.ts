import { randomBytes } from 'node:crypto';
import type { Logger } from 'drizzle-orm/logger';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { assembleDatabase, statementKind, type Database, type QueryObserver } from './database.js';
import type { Db } from './executor.js';
import { findMigrationsFolder } from './migrations-folder.js';
import { createMetricsQueries } from './repositories/metrics-queries.js';
import { schema } from './schema.js';

/**
 * The same Database over a real PostgreSQL (15+) through node-postgres: team mode, and the proof
 * that migrations, partition upkeep, rollups and reports behave as on PGlite.
 */
export interface OpenPostgresOptions {
  connectionString: string;
  secretKey: Buffer;
  migrationsFolder?: string;
  /** Pool size (default 4). */
  maxConnections?: number;
  /** Idle pool connections are closed after this long (ms; node-postgres default 10 s; 0: never). */
  idleTimeoutMs?: number;
  /** A new connection that is not up within this long fails the query (ms; default: no limit). */
  connectTimeoutMs?: number;
  /** A read replica: lag-tolerant reads (metrics queries) go there. */
  replicaConnectionString?: string | null;
  logger?: Logger;
  onQuery?: QueryObserver;
}

export async function openPostgresDatabase(opts: OpenPostgresOptions): Promise<Database> {
  const poolConfig = (connectionString: string): pg.PoolConfig => ({
    connectionString,
    max: opts.maxConnections ?? 4,
    ...(opts.idleTimeoutMs === undefined ? {} : { idleTimeoutMillis: opts.idleTimeoutMs }),
    ...(opts.connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: opts.connectTimeoutMs }),
  });
  const pool = new pg.Pool(poolConfig(opts.connectionString));
  pool.on('error', () => undefined); // an idle client's connection dropped: the next query reconnects
  if (opts.onQuery) instrumentPool(pool, opts.onQuery);
  const replica = opts.replicaConnectionString ? new pg.Pool(poolConfig(opts.replicaConnectionString)) : null;
  replica?.on('error', () => undefined);
  if (replica && opts.onQuery) instrumentPool(replica, opts.onQuery);
  try {
    const db = drizzle(pool, { schema, ...(opts.logger ? { logger: opts.logger } : {}) }) as unknown as Db;
    const t0 = performance.now();
    await pool.query('select 1');
    const t1 = performance.now();
    await migrateLocked(pool, opts.migrationsFolder ?? findMigrationsFolder());
    const t2 = performance.now();
    const database = assembleDatabase(
      { db, transaction: (fn) => db.transaction((tx) => fn(tx as unknown as Db)) },
      {
        secretKey: opts.secretKey,
        startup: { openMs: t1 - t0, migrateMs: t2 - t1 },
        ping: async () => {
          const started = performance.now();
          await pool.query('select 1');
          return performance.now() - started;
        },
        close: async () => {
          await replica?.end().catch(() => undefined);
          await pool.end();
        },
      },
    );
    if (!replica) return database;
    const replicaDb = drizzle(replica, { schema, ...(opts.logger ? { logger: opts.logger } : {}) }) as unknown as Db;
    return { ...database, metricsQueries: createMetricsQueries(replicaDb) };
  } catch (error) {
    await replica?.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/** Key of the advisory lock that serialises migrations of gateways starting together on one database. */
const MIGRATION_LOCK_KEY = 0x6d637067; // 'mcpg'

/**
 * Applies migrations while holding a session advisory lock, so several instances starting at
 * once migrate one after the other (the later ones find nothing left to do).
 */
export async function migrateLocked(pool: pg.Pool, migrationsFolder: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

/** Times every query of the pool's clients (drizzle calls client.query with a config object). */
function instrumentPool(pool: pg.Pool, onQuery: QueryObserver): void {
  pool.on('connect', (client) => {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '');
      const started = performance.now();
      const callback = args[args.length - 1];
      if (typeof callback === 'function') {
        args[args.length - 1] = (err: unknown, res: unknown) => {
          onQuery(statementKind(text), performance.now() - started, !err);
          (callback as (e: unknown, r: unknown) => void)(err, res);
        };
        return original(...args);
      }
      const result = original(...args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(
          () => onQuery(statementKind(text), performance.now() - started, true),
          () => onQuery(statementKind(text), performance.now() - started, false),
        );
      }
      return result;
    };
  });
}

/**
 * Creates a database with a random name next to `adminUrl`'s (tests and benchmarks) and returns
 * its URL and a disposer that drops it (terminating leftover connections).
 */
export async function createScratchDatabase(adminUrl: string, prefix = 'mcpgw_test'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
