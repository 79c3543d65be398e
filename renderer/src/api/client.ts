import {
  createContractClient,
  GatewayError,
  type ContractClient,
  type GatewayBridge,
  type MethodInput,
  type MethodName,
  type MethodOutput,
} from '../../../gateway/contract/index.js';

/**
 * The one typed client the stores use. Set once at start, from the Electron bridge (IPC) or the
 * HTTP transport; stores never know which.
 */
let client: ContractClient | null = null;

export function setClient(next: ContractClient | null): void {
  client = next;
}

export function getClient(): ContractClient {
  if (!client) throw new Error('the gateway client is not set up yet');
  return client;
}

export function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  return getClient().call(method, input);
}

/** The Electron preload's bridge, when this page runs in the desktop app. */
export function desktopBridge(): GatewayBridge | null {
  const candidate = (globalThis as { gateway?: unknown }).gateway;
  if (typeof candidate === 'object' && candidate !== null && typeof (candidate as GatewayBridge).call === 'function') {
    return candidate as GatewayBridge;
  }
  return null;
}

export function clientFromBridge(bridge: GatewayBridge): ContractClient {
  return createContractClient({ call: (method, input) => bridge.call(method, input), onEvent: (listener) => bridge.onEvent(listener) });
}

/** A user-facing sentence for any failure (gateway errors keep their message). */
export function errorText(error: unknown): string {
  if (error instanceof GatewayError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isGatewayError(error: unknown, code?: string): error is GatewayError {
  return error instanceof GatewayError && (code === undefined || error.code === code);
}

/**
 * The slugs of the local presets (sorted), as a store's `{presetSlugs, presetsError}` slice:
 * the pickers of the Access and Sync screens.
 */
export async function loadPresetSlugs(): Promise<{ presetSlugs: string[]; presetsError: string | null } | { presetsError: string }> {
  try {
    const { items } = await call('presets.list', { limit: 200 });
    return { presetSlugs: items.map((p) => p.slug).sort(), presetsError: null };
  } catch (error) {
    return { presetsError: errorText(error) };
  }
}
