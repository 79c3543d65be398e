import { describe, expect, it, vi } from 'vitest';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../gateway/contract/index.js';
import type { IpcInvokeEvent } from './electron-api.js';
import { createSenderCheck, forwardEvents, registerGatewayIpc, type DesktopHandlers } from './ipc.js';

type Handler = (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>;

function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  return {
    handlers,
    ipcMain: {
      handle: vi.fn((channel: string, handler: Handler) => void handlers.set(channel, handler)),
      removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
    },
  };
}

const contents = { id: 1 };
const frame = (url: string, parent: unknown = null) => ({ url, parent }) as unknown as IpcInvokeEvent['senderFrame'];
const event = (url = 'http://127.0.0.1:7337/presets', sender: unknown = contents, parent: unknown = null): IpcInvokeEvent =>
  ({ senderFrame: frame(url, parent), sender }) as unknown as IpcInvokeEvent;

function setup(trusted = true) {
  const { ipcMain, handlers } = fakeIpcMain();
  const dispatch = vi.fn(async (method: string, input: unknown) => ({ ok: true as const, value: { method, input } }));
  const desktop: DesktopHandlers = {
    'desktop.settings.get': vi.fn(async () => {
      throw new Error('not used');
    }),
    'desktop.settings.update': vi.fn(async ({ settings }) => ({ settings: settings as never, restarted: false, url: 'http://x' })),
  };
  const log = vi.fn();
  const dispose = registerGatewayIpc({ ipcMain: ipcMain as never, isTrustedSender: () => trusted, dispatch, desktop, log });
  const call = (...args: unknown[]) => (handlers.get(IPC_CALL_CHANNEL) as Handler)(event(), ...args);
  return { ipcMain, handlers, dispatch, desktop, log, dispose, call };
}

describe('the gw:call channel', () => {
  it('dispatches contract methods to the gateway dispatcher', async () => {
    const { call, dispatch } = setup();
    await expect(call('servers.list', {})).resolves.toEqual({ ok: true, value: { method: 'servers.list', input: {} } });
    await call('gateway.status', undefined);
    expect(dispatch).toHaveBeenLastCalledWith('gateway.status', {});
  });

  it('refuses untrusted senders before looking at the method', async () => {
    const { call, dispatch, log } = setup(false);
    await expect(call('servers.list', {})).resolves.toEqual({ ok: false, error: { code: 'forbidden', message: 'this frame may not call the gateway' } });
    expect(dispatch).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledWith(expect.stringContaining('refused a call from http://127.0.0.1:7337/presets'));
  });

  it('refuses non-string and unknown methods', async () => {
    const { call, dispatch } = setup();
    await expect(call(42, {})).resolves.toMatchObject({ ok: false, error: { code: 'bad_request' } });
    await expect(call('__proto__', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    await expect(call('constructor', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    await expect(call('fs.readFile', { path: '/etc/passwd' })).resolves.toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(dispatch).not.toHaveBeenCalled();
  });

  it('validates desktop-method input against the contract before main handles it', async () => {
    const { call, desktop } = setup();
    await expect(call('desktop.settings.update', { settings: { port: 'seven' } })).resolves.toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('settings.port') } });
    expect(desktop['desktop.settings.update']).not.toHaveBeenCalled();
    await expect(call('desktop.settings.update', { settings: { port: 7444 } })).resolves.toMatchObject({ ok: true, value: { settings: { port: 7444 } } });
    await expect(call('desktop.settings.get', {})).resolves.toMatchObject({ ok: false, error: { code: 'internal', message: 'not used' } });
  });

  it('is removed by its disposer', () => {
    const { dispose, ipcMain, handlers } = setup();
    dispose();
    expect(ipcMain.removeHandler).toHaveBeenCalledWith(IPC_CALL_CHANNEL);
    expect(handlers.size).toBe(0);
  });
});

describe('the sender check', () => {
  const check = createSenderCheck(
    () => 'http://127.0.0.1:7337',
    () => [contents],
  );
  it('trusts the top frame of our window on the UI origin', () => {
    expect(check(event('http://127.0.0.1:7337/'))).toBe(true);
    expect(check(event('http://127.0.0.1:7337/servers/fx?x=1'))).toBe(true);
  });
  it('refuses other origins, subframes, other windows and destroyed frames', () => {
    expect(check(event('http://127.0.0.1:7338/'))).toBe(false);
    expect(check(event('http://localhost:7337/'))).toBe(false);
    expect(check(event('file:///etc/passwd'))).toBe(false);
    expect(check(event('not a url'))).toBe(false);
    expect(check(event('http://127.0.0.1:7337/', contents, {}))).toBe(false);
    expect(check(event('http://127.0.0.1:7337/', { id: 2 }))).toBe(false);
    expect(check({ senderFrame: null, sender: contents } as unknown as IpcInvokeEvent)).toBe(false);
    const throwing = { sender: contents, get senderFrame(): never { throw new Error('Render frame was disposed') } } as unknown as IpcInvokeEvent;
    expect(check(throwing)).toBe(false);
  });
  it('trusts nothing before the UI is loaded', () => {
    expect(createSenderCheck(() => null, () => [contents])(event())).toBe(false);
  });
});

describe('event forwarding', () => {
  it('sends every gateway event to live windows on gw:event', () => {
    let emit: ((name: 'preset.changed', payload: unknown) => void) | undefined;
    const unlisten = vi.fn();
    const live = { send: vi.fn(), isDestroyed: () => false };
    const dead = { send: vi.fn(), isDestroyed: () => true };
    const stop = forwardEvents(
      (listener) => {
        emit = listener;
        return unlisten;
      },
      () => [live, dead],
    );
    emit?.('preset.changed', { slug: 'dev' });
    expect(live.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, 'preset.changed', { slug: 'dev' });
    expect(dead.send).not.toHaveBeenCalled();
    stop();
    expect(unlisten).toHaveBeenCalled();
  });
});
