import {
  normalizeWireResult,
  type ContractTransport,
  type GatewayEventListener,
  type GatewayEventName,
  type WireResult,
} from '../../../gateway/contract/index.js';

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'unauthorized';

export interface HttpTransportOptions {
  /** Base URL of the gateway; '' means the page's own origin (the UI is served by the gateway). */
  baseUrl?: string;
  token: string;
  fetch?: typeof fetch;
  /** Called when the event stream connects, drops or is refused. */
  onConnection?: (state: ConnectionState) => void;
  /** Delay before reconnecting the event stream, by attempt (default 1 s doubling to 15 s). */
  retryDelayMs?: (attempt: number) => number;
}

export interface HttpTransport extends ContractTransport {
  close(): void;
}

const EVENT_NAMES: ReadonlySet<string> = new Set<GatewayEventName>(['server.status', 'preset.changed', 'metrics.tick', 'sync.status']);

/**
 * The browser's transport over the admin HTTP binding: `POST /api/:method` with the admin token,
 * and `GET /api/events` (Server-Sent Events, read with fetch so the token travels in a header).
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${options.token}` };
  const listeners = new Set<GatewayEventListener>();
  const retryDelay = options.retryDelayMs ?? ((attempt: number) => Math.min(15_000, 1000 * 2 ** attempt));
  let stream: AbortController | null = null;
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const call = async (method: string, input: unknown): Promise<WireResult<unknown>> => {
    let response: Response;
    try {
      response = await fetchFn(`${base}/api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      options.onConnection?.('offline');
      return { ok: false, error: { code: 'unavailable', message: 'cannot reach the gateway: is `mcp-gateway serve` still running?' } };
    }
    if (response.status === 401) options.onConnection?.('unauthorized');
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return { ok: false, error: { code: 'internal', message: `unexpected answer from the gateway (HTTP ${response.status})` } };
    }
    return normalizeWireResult(body);
  };

  const connect = async (attempt: number): Promise<void> => {
    if (closed || listeners.size === 0) return;
    const controller = new AbortController();
    stream = controller;
    options.onConnection?.('connecting');
    let connected = false;
    try {
      const response = await fetchFn(`${base}/api/events`, { headers: { ...headers, accept: 'text/event-stream' }, signal: controller.signal });
      if (response.status === 401) {
        options.onConnection?.('unauthorized');
        return; // a wrong token does not get better by retrying
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      connected = true;
      options.onConnection?.('online');
      const parser = createSseParser((name, data) => {
        if (!EVENT_NAMES.has(name)) return;
        let payload: unknown;
        try {
          payload = JSON.parse(data);
        } catch {
          return;
        }
        for (const listener of listeners) listener(name as GatewayEventName, payload);
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser(value);
      }
    } catch {
      // dropped or refused: fall through to the retry below
    }
    if (controller.signal.aborted || closed || listeners.size === 0) return;
    options.onConnection?.('offline');
    const next = connected ? 0 : attempt + 1;
    retryTimer = setTimeout(() => void connect(next), retryDelay(next));
  };

  return {
    call,
    onEvent(listener) {
      listeners.add(listener);
      if (!stream && !closed) void connect(0);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stop();
      };
    },
    close() {
      closed = true;
      stop();
    },
  };

  function stop(): void {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    stream?.abort();
    stream = null;
  }
}

/** Incremental `text/event-stream` parser: feed it chunks, it calls back once per complete event. */
export function createSseParser(onEvent: (name: string, data: string) => void): (chunk: string) => void {
  let buffer = '';
  let name = 'message';
  let data: string[] = [];
  return (chunk) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.search(/\r\n|\n|\r/)) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) onEvent(name, data.join('\n'));
        name = 'message';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
  };
}
