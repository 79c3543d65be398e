/**
 * A stand-in for the `electron` module, for running the real desktop main under plain Node
 * (the Electron binary cannot be downloaded here). Windows are Chromium pages driven by
 * playwright-core; the preload runs in the page with a `require('electron')` that carries
 * `ipcRenderer.invoke` to `ipcMain.handle` (through a Playwright binding that knows the sender
 * frame) and `webContents.send` back to `ipcRenderer.on`. The tray prints its menu on stdout and
 * takes clicks on stdin, so a test in another process can drive it.
 *
 * Environment: STANDIN_USER_DATA (required), STANDIN_CDP_PORT (remote debugging port for the
 * test to attach), STANDIN_CHROMIUM (default /usr/bin/chromium).
 */
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type BrowserContext, type Frame, type Page, type Route } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function say(kind: string, data: unknown): void {
  process.stdout.write(`standin:${kind} ${JSON.stringify(data)}\n`);
}

let browser: Browser | null = null;
let exiting = false;

async function launch(): Promise<Browser> {
  const port = process.env['STANDIN_CDP_PORT'];
  browser = await chromium.launch({
    executablePath: process.env['STANDIN_CHROMIUM'] ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...(port ? [`--remote-debugging-port=${port}`, '--remote-debugging-address=127.0.0.1'] : [])],
  });
  return browser;
}

async function shutdown(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  say('exit', { code });
  await browser?.close().catch(() => undefined);
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------
// app

class App extends EventEmitter {
  readonly isPackaged = false;
  private readonly ready: Promise<void>;
  loginItems: unknown = null;

  constructor() {
    super();
    this.ready = launch().then(() => undefined);
  }

  requestSingleInstanceLock(): boolean {
    return true;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  getPath(name: string): string {
    const userData = process.env['STANDIN_USER_DATA'];
    if (!userData) throw new Error('STANDIN_USER_DATA is not set');
    if (name === 'userData') return userData;
    return join(userData, name);
  }

  getVersion(): string {
    return '0.0.0-standin';
  }

  setLoginItemSettings(settings: unknown): void {
    this.loginItems = settings;
    writeFileSync(join(this.getPath('userData'), 'standin-login-items.json'), JSON.stringify(settings));
    say('login-items', settings);
  }

  quit(): void {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.emit('will-quit', { preventDefault: () => undefined });
    void shutdown(0);
  }

  exit(code = 0): void {
    void shutdown(code);
  }
}

export const app = new App();

// ---------------------------------------------------------------------------------------------
// ipcMain

type Handler = (event: unknown, ...args: unknown[]) => unknown;
const handlers = new Map<string, Handler>();

export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    handlers.delete(channel);
  },
};

// ---------------------------------------------------------------------------------------------
// BrowserWindow

/** What the page gets for `require('electron')` in the preload, plus the delivery hook for events. */
const RENDERER_SHIM = `
(() => {
  const listeners = new Map();
  const invoke = globalThis.__standinInvoke;
  delete globalThis.__standinInvoke;
  Object.defineProperty(globalThis, '__standinDeliver', {
    value: (channel, args) => {
      for (const listener of listeners.get(channel) ?? []) listener({ sender: null }, ...args);
    },
  });
  return {
    contextBridge: {
      exposeInMainWorld(key, api) {
        Object.defineProperty(globalThis, key, { value: Object.freeze({ ...api }), enumerable: true });
      },
    },
    ipcRenderer: {
      invoke: (channel, ...args) => invoke(channel, args),
      on(channel, listener) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel).add(listener);
      },
      removeListener(channel, listener) {
        listeners.get(channel)?.delete(listener);
      },
    },
  };
})()`;

let nextId = 1;

class WebContents extends EventEmitter {
  readonly id = nextId++;
  page: Page | null = null;
  destroyed = false;
  openHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  permissionHandler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheck: ((wc: unknown, permission: string) => boolean) | null = null;
  readonly session = {
    setPermissionRequestHandler: (handler: WebContents['permissionHandler']) => void (this.permissionHandler = handler),
    setPermissionCheckHandler: (handler: WebContents['permissionCheck']) => void (this.permissionCheck = handler),
  };

  setWindowOpenHandler(handler: WebContents['openHandler']): void {
    this.openHandler = handler;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, ...args: unknown[]): void {
    const page = this.page;
    if (!page || this.destroyed) return;
    void page
      .evaluate(([c, a]) => (globalThis as unknown as { __standinDeliver?: (c: string, a: unknown[]) => void }).__standinDeliver?.(c, a), [channel, args] as const)
      .catch(() => undefined);
  }
}

interface WindowOptions {
  webPreferences?: { preload?: string; contextIsolation?: boolean; sandbox?: boolean; nodeIntegration?: boolean };
}

export class BrowserWindow extends EventEmitter {
  readonly webContents = new WebContents();
  private context: BrowserContext | null = null;
  private readonly ready: Promise<Page>;
  private programmaticNavigation = false;
  private shown = false;
  private destroyedFlag = false;

  constructor(options: WindowOptions) {
    super();
    const prefs = options.webPreferences ?? {};
    say('window', { contextIsolation: prefs.contextIsolation, sandbox: prefs.sandbox, nodeIntegration: prefs.nodeIntegration, preload: prefs.preload });
    this.ready = this.open(prefs.preload);
  }

  private async open(preloadPath: string | undefined): Promise<Page> {
    if (!browser) throw new Error('app is not ready');
    this.context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await this.context.newPage();
    this.webContents.page = page;
    await page.exposeBinding('__standinInvoke', async (source: { frame: Frame }, channel: string, args: unknown[]) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      const frame = source.frame;
      const event = { sender: this.webContents, senderFrame: { url: frame.url(), parent: frame.parentFrame() ? {} : null } };
      return handler(event, ...args);
    });
    if (preloadPath) {
      const code = readFileSync(preloadPath, 'utf8');
      // Preloads run in the top frame only (nodeIntegrationInSubFrames is off).
      await page.addInitScript(`if (window.top === window) { (function () {
        const electron = ${RENDERER_SHIM};
        const module = { exports: {} };
        const exports = module.exports;
        const require = (name) => { if (name === 'electron') return electron; throw new Error('a sandboxed preload cannot require ' + name); };
        ${code}
      })(); } else { delete globalThis.__standinInvoke; }`);
    }
    // will-navigate: navigations the page starts (not loadURL) can be prevented by main.
    await page.route('**/*', async (route: Route) => {
      const request = route.request();
      if (!request.isNavigationRequest() || request.frame() !== page.mainFrame() || this.programmaticNavigation) return route.continue();
      let prevented = false;
      this.webContents.emit('will-navigate', { preventDefault: () => (prevented = true), url: request.url() }, request.url());
      if (prevented) {
        say('navigation-denied', { url: request.url() });
        return route.abort('aborted');
      }
      return route.continue();
    });
    // window.open: asked of the window-open handler; denied popups are closed at once.
    this.context.on('page', (popup) => {
      if (popup === page) return;
      const url = popup.url();
      const decision = this.webContents.openHandler?.({ url }) ?? { action: 'allow' };
      if (decision.action === 'deny') {
        say('window-open-denied', { url });
        void popup.close();
      }
    });
    page.on('close', () => {
      this.destroyedFlag = true;
      this.webContents.destroyed = true;
      this.emit('closed');
    });
    return page;
  }

  async loadURL(url: string): Promise<void> {
    const page = await this.ready;
    this.programmaticNavigation = true;
    try {
      await page.goto(url, { waitUntil: 'load' });
    } finally {
      this.programmaticNavigation = false;
    }
    say('window-loaded', { url });
    if (!this.shown) this.emit('ready-to-show');
  }

  show(): void {
    this.shown = true;
    say('window-shown', {});
  }

  hide(): void {
    this.shown = false;
  }

  focus(): void {}

  isMinimized(): boolean {
    return false;
  }

  restore(): void {}

  isDestroyed(): boolean {
    return this.destroyedFlag;
  }

  close(): void {
    void this.ready.then((page) => page.close());
  }
}

// ---------------------------------------------------------------------------------------------
// Menu, Tray, nativeImage, clipboard, safeStorage

interface Template {
  label?: string;
  type?: string;
  enabled?: boolean;
  submenu?: Template[];
  click?: () => void;
}

export const Menu = {
  buildFromTemplate(template: Template[]): { items: Template[] } {
    return { items: template };
  },
};

function flatten(items: Template[], prefix = ''): Array<{ path: string; enabled: boolean; click?: () => void }> {
  return items.flatMap((item) => {
    if (item.type === 'separator') return [];
    const path = prefix ? `${prefix} > ${item.label ?? ''}` : (item.label ?? '');
    const own = { path, enabled: item.enabled !== false, ...(item.click ? { click: item.click } : {}) };
    return [own, ...(item.submenu ? flatten(item.submenu, path) : [])];
  });
}

const trays: Tray[] = [];

export class Tray extends EventEmitter {
  tooltip = '';
  menu: ReturnType<typeof flatten> = [];

  constructor(readonly image: { path: string; isEmpty(): boolean }) {
    super();
    trays.push(this);
    say('tray', { icon: image.path, iconExists: !image.isEmpty() });
  }

  setToolTip(text: string): void {
    this.tooltip = text;
  }

  setContextMenu(menu: { items: Template[] } | null): void {
    this.menu = menu ? flatten(menu.items) : [];
    say('tray-menu', { tooltip: this.tooltip, items: this.menu.map((i) => `${i.enabled ? '' : '(disabled) '}${i.path}`) });
  }

  destroy(): void {
    trays.splice(trays.indexOf(this), 1);
  }
}

export const nativeImage = {
  createFromPath(path: string) {
    return { path, isEmpty: () => !existsSync(path) };
  },
};

export const clipboard = {
  text: '',
  writeText(text: string): void {
    clipboard.text = text;
    say('clipboard', { text });
  },
};

/** Reversible and clearly marked: real safeStorage uses the OS keychain; this only proves the path. */
export const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (text: string): Buffer => Buffer.from(`standin-safe:${Buffer.from(text, 'utf8').toString('base64')}`),
  decryptString: (data: Buffer): string => {
    const text = data.toString('utf8');
    if (!text.startsWith('standin-safe:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice('standin-safe:'.length), 'base64').toString('utf8');
  },
};

// Test control: one JSON object per stdin line, e.g. {"tray":"Pause gateway"}.
if (!process.stdin.isTTY) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    let command: { tray?: string };
    try {
      command = JSON.parse(line) as { tray?: string };
    } catch {
      return;
    }
    if (command.tray !== undefined) {
      const item = trays[0]?.menu.find((i) => i.path === command.tray);
      if (!item?.click || !item.enabled) say('tray-click-failed', { path: command.tray });
      else item.click();
    }
  });
}

export default { app, ipcMain, BrowserWindow, Menu, Tray, nativeImage, clipboard, safeStorage };
