// Electron preload (sandboxed, CommonJS): exposes the one IPC channel as `window.gateway` and
// nothing else. No logic: the renderer's typed client validates everything it gets back.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { GatewayBridge, GatewayEventListener, IpcCallChannel, IpcEventChannel } from '../gateway/contract/bridge.js';

const CALL: IpcCallChannel = 'gw:call';
const EVENT: IpcEventChannel = 'gw:event';

const bridge = {
  call: (method, input) => ipcRenderer.invoke(CALL, method, input),
  onEvent: (listener: GatewayEventListener) => {
    const relay = (_event: IpcRendererEvent, name: Parameters<GatewayEventListener>[0], payload: unknown): void => listener(name, payload);
    ipcRenderer.on(EVENT, relay);
    return () => {
      ipcRenderer.removeListener(EVENT, relay);
    };
  },
} satisfies GatewayBridge;

contextBridge.exposeInMainWorld('gateway', bridge);
