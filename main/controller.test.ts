import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gatewayConfigSchema, type GatewayConfig } from '../gateway/config/schema.js';
import type { Gateway } from '../gateway/host/gateway.js';
import { EventHub } from '../gateway/http/event-hub.js';
import { DesktopGateway } from './controller.js';
import { defaultSettings, loadSettings, mergeSettings, needsRestart, saveSettings, settingsFile, toGatewayConfig } from './settings.js';
import { loadSafeStorageKey, SAFE_KEY_FILE } from './secret-key.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mcp-gw-main-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeGateways() {
  const made: Array<{ config: GatewayConfig; gateway: Gateway & { events: EventHub }; stopped: boolean; secretKey: Buffer | undefined }> = [];
  let failWith: Error | null = null;
  const createGateway = vi.fn(async (config: GatewayConfig, options: { secretKey?: Buffer }) => {
    if (failWith && config.port !== 0) throw failWith;
    const entry = {
      config,
      stopped: false,
      secretKey: options.secretKey,
      gateway: {
        url: `http://127.0.0.1:${config.port === 0 ? 50000 + made.length : config.port}`,
        adminToken: 't',
        dispatch: vi.fn(async (method: string) => ({ ok: true as const, value: { method, n: made.length } })),
        events: new EventHub(),
        stop: vi.fn(async () => {
          entry.stopped = true;
        }),
      },
    };
    made.push(entry);
    return entry.gateway;
  });
  return { made, createGateway, failNext: (error: Error | null) => void (failWith = error) };
}

const config = (extra: Partial<GatewayConfig> = {}): GatewayConfig => gatewayConfigSchema.parse({ dataDir: path.join(dir, 'data'), port: 7444, ...extra });

describe('DesktopGateway lifecycle', () => {
  it('starts, serves calls, pauses with a clear error, resumes and stops cleanly', async () => {
    const { made, createGateway } = fakeGateways();
    const key = Buffer.alloc(32, 7);
    const states: string[] = [];
    const controller = new DesktopGateway(config(), { createGateway, secretKey: async () => key, log: () => undefined, pid: 4242 });
    controller.onState((s) => states.push(s));
    await controller.start();
    expect(controller.url).toBe('http://127.0.0.1:7444');
    expect(made[0]?.secretKey).toBe(key);
    // CLI commands find the desktop gateway through the runtime file, as they find `serve`.
    expect(JSON.parse(await readFile(path.join(dir, 'data', 'runtime.json'), 'utf8'))).toEqual({ url: 'http://127.0.0.1:7444', pid: 4242 });
    await expect(controller.dispatch('servers.list', {})).resolves.toMatchObject({ ok: true });

    await controller.pause();
    expect(made[0]?.stopped).toBe(true);
    expect(controller.state).toBe('paused');
    await expect(controller.dispatch('servers.list', {})).resolves.toEqual({ ok: false, error: { code: 'unavailable', message: 'the gateway is paused; resume it from the tray menu' } });
    // The data-dir lock is released while paused: another gateway could open it.
    const { acquireDataDirLock } = await import('../gateway/host/data-dir.js');
    (await acquireDataDirLock(path.join(dir, 'data'), { pid: 1 }))();

    await controller.resume();
    expect(made).toHaveLength(2);
    await controller.stop();
    expect(made[1]?.stopped).toBe(true);
    await expect(readFile(path.join(dir, 'data', 'runtime.json'), 'utf8')).rejects.toThrow();
    expect(states).toEqual(['starting', 'running', 'stopping', 'paused', 'starting', 'running', 'stopping', 'stopped']);
  });

  it('keeps event listeners across restarts and applies the new config', async () => {
    const { made, createGateway } = fakeGateways();
    const controller = new DesktopGateway(config(), { createGateway, secretKey: async () => undefined, log: () => undefined });
    const seen: unknown[] = [];
    controller.onEvent((name, payload) => seen.push([name, payload]));
    await controller.start();
    made[0]?.gateway.events.emit('preset.changed', { slug: 'a' });
    await controller.restart(config({ port: 7555, defaultToolTimeoutMs: 1234 }));
    made[0]?.gateway.events.emit('preset.changed', { slug: 'stale' });
    made[1]?.gateway.events.emit('preset.changed', { slug: 'b' });
    expect(seen).toEqual([
      ['preset.changed', { slug: 'a' }],
      ['preset.changed', { slug: 'b' }],
    ]);
    expect(made[1]?.config).toMatchObject({ port: 7555, defaultToolTimeoutMs: 1234 });
    expect(controller.url).toBe('http://127.0.0.1:7555');
    await controller.stop();
  });

  it('falls back to a free port when the configured one is taken, and says so', async () => {
    const { made, createGateway, failNext } = fakeGateways();
    failNext(new Error('port 7444 on 127.0.0.1 is already in use (pass --port to pick another)'));
    const log = vi.fn();
    const controller = new DesktopGateway(config(), { createGateway, secretKey: async () => undefined, log });
    await controller.start();
    expect(made[0]?.config.port).toBe(0);
    expect(controller.portNote).toBe('port 7444 is in use; running on 50000 instead');
    expect(log).toHaveBeenCalledWith(controller.portNote);
    await controller.stop();
  });

  it('reports a failed start, releases the lock and can start later', async () => {
    const createGateway = vi.fn(async () => {
      throw new Error('database is damaged');
    });
    const controller = new DesktopGateway(config(), { createGateway, secretKey: async () => undefined, log: () => undefined });
    await expect(controller.start()).rejects.toThrow('database is damaged');
    expect(controller.state).toBe('failed');
    await expect(controller.dispatch('servers.list', {})).resolves.toMatchObject({ ok: false, error: { code: 'unavailable', message: 'the gateway is not running: database is damaged' } });
    const { acquireDataDirLock } = await import('../gateway/host/data-dir.js');
    (await acquireDataDirLock(path.join(dir, 'data'), { pid: 1 }))();
  });
});

describe('desktop settings', () => {
  it('defaults come from the gateway config schema, with the data dir under user data', () => {
    const defaults = defaultSettings(dir);
    expect(defaults).toMatchObject({ host: '127.0.0.1', port: 7337, dataDir: path.join(dir, 'gateway'), defaultToolTimeoutMs: 30_000, launchAtLogin: false });
    expect(toGatewayConfig(defaults)).toMatchObject({ port: 7337, dataDir: path.join(dir, 'gateway'), configFile: null });
  });

  it('loads saved settings over the defaults and survives a damaged file', async () => {
    expect(await loadSettings(dir)).toEqual(defaultSettings(dir));
    await saveSettings(dir, mergeSettings(defaultSettings(dir), { port: 0, launchAtLogin: true }));
    expect(await loadSettings(dir)).toMatchObject({ port: 0, launchAtLogin: true, host: '127.0.0.1' });
    await writeFile(settingsFile(dir), '{"port": "x"');
    const log = vi.fn();
    expect(await loadSettings(dir, log)).toEqual(defaultSettings(dir));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('using defaults'));
    await expect(readFile(`${settingsFile(dir)}.broken`, 'utf8')).resolves.toBe('{"port": "x"');
  });

  it('validates changes and knows which ones need a restart', () => {
    const base = defaultSettings(dir);
    expect(() => mergeSettings(base, { port: 70000 })).toThrow(/port/);
    expect(() => mergeSettings(base, { restartBaseMs: 5000, restartMaxMs: 1000 })).toThrow('restartMaxMs: must not be below restartBaseMs');
    expect(needsRestart(base, mergeSettings(base, { launchAtLogin: true }))).toBe(false);
    expect(needsRestart(base, mergeSettings(base, { cacheMaxEntries: 10 }))).toBe(true);
  });
});

describe('safeStorage-protected secret key', () => {
  const safeStorage = {
    isEncryptionAvailable: () => true,
    encryptString: (text: string) => Buffer.from(`enc:${text}`),
    decryptString: (data: Buffer) => data.toString().replace(/^enc:/, ''),
  };

  it('creates a key once, stores it only encrypted, and reads it back', async () => {
    const data = path.join(dir, 'data');
    const first = await loadSafeStorageKey(safeStorage, data, () => undefined);
    expect(first).toHaveLength(32);
    const stored = await readFile(path.join(data, SAFE_KEY_FILE), 'utf8');
    expect(stored.startsWith('enc:')).toBe(true);
    expect(await loadSafeStorageKey(safeStorage, data, () => undefined)).toEqual(first);
  });

  it('keeps using a headless data dir’s plain key, and falls back when the OS has no encryption', async () => {
    const data = path.join(dir, 'data');
    await mkdir(data, { recursive: true });
    await writeFile(path.join(data, 'secret.key'), Buffer.alloc(32).toString('base64'));
    expect(await loadSafeStorageKey(safeStorage, data, () => undefined)).toBeUndefined();
    const log = vi.fn();
    expect(await loadSafeStorageKey({ ...safeStorage, isEncryptionAvailable: () => false }, path.join(dir, 'other'), log)).toBeUndefined();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('safeStorage is not available'));
  });
});
