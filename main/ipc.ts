import {
  desktopMethods,
  IPC_CALL_CHANNEL,
  IPC_EVENT_CHANNEL,
  isDesktopMethodName,
  isMethodName,
  type DesktopMethodName,
  type DesktopMethodOutput,
  type GatewayEventName,
  type MethodName,
  type WireResult,
} from '../gateway/contract/index.js';
import type { ElectronApi, IpcInvokeEvent } from './electron-api.js';

export type DesktopHandlers = {
  [M in DesktopMethodName]: (input: import('zod').output<(typeof desktopMethods)[M]['input']>) => Promise<DesktopMethodOutput<M>>;
};

export interface GatewayIpcOptions {
  ipcMain: ElectronApi['ipcMain'];
  /** Is this call from the top frame of one of our windows, showing our UI's origin? */
  isTrustedSender(event: IpcInvokeEvent): boolean;
  /** The gateway's dispatcher (validates input, never throws). */
  dispatch(method: MethodName, input: unknown): Promise<WireResult<unknown>>;
  desktop: DesktopHandlers;
  log?: (line: string) => void;
}

/**
 * The one IPC channel (DESIGN.md §3): `gw:call(method, input) → WireResult`. The sender frame
 * and the method are checked before anything runs; gateway methods go to the same dispatcher as
 * HTTP, desktop methods (settings) to main's own handlers. Returns a disposer.
 */
export function registerGatewayIpc(options: GatewayIpcOptions): () => void {
  options.ipcMain.handle(IPC_CALL_CHANNEL, async (event, method: unknown, input: unknown): Promise<WireResult<unknown>> => {
    if (!options.isTrustedSender(event)) {
      options.log?.(`ipc: refused a call from ${describeSender(event)}`);
      return { ok: false, error: { code: 'forbidden', message: 'this frame may not call the gateway' } };
    }
    if (typeof method !== 'string') return { ok: false, error: { code: 'bad_request', message: 'the method must be a string' } };
    if (isMethodName(method)) return options.dispatch(method, input ?? {});
    if (isDesktopMethodName(method)) return runDesktop(options, method, input ?? {});
    return { ok: false, error: { code: 'unknown_method', message: `unknown method "${method}"` } };
  });
  return () => options.ipcMain.removeHandler(IPC_CALL_CHANNEL);
}

async function runDesktop(options: GatewayIpcOptions, method: DesktopMethodName, input: unknown): Promise<WireResult<unknown>> {
  const parsed = desktopMethods[method].input.safeParse(input);
  if (!parsed.success) {
    const message = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`)
      .join('; ');
    return { ok: false, error: { code: 'invalid_input', message } };
  }
  try {
    const handler = options.desktop[method] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    options.log?.(`ipc ${method} failed: ${message}`);
    return { ok: false, error: { code: code === 'invalid_input' || code === 'unavailable' ? code : 'internal', message } };
  }
}

function describeSender(event: IpcInvokeEvent): string {
  try {
    return event.senderFrame?.url || '(a destroyed frame)';
  } catch {
    return '(unknown frame)';
  }
}

/**
 * Trusted: a live top-level frame of one of our windows whose URL has the UI's origin. A frame
 * that navigated elsewhere, an iframe, or another window's page gets nothing.
 */
export function createSenderCheck(uiOrigin: () => string | null, ourWebContents: () => ReadonlyArray<unknown>) {
  return (event: IpcInvokeEvent): boolean => {
    const origin = uiOrigin();
    if (!origin) return false;
    let frame: IpcInvokeEvent['senderFrame'];
    try {
      frame = event.senderFrame;
    } catch {
      return false;
    }
    if (!frame || frame.parent !== null) return false;
    if (!ourWebContents().includes(event.sender)) return false;
    try {
      return new URL(frame.url).origin === origin;
    } catch {
      return false;
    }
  };
}

export interface EventTarget {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** Pushes every gateway event to our windows on the one event channel. */
export function forwardEvents(
  listen: (listener: (name: GatewayEventName, payload: unknown) => void) => () => void,
  targets: () => ReadonlyArray<EventTarget>,
): () => void {
  return listen((name, payload) => {
    for (const target of targets()) {
      if (!target.isDestroyed()) target.send(IPC_EVENT_CHANNEL, name, payload);
    }
  });
}
