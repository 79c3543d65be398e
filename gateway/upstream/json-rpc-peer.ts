import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export type RequestId = string | number;

export interface RpcErrorShape {
  code: number;
  message: string;
  data?: unknown;
}

/** A JSON-RPC error that came from (or stands for) the other side: relayed to clients as-is. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
  toJSON(): RpcErrorShape {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

export const JSONRPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** Implementation-defined server errors. */
  UPSTREAM_UNAVAILABLE: -32001,
  REQUEST_TIMEOUT: -32001,
  REQUEST_CANCELLED: -32800,
  PAYLOAD_TOO_LARGE: -32013,
} as const;

export interface PeerRequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with each notifications/progress params for this request (token already matched). */
  onProgress?: (params: Record<string, unknown>) => void;
}

type Params = Record<string, unknown> | undefined;

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
  onProgress?: (params: Record<string, unknown>) => void;
}

export interface PeerHandlers {
  /** A request from the other side (sampling, elicitation, roots/list, ping…). */
  onRequest(method: string, params: Params, id: RequestId, signal: AbortSignal): Promise<Record<string, unknown>>;
  onNotification(method: string, params: Params): void;
  onClose(): void;
  onError(error: Error): void;
}

/**
 * A lean JSON-RPC endpoint over an SDK transport. The gateway relays messages rather than
 * interpreting them, so it keeps raw params/results (unknown fields pass through untouched),
 * owns request ids and progress tokens (several downstream sessions share one upstream), and
 * sends `notifications/cancelled` itself on abort and on timeout.
 */
export class JsonRpcPeer {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly progressByToken = new Map<string, Pending>();
  private readonly inbound = new Map<RequestId, AbortController>();
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly handlers: PeerHandlers,
  ) {
    transport.onmessage = (message) => this.receive(message as unknown as Record<string, unknown>);
    transport.onclose = () => this.handleClose();
    transport.onerror = (error) => handlers.onError(error);
  }

  start(): Promise<void> {
    return this.transport.start();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  request(method: string, params: Params, options: PeerRequestOptions): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new RpcError(JSONRPC.UPSTREAM_UNAVAILABLE, 'connection closed'));
    const id = this.nextId++;
    const progressToken = options.onProgress ? `gw-${id}` : undefined;
    const sentParams = progressToken ? withProgressToken(params, progressToken) : params;

    return new Promise<Record<string, unknown>>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        this.pending.delete(id);
        if (progressToken) this.progressByToken.delete(progressToken);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const cancelUpstream = (reason: string): void => {
        void this.notify('notifications/cancelled', { requestId: id, reason }).catch(() => undefined);
      };
      const onAbort = (): void => {
        cleanup();
        cancelUpstream('cancelled by client');
        reject(new RpcError(JSONRPC.REQUEST_CANCELLED, 'request cancelled'));
      };
      const entry: Pending = {
        resolve: (result) => {
          cleanup();
          resolve(result);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
        onProgress: options.onProgress,
      };
      this.pending.set(id, entry);
      if (progressToken) this.progressByToken.set(progressToken, entry);
      if (options.signal) {
        if (options.signal.aborted) return onAbort();
        options.signal.addEventListener('abort', onAbort, { once: true });
      }
      timer = setTimeout(() => {
        cleanup();
        cancelUpstream(`timed out after ${options.timeoutMs} ms`);
        reject(new TimeoutError(options.timeoutMs));
      }, options.timeoutMs);
      const message = sentParams === undefined
        ? { jsonrpc: '2.0' as const, id, method }
        : { jsonrpc: '2.0' as const, id, method, params: sentParams };
      this.transport.send(message as JSONRPCMessage).catch((error: unknown) => {
        entry.reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  notify(method: string, params?: Params): Promise<void> {
    if (this.closed) return Promise.resolve();
    const message = params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
    return this.transport.send(message as JSONRPCMessage);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.transport.close().catch(() => undefined);
    this.handleClose();
  }

  private receive(message: Record<string, unknown>): void {
    const id = message.id as RequestId | undefined;
    const method = message.method as string | undefined;
    if (method !== undefined && id !== undefined) return this.receiveRequest(method, message.params as Params, id);
    if (method !== undefined) return this.receiveNotification(method, message.params as Params);
    if (id === undefined) return;
    const pending = this.pending.get(id);
    if (!pending) return; // a late answer to a call we already timed out or cancelled
    if (message.error) {
      const error = message.error as RpcErrorShape;
      pending.reject(new RpcError(error.code, error.message, error.data));
    } else {
      pending.resolve((message.result ?? {}) as Record<string, unknown>);
    }
  }

  private receiveNotification(method: string, params: Params): void {
    if (method === 'notifications/progress' && params) {
      const pending = this.progressByToken.get(String(params.progressToken));
      pending?.onProgress?.(params);
      return;
    }
    if (method === 'notifications/cancelled' && params) {
      this.inbound.get(params.requestId as RequestId)?.abort();
      return;
    }
    this.handlers.onNotification(method, params);
  }

  private receiveRequest(method: string, params: Params, id: RequestId): void {
    const controller = new AbortController();
    this.inbound.set(id, controller);
    const reply = (body: Record<string, unknown>): void => {
      this.inbound.delete(id);
      if (controller.signal.aborted || this.closed) return;
      void this.transport.send({ jsonrpc: '2.0', id, ...body } as JSONRPCMessage).catch(() => undefined);
    };
    const handled = method === 'ping' ? Promise.resolve({}) : this.handlers.onRequest(method, params, id, controller.signal);
    handled.then(
      (result) => reply({ result }),
      (error: unknown) => reply({ error: toRpcError(error).toJSON() }),
    );
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    const error = new ConnectionLostError('the upstream connection closed during the call');
    for (const pending of [...this.pending.values()]) pending.reject(error);
    for (const controller of this.inbound.values()) controller.abort();
    this.inbound.clear();
    this.handlers.onClose();
  }
}

export class TimeoutError extends RpcError {
  constructor(readonly timeoutMs: number) {
    super(JSONRPC.REQUEST_TIMEOUT, `timed out after ${timeoutMs} ms`, { timeoutMs });
    this.name = 'TimeoutError';
  }
}

/** The connection to the upstream broke (process exit, socket error): not the server's answer. */
export class ConnectionLostError extends RpcError {
  constructor(message: string) {
    super(JSONRPC.UPSTREAM_UNAVAILABLE, message);
    this.name = 'ConnectionLostError';
  }
}

export function toRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RpcError(JSONRPC.INTERNAL_ERROR, message);
}

function withProgressToken(params: Params, token: string): Record<string, unknown> {
  const meta = (params?._meta as Record<string, unknown> | undefined) ?? {};
  return { ...params, _meta: { ...meta, progressToken: token } };
}
