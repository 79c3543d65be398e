import type { WireResult } from './errors.js';
import type { GatewayEventName } from './events.js';

/** The one IPC channel for calls (renderer → main), answered with a WireResult. */
export const IPC_CALL_CHANNEL = 'gw:call';
/** The one IPC channel for pushed events (main → renderer): `(name, payload)`. */
export const IPC_EVENT_CHANNEL = 'gw:event';
export type IpcCallChannel = typeof IPC_CALL_CHANNEL;
export type IpcEventChannel = typeof IPC_EVENT_CHANNEL;

export type GatewayEventListener = (name: GatewayEventName, payload: unknown) => void;

/**
 * What the Electron preload exposes as `window.gateway`: a transport and nothing else. Results
 * are values (never throws for gateway errors); the renderer's typed client validates them.
 * There is no token here: IPC needs none, and the renderer never sees the admin token.
 */
export interface GatewayBridge {
  call(method: string, input: unknown): Promise<WireResult<unknown>>;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: GatewayEventListener): () => void;
}
