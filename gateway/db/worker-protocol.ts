/** Messages between the main thread (worker-client.ts) and the PGlite worker (pglite-worker.ts). */

export interface WorkerInit {
  /** Folder for PGlite's files, or null for an in-memory database. */
  pgDataDir: string | null;
  migrationsFolder: string;
}

export type QueryMethod = 'all' | 'execute';

export type WorkerRequest =
  | { id: number; type: 'query'; sql: string; params: unknown[]; method: QueryMethod; txId: number | null }
  | { id: number; type: 'begin' }
  | { id: number; type: 'end'; txId: number; commit: boolean }
  | { id: number; type: 'close' };

/** The fields of a PostgreSQL error worth carrying across the thread boundary. */
export interface SerializedDbError {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
  column?: string;
  hint?: string;
}

export type WorkerResponse =
  | { id: number; ok: true; rows?: unknown[]; txId?: number }
  | { id: number; ok: false; error: SerializedDbError };

export type WorkerEvent =
  | { type: 'ready'; openMs: number; migrateMs: number }
  | { type: 'fatal'; error: SerializedDbError };

export function serializeDbError(err: unknown): SerializedDbError {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & Record<string, unknown>;
  const out: SerializedDbError = { message: e.message };
  for (const key of ['code', 'detail', 'constraint', 'table', 'column', 'hint'] as const) {
    const v = e[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}
