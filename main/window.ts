import type { BrowserWindowConstructorOptions } from 'electron';
import type { ElectronApi, WindowLike } from './electron-api.js';

export interface WindowOptions {
  preload: string;
  icon?: string;
}

/** Secure defaults (Electron security checklist): isolated, sandboxed, no Node in the page. */
export function windowOptions(options: WindowOptions): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 860,
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'MCP Gateway',
    backgroundColor: '#f6f7f9',
    autoHideMenuBar: true,
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** Permissions the UI may use: writing to the clipboard (copy buttons). Everything else is denied. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/**
 * Opens the UI window on the gateway's own origin (which serves the UI with a strict CSP).
 * Navigation away from that origin and every `window.open` are denied.
 */
export function createMainWindow(electron: Pick<ElectronApi, 'BrowserWindow'>, options: WindowOptions, uiOrigin: () => string | null): WindowLike {
  const win = new electron.BrowserWindow(windowOptions(options));
  const contents = win.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const guard = (event: { preventDefault(): void }, url: string): void => {
    if (!isSameOrigin(url, uiOrigin())) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_wc, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  contents.session.setPermissionCheckHandler((_wc, permission) => ALLOWED_PERMISSIONS.has(permission));
  return win;
}

export function isSameOrigin(url: string, origin: string | null): boolean {
  if (!origin) return false;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
