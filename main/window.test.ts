import { describe, expect, it, vi } from 'vitest';
import { ALLOWED_PERMISSIONS, createMainWindow, isSameOrigin, windowOptions } from './window.js';
import type { ElectronApi } from './electron-api.js';

describe('main window', () => {
  it('uses secure web preferences', () => {
    expect(windowOptions({ preload: '/p.cjs' }).webPreferences).toEqual({
      preload: '/p.cjs',
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
    });
  });

  it('denies window.open, navigation off the UI origin, webviews and permissions other than clipboard writes', () => {
    const on = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    let permissionHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | undefined;
    const contents = {
      setWindowOpenHandler: (handler: typeof openHandler) => void (openHandler = handler),
      on: (event: string, handler: (event: { preventDefault(): void }, url: string) => void) => void on.set(event, handler),
      session: { setPermissionRequestHandler: (h: typeof permissionHandler) => void (permissionHandler = h), setPermissionCheckHandler: vi.fn() },
    };
    const BrowserWindow = vi.fn(function () {
      return { webContents: contents };
    });
    createMainWindow({ BrowserWindow } as unknown as Pick<ElectronApi, 'BrowserWindow'>, { preload: '/p.cjs' }, () => 'http://127.0.0.1:7337');
    expect(openHandler?.({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn() };
      on.get('will-navigate')?.(event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('http://127.0.0.1:7338/')).toBe(true);
    expect(navigate('http://127.0.0.1:7337/servers')).toBe(false);
    const webview = { preventDefault: vi.fn() };
    on.get('will-attach-webview')?.(webview, '');
    expect(webview.preventDefault).toHaveBeenCalled();
    const decide = (permission: string) => {
      let granted: boolean | undefined;
      permissionHandler?.(null, permission, (g) => (granted = g));
      return granted;
    };
    expect(decide('clipboard-sanitized-write')).toBe(true);
    expect(decide('media')).toBe(false);
    expect(decide('geolocation')).toBe(false);
    expect([...ALLOWED_PERMISSIONS]).toEqual(['clipboard-sanitized-write']);
  });

  it('compares origins exactly', () => {
    expect(isSameOrigin('http://127.0.0.1:7337/x', 'http://127.0.0.1:7337')).toBe(true);
    expect(isSameOrigin('http://127.0.0.1:7337.evil.com/', 'http://127.0.0.1:7337')).toBe(false);
    expect(isSameOrigin('nonsense', 'http://127.0.0.1:7337')).toBe(false);
    expect(isSameOrigin('http://127.0.0.1:7337/', null)).toBe(false);
  });
});
