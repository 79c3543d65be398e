import { createContractClient, type ContractClient, type GatewayEventListener, type WireResult } from '../../../gateway/contract/index.js';
import { setClient } from '../api/client.js';

export type FakeHandler = (input: Record<string, unknown>) => unknown;

export interface FakeGateway {
  client: ContractClient;
  calls: Array<{ method: string; input: Record<string, unknown> }>;
  handle(method: string, handler: FakeHandler | unknown): void;
  emit(name: Parameters<GatewayEventListener>[0], payload: unknown): void;
}

/** A transport answering from canned handlers, installed as the renderer's client. */
export function installFakeGateway(handlers: Record<string, FakeHandler | unknown> = {}): FakeGateway {
  const table = new Map<string, FakeHandler | unknown>(Object.entries(handlers));
  const listeners = new Set<GatewayEventListener>();
  const calls: FakeGateway['calls'] = [];
  const client = createContractClient({
    async call(method, input): Promise<WireResult<unknown>> {
      calls.push({ method, input: (input ?? {}) as Record<string, unknown> });
      if (!table.has(method)) return { ok: false, error: { code: 'unknown_method', message: `no fake for ${method}` } };
      const handler = table.get(method);
      try {
        const value = typeof handler === 'function' ? await (handler as FakeHandler)((input ?? {}) as Record<string, unknown>) : handler;
        return { ok: true, value };
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'internal';
        return { ok: false, error: { code: code as 'internal', message: (error as Error).message } };
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  setClient(client);
  return {
    client,
    calls,
    handle: (method, handler) => void table.set(method, handler),
    emit: (name, payload) => {
      for (const listener of listeners) listener(name, payload);
    },
  };
}

export const status = (state: 'ready' | 'starting' | 'failed' | 'stopped' | 'restarting' = 'ready', extra: Record<string, unknown> = {}) => ({
  state,
  lastError: null,
  restarts: 0,
  toolCount: 2,
  pid: 42,
  nextRetryAt: null,
  breaker: 'closed' as const,
  consecutiveFailures: 0,
  ...extra,
});

export function serverView(name: string, extra: Record<string, unknown> = {}) {
  return {
    id: `id-${name}`,
    name,
    transport: 'stdio' as const,
    command: 'node',
    args: ['server.js', 'stdio'],
    env: {},
    cwd: null,
    url: null,
    headers: {},
    enabled: true,
    timeoutMs: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    status: status(),
    ...extra,
  };
}

export function presetSummary(slug: string, extra: Record<string, unknown> = {}) {
  return {
    id: `id-${slug}`,
    slug,
    name: slug.toUpperCase(),
    description: '',
    visibility: 'public' as const,
    status: 'active' as const,
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    url: `http://127.0.0.1:7337/mcp/${slug}`,
    ...extra,
  };
}
