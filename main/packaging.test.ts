import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile, access } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listPackage } from '@electron/asar';
import { describe, expect, it } from 'vitest';

/**
 * electron-builder.yml checked offline: `--linux dir` with a stand-in electronDist (the Electron
 * binary cannot be downloaded here) packs the app and its asar exactly as a real build would.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code) => resolve({ code, out }));
  });
}

describe('electron-builder packaging config', () => {
  it('packs main, preload, the gateway, the built UI and migrations; unpacks what workers load', { timeout: 180_000 }, async () => {
    for (const built of ['dist/main/main.js', 'dist/preload/preload.cjs', 'renderer/dist/index.html']) {
      if (!existsSync(path.join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'mcp-gw-pack-'));
    try {
      const dist = path.join(dir, 'electron-dist');
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dist);
      await writeFile(path.join(dist, 'electron'), '#!/bin/sh\necho "stand-in electron"\n');
      await chmod(path.join(dist, 'electron'), 0o755);
      await writeFile(path.join(dist, 'version'), '45.6.1');
      const out = path.join(dir, 'out');
      const builder = path.join(root, 'node_modules', 'electron-builder', 'cli.js');
      const result = await run(process.execPath, [builder, '--linux', 'dir', `-c.electronDist=${dist}`, `-c.directories.output=${out}`], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CI: 'true' });
      expect(result.code, result.out).toBe(0);

      const app = path.join(out, 'linux-unpacked');
      await access(path.join(app, 'mcp-gateway-desktop'));
      const files = new Set(listPackage(path.join(app, 'resources', 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/')));
      for (const required of [
        '/package.json',
        '/dist/main/main.js',
        '/dist/main/app.js',
        '/dist/preload/preload.cjs',
        '/dist/gateway/host/gateway.js',
        '/dist/gateway/http/static-ui.js',
        '/renderer/dist/index.html',
        '/main/assets/tray.png',
        '/bin/mcp-gateway.js',
        '/node_modules/zod/package.json',
        '/node_modules/@modelcontextprotocol/sdk/package.json',
      ]) {
        expect(files.has(required), `${required} in app.asar`).toBe(true);
      }
      expect([...files].some((f) => /^\/migrations\/.+\.sql$/.test(f))).toBe(true);
      expect([...files].some((f) => /^\/renderer\/dist\/assets\/index-.+\.js$/.test(f))).toBe(true);
      // Nothing that only tests or development need.
      expect([...files].filter((f) => f.startsWith('/e2e') || f.startsWith('/dist/e2e') || f.startsWith('/renderer/src') || f.startsWith('/dist/gateway/testing'))).toEqual([]);
      expect([...files].filter((f) => /\.(ts|tsx)$/.test(f) && !f.startsWith('/node_modules/') && !f.endsWith('.d.ts'))).toEqual([]);
      expect([...files].filter((f) => f.startsWith('/node_modules/electron/') || f.startsWith('/node_modules/vite/') || f.startsWith('/node_modules/react/'))).toEqual([]);
      // Unpacked: the PGlite worker and what it loads.
      const unpacked = path.join(app, 'resources', 'app.asar.unpacked');
      await access(path.join(unpacked, 'dist', 'gateway', 'db', 'pglite-worker.js'));
      await access(path.join(unpacked, 'node_modules', '@electric-sql', 'pglite', 'package.json'));
      await access(path.join(unpacked, 'node_modules', 'drizzle-orm', 'package.json'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
