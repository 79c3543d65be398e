/**
 * Owns the PGlite instance. PGlite runs every query synchronously on the thread that owns it,
 * so it lives here, off the main thread's event loop. Started by worker-client.ts only.
 */
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { DB_INIT_ENV } from './db-channel.js';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import {
  serializeDbError,
  type WorkerEvent,
  type WorkerInit,
  type WorkerRequest,
  type WorkerResponse,
} from './worker-protocol.js';

// Date-like values go back as the server's text, exactly as drizzle's own pglite driver asks,
// so drizzle's column mappers (and the repositories' raw queries) see what node-postgres gives.
const keepText = (value: string) => value;
const parsers = {
  [types.TIMESTAMP]: keepText,
  [types.TIMESTAMPTZ]: keepText,
  [types.INTERVAL]: keepText,
  [types.DATE]: keepText,
  1231: keepText, // numeric[]
  1115: keepText, // timestamp[]
  1185: keepText, // timestamptz[]
  1187: keepText, // interval[]
  1182: keepText, // date[]
};

interface OpenTransaction {
  tx: Transaction;
  finish: (commit: boolean) => void;
  done: Promise<void>;
}

async function main(): Promise<void> {
  const port = parentPort ?? childProcessPort();
  if (!port) throw new Error('pglite-worker runs in a worker thread or a forked child process');
  const init = (parentPort ? workerData : JSON.parse(process.env[DB_INIT_ENV] ?? 'null')) as WorkerInit;
  const emit = (event: WorkerEvent) => port.postMessage(event);

  let pg: PGlite;
  const t0 = performance.now();
  try {
    if (init.pgDataDir !== null) mkdirSync(init.pgDataDir, { recursive: true });
    pg = await PGlite.create({
      ...(init.pgDataDir !== null ? { dataDir: init.pgDataDir } : {}),
      // The WAL grows to 1 GB by default; a desktop app should not keep that around.
      // Memory: PGlite's defaults put an idle gateway near 300 MB RSS; these keep it near 150 MB
      // while leaving enough buffers for the metrics queries (measured in npm run bench).
      postgresqlconf: [
        'max_wal_size = 64MB',
        'min_wal_size = 32MB',
        'shared_buffers = 16MB',
        'wal_buffers = 512kB',
        'work_mem = 4MB',
        'maintenance_work_mem = 16MB',
      ],
    });
  } catch (err) {
    emit({ type: 'fatal', error: serializeDbError(err) });
    return;
  }
  const t1 = performance.now();
  try {
    await migrate(drizzle(pg), { migrationsFolder: init.migrationsFolder });
  } catch (err) {
    emit({ type: 'fatal', error: serializeDbError(err) });
    await pg.close().catch(() => undefined);
    return;
  }
  const t2 = performance.now();

  const txs = new Map<number, OpenTransaction>();
  let nextTxId = 0;

  const handle = async (req: WorkerRequest): Promise<Omit<WorkerResponse & { ok: true }, 'id' | 'ok'>> => {
    switch (req.type) {
      case 'query': {
        const target = req.txId === null ? pg : txs.get(req.txId)?.tx;
        if (!target) throw new Error(`transaction ${req.txId} is not open`);
        const result = await target.query(req.sql, req.params, {
          rowMode: req.method === 'all' ? 'array' : 'object',
          parsers,
        });
        return { rows: result.rows };
      }
      case 'begin': {
        // PGlite's transaction() holds its transaction lock until the callback returns, so no
        // query outside this transaction can interleave with it; the callback waits for 'end'.
        const txId = ++nextTxId;
        let opened!: (open: Omit<OpenTransaction, 'done'>) => void;
        const isOpen = new Promise<Omit<OpenTransaction, 'done'>>((resolve) => (opened = resolve));
        const done = pg.transaction(async (tx) => {
          const commit = await new Promise<boolean>((finish) => opened({ tx, finish }));
          txs.delete(txId);
          if (!commit) await tx.rollback();
        });
        const open = await Promise.race([isOpen, done.then(() => null)]);
        if (!open) throw new Error('transaction ended before it started');
        txs.set(txId, { ...open, done });
        return { txId };
      }
      case 'end': {
        const open = txs.get(req.txId);
        if (!open) throw new Error(`transaction ${req.txId} is not open`);
        open.finish(req.commit);
        await open.done; // rejects if COMMIT fails (e.g. the transaction had aborted)
        return {};
      }
      case 'close': {
        for (const open of txs.values()) open.finish(false);
        await Promise.allSettled([...txs.values()].map((o) => o.done));
        await pg.close();
        return {};
      }
    }
  };

  port.on('message', (req: WorkerRequest) => {
    handle(req).then(
      (result) => port.postMessage({ id: req.id, ok: true, ...result } satisfies WorkerResponse),
      (err: unknown) => port.postMessage({ id: req.id, ok: false, error: serializeDbError(err) } satisfies WorkerResponse),
    );
  });
  emit({ type: 'ready', openMs: t1 - t0, migrateMs: t2 - t1 });
}

interface Port {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (request: WorkerRequest) => void): void;
}

/** In a forked child: messages over the IPC channel; the gateway going away ends the child. */
function childProcessPort(): Port | null {
  const send = process.send?.bind(process);
  if (!send) return null;
  process.on('disconnect', () => process.exit(0));
  return {
    postMessage: (message) => {
      if (process.connected) send(message);
    },
    on: (_event, listener) => void process.on('message', listener as (message: unknown) => void),
  };
}

void main();
