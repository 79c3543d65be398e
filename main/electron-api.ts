import type * as E from 'electron';

/**
 * The part of Electron that main uses, as types from Electron itself. Main receives it as a
 * parameter (main.ts passes the real module), so unit tests pass fakes and the end-to-end test a
 * stand-in whose windows are Playwright-driven Chromium pages.
 */
export interface WindowLike {
  readonly webContents: Pick<E.WebContents, 'send' | 'setWindowOpenHandler' | 'on' | 'isDestroyed' | 'id'> & {
    readonly session: Pick<E.Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;
  };
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  isMinimized(): boolean;
  restore(): void;
  isDestroyed(): boolean;
  on(event: 'closed', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: E.Menu | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface ElectronApi {
  app: Pick<
    E.App,
    'requestSingleInstanceLock' | 'whenReady' | 'quit' | 'exit' | 'getPath' | 'setLoginItemSettings' | 'getVersion'
  > & {
    on(event: string, listener: (...args: never[]) => void): unknown;
    readonly isPackaged: boolean;
  };
  BrowserWindow: new (options: E.BrowserWindowConstructorOptions) => WindowLike;
  ipcMain: Pick<E.IpcMain, 'handle' | 'removeHandler'>;
  Tray: new (image: E.NativeImage) => TrayLike;
  Menu: { buildFromTemplate(template: E.MenuItemConstructorOptions[]): E.Menu };
  nativeImage: Pick<typeof E.nativeImage, 'createFromPath'>;
  clipboard: Pick<E.Clipboard, 'writeText'>;
  safeStorage: Pick<E.SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>;
}

export type IpcInvokeEvent = Pick<E.IpcMainInvokeEvent, 'senderFrame' | 'sender'>;
