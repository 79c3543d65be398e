import { randomBytes } from 'node:crypto';
import type { Logger } from 'drizzle-orm/logger';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { assembleDatabase, statementKind, type Database, type QueryObserver } from './database.js';
import type { Db } from './executor.js';
import { findMigrationsFolder } from './migrations-folder.js';
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
  logger?: Logger;
  onQuery?: QueryObserver;
}

export async function openPostgresDatabase(opts: OpenPostgresOptions): Promise<Database> {
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.maxConnections ?? 4 });
  pool.on('error', () => undefined); // an idle client's connection dropped: the next query reconnects
  if (opts.onQuery) instrumentPool(pool, opts.onQuery);
  try {
    const db = drizzle(pool, { schema, ...(opts.logger ? { logger: opts.logger } : {}) }) as unknown as Db;
    const t0 = performance.now();
    await pool.query('select 1');
    const t1 = performance.now();
    await migrate(drizzle(pool), { migrationsFolder: opts.migrationsFolder ?? findMigrationsFolder() });
    const t2 = performance.now();
    return assembleDatabase(
      { db, transaction: (fn) => db.transaction((tx) => fn(tx as unknown as Db)) },
      {
        secretKey: opts.secretKey,
        startup: { openMs: t1 - t0, migrateMs: t2 - t1 },
        ping: async () => {
          const started = performance.now();
          await pool.query('select 1');
          return performance.now() - started;
        },
        close: () => pool.end(),
      },
    );
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
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
