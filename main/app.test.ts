import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GatewayConfig } from '../gateway/config/schema.js';
import { EventHub } from '../gateway/http/event-hub.js';
import { startDesktop } from './app.js';
import type { ElectronApi } from './electron-api.js';

/**
 * Lifecycle of the desktop app with Electron mocked: single instance, window with secure
 * defaults on the gateway's origin, tray, hidden start, second instance, graceful quit.
 */
let userData: string;
beforeEach(async () => {
  userData = await mkdtemp(path.join(tmpdir(), 'mcp-gw-app-'));
});
afterEach(async () => {
  await rm(userData, { recursive: true, force: true });
});

function mockElectron(options: { lock?: boolean } = {}) {
  const appListeners = new Map<string, Array<(...args: unknown[]) => void>>();
  const windows: Array<{ options: Record<string, unknown>; loadURL: ReturnType<typeof vi.fn>; show: ReturnType<typeof vi.fn>; focus: ReturnType<typeof vi.fn>; contents: Record<string, unknown> }> = [];
  const trays: Array<{ tooltip: string; menu: unknown; destroy: ReturnType<typeof vi.fn> }> = [];
  const electron = {
    app: {
      isPackaged: true,
      requestSingleInstanceLock: vi.fn(() => options.lock ?? true),
      whenReady: vi.fn(async () => undefined),
      quit: vi.fn(),
      exit: vi.fn(),
      getPath: vi.fn(() => userData),
      getVersion: () => '1.0.0',
      setLoginItemSettings: vi.fn(),
      on: vi.fn((event: string, listener: (...args: unknown[]) => void) => {
        appListeners.set(event, [...(appListeners.get(event) ?? []), listener]);
      }),
    },
    BrowserWindow: vi.fn(function (this: unknown, windowOptions: Record<string, unknown>) {
      const listeners = new Map<string, () => void>();
      const contents = {
        id: windows.length + 1,
        send: vi.fn(),
        isDestroyed: () => false,
        setWindowOpenHandler: vi.fn(),
        on: vi.fn(),
        session: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() },
      };
      const win = {
        options: windowOptions,
        webContents: contents,
        contents,
        loadURL: vi.fn(async () => listeners.get('ready-to-show')?.()),
        show: vi.fn(),
        hide: vi.fn(),
        focus: vi.fn(),
        isMinimized: () => false,
        restore: vi.fn(),
        isDestroyed: () => false,
        on: vi.fn((event: string, listener: () => void) => void listeners.set(event, listener)),
        once: vi.fn((event: string, listener: () => void) => void listeners.set(event, listener)),
      };
      windows.push(win);
      return win;
    }),
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    Tray: vi.fn(function () {
      const tray = { tooltip: '', menu: null as unknown, destroy: vi.fn(), setToolTip: (t: string) => void (tray.tooltip = t), setContextMenu: (m: unknown) => void (tray.menu = m), on: vi.fn() };
      trays.push(tray);
      return tray;
    }),
    Menu: { buildFromTemplate: vi.fn((template: unknown) => ({ template })) },
    nativeImage: { createFromPath: vi.fn((p: string) => ({ path: p })) },
    clipboard: { writeText: vi.fn() },
    safeStorage: { isEncryptionAvailable: () => true, encryptString: (s: string) => Buffer.from(s), decryptString: (b: Buffer) => b.toString() },
  };
  const emit = (event: string, ...args: unknown[]) => {
    for (const listener of appListeners.get(event) ?? []) listener(...args);
  };
  return { electron: electron as unknown as ElectronApi, mock: electron, windows, trays, emit };
}

function fakeCreateGateway() {
  const stops: string[] = [];
  const configs: GatewayConfig[] = [];
  const createGateway = vi.fn(async (config: GatewayConfig) => {
    configs.push(config);
    return {
      url: 'http://127.0.0.1:7337',
      adminToken: 'secret-admin-token',
      dispatch: vi.fn(async (method: string) => {
        if (method === 'gateway.status') return { ok: true as const, value: { servers: { total: 1, ready: 1, failed: 0 } } };
        if (method === 'presets.list') return { ok: true as const, value: { items: [{ slug: 'dev', name: 'Dev', url: 'http://127.0.0.1:7337/mcp/dev' }] } };
        return { ok: true as const, value: { rows: [{ errors: 2, timeouts: 1 }] } };
      }),
      events: new EventHub(),
      stop: vi.fn(async () => void stops.push('stopped')),
    };
  });
  return { createGateway, stops, configs };
}

describe('desktop app lifecycle (electron mocked)', () => {
  it('quits at once when another instance holds the lock', async () => {
    const { electron, mock } = mockElectron({ lock: false });
    const { createGateway } = fakeCreateGateway();
    expect(await startDesktop(electron, { argv: [], env: {}, createGateway, root: userData })).toBeNull();
    expect(mock.app.quit).toHaveBeenCalled();
    expect(createGateway).not.toHaveBeenCalled();
  });

  it('starts the gateway under user data, opens a secure window on its origin, and builds the tray', async () => {
    const { electron, mock, windows, trays } = mockElectron();
    const { createGateway, configs } = fakeCreateGateway();
    const desktop = await startDesktop(electron, { argv: [], env: {}, createGateway, root: '/opt/app' });
    expect(configs[0]).toMatchObject({ dataDir: path.join(userData, 'gateway'), host: '127.0.0.1', port: 7337 });
    expect(windows).toHaveLength(1);
    const prefs = windows[0]?.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, preload: '/opt/app/dist/preload/preload.cjs' });
    expect(windows[0]?.loadURL).toHaveBeenCalledWith('http://127.0.0.1:7337/');
    // The admin token never reaches the window: not in the URL, not in preferences.
    expect(JSON.stringify(windows[0]?.options)).not.toContain('secret-admin-token');
    expect(String(windows[0]?.loadURL.mock.calls[0])).not.toContain('secret-admin-token');
    expect(windows[0]?.show).toHaveBeenCalled();
    expect(mock.ipcMain.handle).toHaveBeenCalledWith('gw:call', expect.any(Function));
    expect(mock.nativeImage.createFromPath).toHaveBeenCalledWith('/opt/app/main/assets/tray.png');
    expect(trays[0]?.tooltip).toBe('MCP Gateway on port 7337, 1/1 servers up, 3 errors in the last hour');
    expect(mock.app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: false, args: ['--hidden'] });
    await desktop?.quit();
  });

  it('starts hidden in the tray with --hidden, and a second launch shows the window', async () => {
    const { electron, windows, emit } = mockElectron();
    const { createGateway } = fakeCreateGateway();
    const desktop = await startDesktop(electron, { argv: ['electron', '.', '--hidden'], env: {}, createGateway, root: userData });
    expect(windows).toHaveLength(0);
    emit('second-instance');
    expect(windows).toHaveLength(1);
    emit('second-instance');
    expect(windows).toHaveLength(1);
    expect(windows[0]?.focus).toHaveBeenCalled();
    await desktop?.quit();
  });

  it('quitting stops the gateway (flushing metrics) before the app exits', async () => {
    const { electron, mock, trays, emit } = mockElectron();
    const { createGateway, stops } = fakeCreateGateway();
    await startDesktop(electron, { argv: [], env: {}, createGateway, root: userData });
    const event = { preventDefault: vi.fn() };
    emit('before-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(mock.app.quit).toHaveBeenCalled());
    expect(stops).toEqual(['stopped']);
    expect(trays[0]?.destroy).toHaveBeenCalled();
    // The second before-quit (from app.quit) goes through.
    const again = { preventDefault: vi.fn() };
    emit('before-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });

  it('closing the window keeps the app and the gateway running in the tray', async () => {
    const { electron, mock, emit } = mockElectron();
    const { createGateway, stops } = fakeCreateGateway();
    const desktop = await startDesktop(electron, { argv: [], env: {}, createGateway, root: userData });
    emit('window-all-closed');
    expect(mock.app.quit).not.toHaveBeenCalled();
    expect(stops).toEqual([]);
    await desktop?.quit();
  });
});

describe('when the gateway cannot start', () => {
  it('keeps the app up, explains it in the window and offers Resume in the tray', async () => {
    const { electron, windows, trays } = mockElectron();
    const createGateway = vi.fn(async () => {
      throw new Error('the data dir is used by another gateway (pid 99)');
    });
    const desktop = await startDesktop(electron, { argv: [], env: {}, createGateway, root: userData });
    expect(desktop?.controller.state).toBe('failed');
    const url = String(windows[0]?.loadURL.mock.calls[0]?.[0]);
    expect(url.startsWith('data:text/html')).toBe(true);
    expect(decodeURIComponent(url)).toContain('the data dir is used by another gateway (pid 99)');
    expect(decodeURIComponent(url)).not.toContain('<script');
    const menu = trays[0]?.menu as { template: Array<{ label?: string }> };
    expect(menu.template.map((t) => t.label)).toContain('Resume gateway');
    await desktop?.quit();
  });
});
