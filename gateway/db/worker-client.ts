import { initdbIfNeeded } from './initdb-child.js';
import { openDbChannel, type DbChannel, type DbIsolation } from './db-channel.js';
import type {
  QueryMethod,
  SerializedDbError,
  WorkerEvent,
  WorkerInit,
  WorkerRequest,
  WorkerResponse,
} from './worker-protocol.js';

/** A PostgreSQL error re-created on the main thread (`code` is the SQLSTATE, e.g. 23505). */
export class DbError extends Error {
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly constraint: string | undefined;

  constructor(e: SerializedDbError) {
    super(e.message);
    this.name = 'DbError';
    this.code = e.code;
    this.detail = e.detail;
    this.constraint = e.constraint;
  }
}

type Pending = { resolve: (r: WorkerResponse & { ok: true }) => void; reject: (e: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The main thread's handle on the PGlite worker: request/response over postMessage. */
export class PgliteWorkerClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;

  private constructor(private readonly worker: DbChannel) {
    worker.on('message', (msg: WorkerResponse | WorkerEvent) => {
      if (!('id' in msg)) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg);
      else p.reject(new DbError(msg.error));
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`database worker exited (code ${code})`)));
  }

  /** Starts the worker and waits until the database is open and migrated. */
  static async start(
    init: WorkerInit,
    isolation: DbIsolation = 'process',
  ): Promise<{ client: PgliteWorkerClient; openMs: number; migrateMs: number }> {
    if (init.pgDataDir !== null) await initdbIfNeeded(init.pgDataDir);
    const worker = openDbChannel(init, isolation);
    const ready = await new Promise<WorkerEvent & { type: 'ready' }>((resolve, reject) => {
      const onMessage = (msg: WorkerEvent | WorkerResponse) => {
        if (!('type' in msg)) return;
        cleanup();
        if (msg.type === 'ready') resolve(msg);
        else reject(new DbError({ ...msg.error, message: `cannot open the database: ${msg.error.message}` }));
      };
      const onError = (err: Error) => (cleanup(), reject(err));
      const onExit = (code: number | null) => (cleanup(), reject(new Error(`database worker exited during start (code ${code})`)));
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return { client: new PgliteWorkerClient(worker), openMs: ready.openMs, migrateMs: ready.migrateMs };
  }

  async query(sql: string, params: unknown[], method: QueryMethod, txId: number | null): Promise<{ rows: unknown[] }> {
    const res = await this.request({ type: 'query', sql, params, method, txId });
    return { rows: res.rows ?? [] };
  }

  /** Opens a transaction in the worker; waits while another transaction is open. */
  async begin(): Promise<number> {
    const res = await this.request({ type: 'begin' });
    if (res.txId === undefined) throw new Error('database worker did not return a transaction id');
    return res.txId;
  }

  async end(txId: number, commit: boolean): Promise<void> {
    await this.request({ type: 'end', txId, commit });
  }

  /** Closes PGlite (flushing it to disk) and stops the worker. Idempotent. */
  async close(): Promise<void> {
    if (this.failure) return;
    try {
      await this.request({ type: 'close' });
    } finally {
      this.failure = new Error('database is closed');
      await this.worker.terminate();
    }
  }

  private request(body: DistributiveOmit<WorkerRequest, 'id'>): Promise<WorkerResponse & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/**
 * From dist the worker is plain JS. Under vitest/tsx this module is the .ts source, so the worker
 * is too: on Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's entry module
 * (ERR_UNKNOWN_FILE_EXTENSION), so a tiny eval'd bootstrap registers tsx, then imports it.
 */
