import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayConfig } from '../gateway/config/schema.js';
import type { DesktopSettings, GatewayEventName } from '../gateway/contract/index.js';
import type { Gateway, GatewayOptions } from '../gateway/host/gateway.js';
import { DesktopGateway } from './controller.js';
import type { ElectronApi, TrayLike, WindowLike } from './electron-api.js';
import { createSenderCheck, forwardEvents, registerGatewayIpc } from './ipc.js';
import { loadSafeStorageKey } from './secret-key.js';
import { loadSettings, mergeSettings, needsRestart, saveSettings, settingsFile, toGatewayConfig, defaultSettings } from './settings.js';
import { toMenuTemplate, trayMenuModel, trayTooltip, type TrayAction, type TrayStatus } from './tray.js';
import { createMainWindow } from './window.js';

export interface DesktopOptions {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Default: the gateway's composition root, loaded on demand. */
  createGateway?: (config: GatewayConfig, options: GatewayOptions) => Promise<Gateway>;
  /** Folder holding dist/preload and main/assets/ (default: found from this file). */
  root?: string;
}

export interface DesktopApp {
  controller: DesktopGateway;
  showWindow(): WindowLike;
  refreshTray(): Promise<void>;
  quit(): Promise<void>;
}

const HIDDEN_FLAG = '--hidden';

function appRoot(): string {
  // dist/main/app.js → the package root (two levels up), in development and inside app.asar.
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/**
 * The desktop app: one instance, the gateway in-process with its data under the user data
 * folder, one window on the gateway's origin, one validated IPC channel, a tray with status and
 * quick actions, and a quit that stops the gateway cleanly (metrics flushed) before exiting.
 */
export async function startDesktop(electron: ElectronApi, options: DesktopOptions): Promise<DesktopApp | null> {
  const { app } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  const root = options.root ?? appRoot();
  const preload = path.join(root, 'dist', 'preload', 'preload.cjs');
  const trayIconPath = path.join(root, 'main', 'assets', 'tray.png');
  const windowIconPath = path.join(root, 'main', 'assets', 'icon.png');

  let window: WindowLike | null = null;
  let tray: TrayLike | null = null;
  let quitting = false;
  let stopped = false;
  let trayInterval: ReturnType<typeof setInterval> | null = null;

  await app.whenReady();
  const userData = app.getPath('userData');
  const logDir = path.join(userData, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, 'gateway.log');
  const log = (line: string): void => {
    const stamped = `${new Date().toISOString()} ${line}\n`;
    try {
      appendFileSync(logFile, stamped);
    } catch {
      // a full disk must not take the app down
    }
    if (!app.isPackaged) process.stderr.write(stamped);
  };

  let settings = await loadSettings(userData, log);
  applyLoginItem(electron, settings);
  const createGateway = options.createGateway ?? (async (config, gatewayOptions) => (await import('../gateway/host/gateway.js')).createGateway(config, gatewayOptions));
  const controller = new DesktopGateway(toGatewayConfig(settings), {
    createGateway,
    secretKey: (dataDir) => loadSafeStorageKey(electron.safeStorage, dataDir, log),
    log,
  });

  // The origin our window was last pointed at: IPC and navigation are trusted for it only (it
  // stays the same while the gateway is paused, so the page can still show why calls fail).
  let windowOrigin: string | null = null;
  const uiOrigin = (): string | null => windowOrigin;
  const uiUrl = (): string | null => {
    const override = options.env['MCP_GATEWAY_RENDERER_URL'];
    if (override && !app.isPackaged) return override;
    return controller.url ? `${controller.url}/` : null;
  };
  const windows = (): WindowLike[] => (window && !window.isDestroyed() ? [window] : []);

  registerGatewayIpc({
    ipcMain: electron.ipcMain,
    isTrustedSender: createSenderCheck(uiOrigin, () => windows().map((w) => w.webContents)),
    dispatch: (method, input) => controller.dispatch(method, input),
    desktop: {
      'desktop.settings.get': async () => ({ settings, defaults: defaultSettings(userData), file: settingsFile(userData) }),
      'desktop.settings.update': async ({ settings: changes }) => {
        const next = mergeSettings(settings, changes as Partial<DesktopSettings>);
        const restart = needsRestart(settings, next);
        await saveSettings(userData, next);
        const previousUrl = uiUrl();
        settings = next;
        applyLoginItem(electron, settings);
        if (restart) {
          await controller.restart(toGatewayConfig(settings));
          // A new port is a new origin: reload the window there.
          if (uiUrl() !== previousUrl) setTimeout(() => void loadUi(), 50);
        }
        void refreshTray();
        return { settings, restarted: restart, url: controller.url ?? '' };
      },
    },
    log,
  });
  forwardEvents(
    (listener) => controller.onEvent(listener),
    () => windows().map((w) => w.webContents),
  );

  const loadUi = async (): Promise<void> => {
    if (!window || window.isDestroyed()) return;
    const url = uiUrl();
    if (!url) {
      // No gateway to load the UI from: say why, in the window, instead of leaving it blank.
      windowOrigin = null;
      await window.loadURL(failurePage(controller.lastError, logFile)).catch(() => undefined);
      return;
    }
    windowOrigin = new URL(url).origin;
    await window.loadURL(url).catch((error: unknown) => log(`window: cannot load ${url}: ${String(error)}`));
  };
  const showWindow = (): WindowLike => {
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      return window;
    }
    const created = createMainWindow(electron, { preload, ...(existsSync(windowIconPath) ? { icon: windowIconPath } : {}) }, uiOrigin);
    window = created;
    created.once('ready-to-show', () => created.show());
    created.on('closed', () => {
      if (window === created) window = null;
    });
    void loadUi();
    return created;
  };

  // Tray: status and quick actions, refreshed on events and every 30 s.
  const trayStatus = async (): Promise<TrayStatus> => {
    const base: TrayStatus = { state: controller.state, url: controller.url, servers: null, errorsLastHour: null, presets: [], note: controller.portNote ?? controller.lastError };
    if (controller.state !== 'running') return base;
    const [status, presets, latency, sync] = await Promise.all([
      controller.call('gateway.status', {}),
      controller.call('presets.list', { limit: 50 }),
      controller.call('metrics.latency', { groupBy: 'preset', from: new Date(Date.now() - 3_600_000).toISOString() }),
      controller.call('sync.status', {}),
    ]);
    return {
      ...base,
      sync: sync?.configured ? { state: sync.state, pending: sync.pending, conflicts: sync.conflicts } : null,
      servers: status?.servers ?? null,
      presets: presets?.items.map((p) => ({ slug: p.slug, name: p.name, url: p.url })) ?? [],
      errorsLastHour: latency ? latency.rows.reduce((sum, r) => sum + r.errors + r.timeouts, 0) : null,
    };
  };
  const runTrayAction = (action: TrayAction): void => {
    switch (action.kind) {
      case 'open':
        showWindow();
        break;
      case 'copy':
        electron.clipboard.writeText(action.url);
        break;
      case 'pause':
        void controller.pause().finally(() => void refreshTray());
        break;
      case 'resume':
        void controller
          .resume()
          .then(() => loadUi())
          .catch((error: unknown) => log(`resume failed: ${String(error)}`))
          .finally(() => void refreshTray());
        break;
      case 'sync':
        void controller.call('sync.now', {}).finally(() => void refreshTray());
        break;
      case 'quit':
        void quit();
        break;
    }
  };
  let refreshing: Promise<void> | null = null;
  const refreshTray = async (): Promise<void> => {
    if (!tray || refreshing) return refreshing ?? undefined;
    refreshing = (async () => {
      const status = await trayStatus().catch(() => ({ state: controller.state, url: controller.url, servers: null, errorsLastHour: null, presets: [], note: null }) as TrayStatus);
      if (!tray) return;
      tray.setToolTip(trayTooltip(status));
      tray.setContextMenu(electron.Menu.buildFromTemplate(toMenuTemplate(trayMenuModel(status), runTrayAction)));
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };
  let trayTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshTraySoon = (): void => {
    if (trayTimer) return;
    trayTimer = setTimeout(() => {
      trayTimer = null;
      void refreshTray();
    }, 500);
  };
  controller.onEvent((name: GatewayEventName) => {
    if (name === 'server.status' || name === 'preset.changed' || name === 'sync.status') refreshTraySoon();
  });
  controller.onState(() => refreshTraySoon());

  const quit = async (): Promise<void> => {
    if (quitting) return;
    quitting = true;
    log('quitting: stopping the gateway');
    if (trayTimer) clearTimeout(trayTimer);
    if (trayInterval) clearInterval(trayInterval);
    try {
      await controller.stop();
    } catch (error) {
      log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    stopped = true;
    tray?.destroy();
    tray = null;
    app.quit();
  };

  app.on('second-instance', () => showWindow());
  app.on('activate', () => showWindow());
  // Closing the window keeps the gateway serving clients from the tray.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', ((event: { preventDefault(): void }) => {
    if (stopped) return;
    event.preventDefault();
    void quit();
  }) as (...args: never[]) => void);

  try {
    await controller.start();
  } catch (error) {
    log(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
  tray = new electron.Tray(electron.nativeImage.createFromPath(trayIconPath));
  tray.on('click', () => showWindow());
  await refreshTray();
  trayInterval = setInterval(() => void refreshTray(), 30_000);
  trayInterval.unref?.();

  if (!options.argv.includes(HIDDEN_FLAG)) showWindow();
  return { controller, showWindow, refreshTray, quit };
}

/** A self-contained page (no scripts) explaining why the gateway is not running. */
export function failurePage(error: string | null, logFile: string): string {
  const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>MCP Gateway</title><style>body{font:15px/1.5 system-ui,sans-serif;margin:48px;color:#1d2330;background:#f6f7f9}code{background:#e9ecf1;padding:2px 6px;border-radius:4px}</style>
<h1>The gateway is not running</h1><p>${escape(error ?? 'It could not start.')}</p>
<p>Fix the cause (for example another program on the same port, or a data folder in use by <code>mcp-gateway serve</code>), then choose <b>Resume gateway</b> in the tray menu.</p>
<p>Details are in <code>${escape(logFile)}</code>.</p>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}

function applyLoginItem(electron: ElectronApi, settings: DesktopSettings): void {
  try {
    electron.app.setLoginItemSettings({ openAtLogin: settings.launchAtLogin, args: [HIDDEN_FLAG] });
  } catch {
    // not supported on this platform (e.g. some Linux desktops): the setting is still saved
  }
}
