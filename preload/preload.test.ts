import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type GatewayBridge } from '../gateway/contract/index.js';

type Listener = (...args: unknown[]) => void;
const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<Listener>>();
  return {
    listeners,
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: {
      invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, value: 'answer' })),
      on: vi.fn((channel: string, listener: Listener) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)?.add(listener);
      }),
      removeListener: vi.fn((channel: string, listener: Listener) => listeners.get(channel)?.delete(listener)),
    },
  };
});

/**
 * The preload is a sandboxed CommonJS script: run it the way Electron does, as CommonJS whose
 * only available module is a (mocked) `electron`.
 */
function runPreload(): void {
  const source = readFileSync(new URL('./preload.cts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const module = { exports: {} };
  const require = (name: string): unknown => {
    if (name === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  new Function('require', 'module', 'exports', outputText)(require, module, module.exports);
}

let bridge: GatewayBridge;
beforeAll(() => {
  runPreload();
  bridge = electron.contextBridge.exposeInMainWorld.mock.calls[0]?.[1] as GatewayBridge;
});

describe('preload (electron mocked)', () => {
  it('exposes exactly one object, window.gateway, with call and onEvent', () => {
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(electron.contextBridge.exposeInMainWorld.mock.calls[0]?.[0]).toBe('gateway');
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onEvent']);
  });

  it('passes calls through the one call channel untouched', async () => {
    await expect(bridge.call('servers.list', { x: 1 })).resolves.toEqual({ ok: true, value: 'answer' });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(IPC_CALL_CHANNEL, 'servers.list', { x: 1 });
  });

  it('relays pushed events without the IPC event object, and unsubscribes', () => {
    const listener = vi.fn();
    const off = bridge.onEvent(listener);
    const [relay] = [...(electron.listeners.get(IPC_EVENT_CHANNEL) ?? [])];
    relay?.({ senderFrame: 'ipc internals' }, 'preset.changed', { slug: 'dev' });
    expect(listener).toHaveBeenCalledWith('preset.changed', { slug: 'dev' });
    off();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, relay);
    expect(electron.listeners.get(IPC_EVENT_CHANNEL)?.size).toBe(0);
  });
});
