import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Schema } from './schema.js';

/**
 * What repositories run queries on: the root drizzle instance or a transaction's, over any
 * driver (pg-proxy to the PGlite worker here, node-postgres in team mode).
 */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** A Db plus a way to run several statements atomically. */
export interface DbRunner {
  readonly db: Db;
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
}

/** Inside a transaction, nested "transactions" simply join it. */
export function joinTransaction(tx: Db): DbRunner {
  return { db: tx, transaction: (fn) => fn(tx) };
}

/** Rows of a raw `db.execute(sql)`: pg-proxy returns the row array, node-postgres a QueryResult. */
export async function executeRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The SQLSTATE of a failed query, looking through drizzle's DrizzleQueryError wrapper. */
export function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';

/** The driver's error under drizzle's wrapper (whose message repeats the SQL and every parameter). */
export function driverError(err: unknown): unknown {
  return err instanceof Error && err.cause instanceof Error ? err.cause : err;
}
