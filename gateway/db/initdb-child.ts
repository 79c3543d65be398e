import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { unpackedPath } from './db-channel.js';

/**
 * Runs PGlite's first-time initdb in a short-lived child process. initdb leaves the process
 * that ran it near 800 MB RSS (WASM memory is never returned); doing it in a child and then
 * opening the finished data dir in the long-lived worker keeps the gateway's footprint small.
 */
export async function initdbIfNeeded(pgDataDir: string): Promise<boolean> {
  if (existsSync(join(pgDataDir, 'PG_VERSION'))) return false;
  mkdirSync(pgDataDir, { recursive: true });
  const pglite = pathToFileURL(unpackedPath(fileURLToPath(import.meta.resolve('@electric-sql/pglite')))).href;
  const script = `const { PGlite } = await import(${JSON.stringify(pglite)});
const pg = await PGlite.create({ dataDir: process.argv[1] });
await pg.close();`;
  await new Promise<void>((resolve, reject) => {
    // Inside Electron, execPath is the app binary: ELECTRON_RUN_AS_NODE makes it plain Node.
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    execFile(process.execPath, ['--input-type=module', '-e', script, pgDataDir], { timeout: 120_000, env }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`initdb of ${pgDataDir} failed: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
  return true;
}
