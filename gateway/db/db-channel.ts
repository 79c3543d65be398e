import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerEvent, WorkerInit, WorkerResponse } from './worker-protocol.js';

/** Where PGlite runs: a child process (default) or a worker thread of the gateway process. */
export type DbIsolation = 'process' | 'thread';

/** The few things the client needs of a worker thread or a child process. */
export interface DbChannel {
  on(event: 'message', listener: (message: WorkerResponse | WorkerEvent) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number | null) => void): void;
  off(event: 'message', listener: (message: WorkerResponse | WorkerEvent) => void): void;
  off(event: 'error', listener: (error: Error) => void): void;
  off(event: 'exit', listener: (code: number | null) => void): void;
  postMessage(message: unknown): void;
  terminate(): Promise<unknown>;
}

type Listener = (arg: never) => void;

export const DB_INIT_ENV = 'MCP_GATEWAY_DB_INIT';

const runningFromSource = import.meta.url.endsWith('.ts');

/**
 * Starts the PGlite host. Both keep every query off the gateway's event loop; a child process
 * also keeps PGlite's WASM heap (150 MB and more, never returned) out of the gateway's memory,
 * and a crash of the database out of the gateway.
 */
export function openDbChannel(init: WorkerInit, isolation: DbIsolation): DbChannel {
  return isolation === 'process' ? spawnChild(init) : spawnThread(init);
}

/**
 * In a packaged desktop app, code that a child process must load from disk lives in
 * app.asar.unpacked (electron-builder `asarUnpack`); elsewhere the path is returned unchanged.
 */
export function unpackedPath(path: string): string {
  const unpacked = path.replace(`${sep}app.asar${sep}`, `${sep}app.asar.unpacked${sep}`);
  return unpacked !== path && existsSync(unpacked) ? unpacked : path;
}

function spawnChild(init: WorkerInit): DbChannel {
  const entry = unpackedPath(fileURLToPath(new URL(runningFromSource ? './pglite-worker.ts' : './pglite-worker.js', import.meta.url)));
  const child = fork(entry, [], {
    serialization: 'advanced',
    execArgv: runningFromSource ? ['--import', 'tsx'] : [],
    // Inside Electron, execPath is the app binary: ELECTRON_RUN_AS_NODE makes it plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', [DB_INIT_ENV]: JSON.stringify(init) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const on = (event: string, listener: Listener): void => void child.on(event, listener as (arg: unknown) => void);
  const off = (event: string, listener: Listener): void => void child.off(event, listener as (arg: unknown) => void);
  return {
    on,
    off,
    postMessage: (message: unknown) => {
      if (child.connected) child.send(message as never);
    },
    terminate: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  } as DbChannel;
}

function spawnThread(init: WorkerInit): DbChannel {
  if (!runningFromSource) return new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData: init }) as unknown as DbChannel;
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./pglite-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init }) as unknown as DbChannel;
}
