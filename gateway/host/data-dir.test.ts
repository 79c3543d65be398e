import { mkdtemp, readFile, rm, stat, chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireDataDirLock,
  adminTokenPath,
  DataDirLockedError,
  isProcessAlive,
  defaultDataDir,
  loadOrCreateAdminToken,
  readAdminToken,
  readRuntimeFile,
  removeRuntimeFile,
  resolveDataDir,
  writeRuntimeFile,
} from './data-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gw-data-dir-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A pid that belongs to no running process (checked, not assumed). */
function deadPid(): number {
  for (let pid = 4_000_000; pid > 1; pid--) if (!isProcessAlive(pid)) return pid;
  throw new Error('no free pid');
}

describe('defaultDataDir', () => {
  it('follows each platform convention', () => {
    expect(defaultDataDir({}, { platform: 'linux', homedir: '/home/ann' })).toBe('/home/ann/.local/share/mcp-gateway');
    expect(defaultDataDir({ XDG_DATA_HOME: '/xdg' }, { platform: 'linux', homedir: '/home/ann' })).toBe('/xdg/mcp-gateway');
    // The XDG spec says relative values are to be ignored.
    expect(defaultDataDir({ XDG_DATA_HOME: 'rel' }, { platform: 'linux', homedir: '/home/ann' })).toBe(
      '/home/ann/.local/share/mcp-gateway',
    );
    expect(defaultDataDir({}, { platform: 'darwin', homedir: '/Users/ann' })).toBe(
      '/Users/ann/Library/Application Support/mcp-gateway',
    );
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, { platform: 'win32', homedir: 'C:\\Users\\ann' })).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\mcp-gateway',
    );
    expect(defaultDataDir({}, { platform: 'win32', homedir: 'C:\\Users\\ann' })).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\mcp-gateway',
    );
  });

  it('resolves flag > MCP_GATEWAY_DATA_DIR > default', () => {
    const info = { platform: 'linux' as const, homedir: '/home/ann', cwd: '/work' };
    expect(resolveDataDir({ ...info, env: {} })).toBe('/home/ann/.local/share/mcp-gateway');
    expect(resolveDataDir({ ...info, env: { MCP_GATEWAY_DATA_DIR: 'env-dir' } })).toBe('/work/env-dir');
    expect(resolveDataDir({ ...info, flag: '/flag', env: { MCP_GATEWAY_DATA_DIR: '/env' } })).toBe('/flag');
    expect(resolveDataDir({ ...info, flag: '~/gw', env: {} })).toBe('/home/ann/gw');
  });
});

describe('acquireDataDirLock', () => {
  it('refuses a second lock with a message naming the holder, and allows it after release', async () => {
    const release = await acquireDataDirLock(dir);
    expect(await readFile(path.join(dir, 'gateway.lock'), 'utf8')).toBe(`${process.pid}\n`);

    const second = acquireDataDirLock(dir);
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(acquireDataDirLock(dir)).rejects.toThrow(
      `another gateway (pid ${process.pid}) is using ${dir}; stop it or pass --data-dir`,
    );

    release();
    release(); // idempotent
    const again = await acquireDataDirLock(dir);
    again();
  });

  it('refuses a lock held by another live process', async () => {
    // pid 1 always exists (EPERM when it is not ours still means alive).
    await writeFile(path.join(dir, 'gateway.lock'), '1\n');
    await expect(acquireDataDirLock(dir)).rejects.toThrow('another gateway (pid 1)');
  });

  it('takes over a stale lock whose process is gone', async () => {
    const stale = deadPid();
    await writeFile(path.join(dir, 'gateway.lock'), `${stale}\n`);
    const release = await acquireDataDirLock(dir);
    expect(await readFile(path.join(dir, 'gateway.lock'), 'utf8')).toBe(`${process.pid}\n`);
    release();
    await expect(stat(path.join(dir, 'gateway.lock'))).rejects.toThrow();
  });

  it('takes over an empty or garbage lock file (crash between create and write)', async () => {
    await writeFile(path.join(dir, 'gateway.lock'), '');
    (await acquireDataDirLock(dir))();
    await writeFile(path.join(dir, 'gateway.lock'), 'not a pid');
    (await acquireDataDirLock(dir))();
  });

  it('does not remove a lock that another process took after ours was released', async () => {
    const release = await acquireDataDirLock(dir);
    await writeFile(path.join(dir, 'gateway.lock'), '1\n'); // someone else's now
    release();
    expect(await readFile(path.join(dir, 'gateway.lock'), 'utf8')).toBe('1\n');
  });

  it('creates a missing data dir with mode 0700', async () => {
    const nested = path.join(dir, 'a', 'b');
    (await acquireDataDirLock(nested))();
    if (process.platform !== 'win32') expect((await stat(nested)).mode & 0o777).toBe(0o700);
  });
});

describe('admin token', () => {
  it('creates a 256-bit hex token with mode 0600 and returns the same one later', async () => {
    const token = await loadOrCreateAdminToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    if (process.platform !== 'win32') expect((await stat(adminTokenPath(dir))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateAdminToken(dir)).toBe(token);
    expect(await readAdminToken(dir)).toBe(token);
  });

  it('repairs a too-open file mode', async () => {
    const token = await loadOrCreateAdminToken(dir);
    await chmod(adminTokenPath(dir), 0o644);
    expect(await loadOrCreateAdminToken(dir)).toBe(token);
    if (process.platform !== 'win32') expect((await stat(adminTokenPath(dir))).mode & 0o777).toBe(0o600);
  });

  it('replaces an empty token file', async () => {
    await writeFile(adminTokenPath(dir), '\n', { mode: 0o600 });
    expect(await loadOrCreateAdminToken(dir)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads nothing (and creates nothing) when there is no token file', async () => {
    expect(await readAdminToken(dir)).toBeNull();
    await expect(stat(adminTokenPath(dir))).rejects.toThrow();
  });
});

describe('runtime file', () => {
  it('round-trips and is removed only by its owner', async () => {
    expect(await readRuntimeFile(dir)).toBeNull();
    await writeRuntimeFile(dir, { url: 'http://127.0.0.1:7337', pid: 42 });
    expect(await readRuntimeFile(dir)).toEqual({ url: 'http://127.0.0.1:7337', pid: 42 });
    await removeRuntimeFile(dir, 43);
    expect(await readRuntimeFile(dir)).not.toBeNull();
    await removeRuntimeFile(dir, 42);
    expect(await readRuntimeFile(dir)).toBeNull();
  });

  it('treats a corrupt runtime file as absent', async () => {
    await writeFile(path.join(dir, 'runtime.json'), '{"url": ');
    expect(await readRuntimeFile(dir)).toBeNull();
  });
});
