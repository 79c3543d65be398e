import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isNetworkError, normalizeBaseUrl, unreachableMessage } from '../api/http-client.js';

/**
 * `mcp-gateway connect <slug>`: a stdio MCP endpoint for clients that only speak stdio.
 * Every JSON-RPC message is relayed verbatim between stdin/stdout and `{url}/mcp/{slug}`
 * (Streamable HTTP) — raw transports, no Client/Server objects, so requests, notifications,
 * server→client requests and responses all pass through untouched. Diagnostics go to stderr only.
 *
 * Beyond the relay, the bridge keeps a stdio session alive across a gateway restart: when the
 * gateway answers 404 for our session, it replays the client's `initialize` on a new session
 * and resends the message. Requests that cannot be delivered get a JSON-RPC error response, so
 * the client never waits forever.
 */

export interface StdioBridgeOptions {
  /** Base URL of the gateway, e.g. http://127.0.0.1:7337. */
  url: string;
  slug: string;
  /** Bearer token for private / invite-only presets. */
  token?: string | undefined;
  stdin?: Readable;
  stdout?: Writable;
  /** Diagnostics sink (default: process.stderr). Never stdout: that is the protocol channel. */
  stderr?: Writable;
  fetch?: typeof fetch;
  /** After stdin closes, how long to wait for answers to requests already forwarded. */
  drainTimeoutMs?: number;
}

/** JSON-RPC "server error" range; used for failures of the bridge itself. */
const BRIDGE_ERROR = -32000;
const REINIT_TIMEOUT_MS = 30_000;

export async function runStdioBridge(options: StdioBridgeOptions): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const base = normalizeBaseUrl(options.url);
  const endpoint = new URL(`mcp/${encodeURIComponent(options.slug)}`, `${base}/`);
  const drainTimeoutMs = options.drainTimeoutMs ?? 2_000;

  let closing = false;
  let lastLogged = { message: '', at: 0 };
  const log = (message: string) => {
    if (closing) return;
    // One failure usually hits every queued message: say it once, not once per message.
    const now = Date.now();
    if (message === lastLogged.message && now - lastLogged.at < 5_000) return;
    lastLogged = { message, at: now };
    stderr.write(`mcp-gateway connect: ${message}\n`);
  };

  /** Client requests forwarded and not answered yet (to drain on exit and to fail on errors). */
  const pending = new Set<RequestId>();
  const initializeIds = new Set<RequestId>();
  let initializeRequest: JSONRPCRequest | undefined;
  /** Set once the gateway accepted an initialize: only then is a 404 an expired session. */
  let sessionEstablished = false;
  let clientInitialized = false;
  /** The bridge's own requests (re-initialisation), answered by the gateway, not by the client. */
  const internal = new Map<RequestId, (message: JSONRPCMessage) => void>();
  let reinitCount = 0;
  let reinitInFlight: Promise<void> | undefined;

  const stdio = new StdioServerTransport(stdin, stdout);
  let http = connectHttp();

  function connectHttp(): StreamableHTTPClientTransport {
    const transport = new StreamableHTTPClientTransport(endpoint, {
      requestInit: options.token ? { headers: { Authorization: `Bearer ${options.token}` } } : undefined,
      // Ride out a gateway restart (~1 min) on the notification stream, not just a blip.
      reconnectionOptions: { initialReconnectionDelay: 500, maxReconnectionDelay: 5_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 15 },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    transport.onmessage = (message) => fromGateway(message);
    transport.onerror = (error) => {
      if (transport !== http) return;
      if (isSessionGone(error) && sessionEstablished && clientInitialized) {
        // The GET stream found our session gone: start a new one now, so server-initiated
        // messages (list_changed, …) resume without waiting for the client's next request.
        reinitialize().catch((reinitError: unknown) => log(describe(reinitError)));
        return;
      }
      // send() failures are reported once, where they are handled (forward); this is the rest.
      if (!isSendError(error)) log(describe(error));
    };
    return transport;
  }

  function fromGateway(message: JSONRPCMessage): void {
    if (isResponse(message)) {
      const waiter = internal.get(message.id as RequestId);
      if (waiter) {
        internal.delete(message.id as RequestId);
        waiter(message);
        return;
      }
      if (initializeIds.delete(message.id as RequestId) && 'result' in message) {
        // The Client class does this after initialize; a raw relay has to do it itself so
        // later requests carry MCP-Protocol-Version.
        const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
        if (typeof version === 'string') http.setProtocolVersion(version);
        sessionEstablished = true;
      }
      settle(message.id as RequestId);
    }
    stdio.send(message).catch((error: unknown) => log(`cannot write to stdout: ${describe(error)}`));
  }

  function fromClient(message: JSONRPCMessage): void {
    if (isRequest(message)) {
      pending.add(message.id);
      if (message.method === 'initialize') {
        initializeRequest = message;
        initializeIds.add(message.id);
      }
    } else if ('method' in message && message.method === 'notifications/initialized') {
      clientInitialized = true;
    }
    void forward(message);
  }

  async function forward(message: JSONRPCMessage): Promise<void> {
    let failure: unknown;
    const via = http;
    try {
      await via.send(message);
      return;
    } catch (error) {
      failure = error;
    }
    if (isSessionGone(failure) && sessionEstablished && !(isRequest(message) && message.method === 'initialize')) {
      try {
        // Several messages may hit the expired session; only the first starts a new one.
        await (http === via ? reinitialize() : reinitInFlight);
        await http.send(message);
        return;
      } catch (error) {
        failure = error;
      }
    }
    if (http !== via && isAbort(failure)) {
      failure = new Error('the gateway session was lost while this request was in flight (gateway restarted?)');
    }
    log(describe(failure));
    if (isRequest(message)) {
      settle(message.id);
      initializeIds.delete(message.id);
      const reply: JSONRPCMessage = {
        jsonrpc: '2.0',
        id: message.id,
        error: { code: BRIDGE_ERROR, message: `MCP Gateway: ${describe(failure)}` },
      };
      await stdio.send(reply).catch(() => undefined);
    }
  }

  /** One re-initialisation at a time, shared by every message that hit the expired session. */
  function reinitialize(): Promise<void> {
    reinitInFlight ??= (async () => {
      const previous = http;
      http = connectHttp();
      await previous.close().catch(() => undefined);
      await http.start();
      const id = `mcp-gateway-bridge-reinit-${++reinitCount}`;
      const answer = await new Promise<JSONRPCMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          internal.delete(id);
          reject(new Error('the gateway did not answer the re-initialisation in time'));
        }, REINIT_TIMEOUT_MS);
        internal.set(id, (message) => {
          clearTimeout(timer);
          resolve(message);
        });
        http.send({ ...(initializeRequest as JSONRPCRequest), id }).catch((error: unknown) => {
          clearTimeout(timer);
          internal.delete(id);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      });
      if ('error' in answer) throw new Error(`re-initialising the gateway session failed: ${answer.error.message}`);
      const version = 'result' in answer ? (answer.result as { protocolVersion?: unknown }).protocolVersion : undefined;
      if (typeof version === 'string') http.setProtocolVersion(version);
      if (clientInitialized) await http.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      log('the gateway session had expired (gateway restarted?); continuing on a new session');
    })().finally(() => {
      reinitInFlight = undefined;
    });
    return reinitInFlight;
  }

  let onDrained: (() => void) | undefined;
  function settle(id: RequestId): void {
    pending.delete(id);
    if (pending.size === 0) onDrained?.();
  }

  function describe(error: unknown): string {
    if (isNetworkError(error)) return unreachableMessage(base);
    if (error instanceof StreamableHTTPError) {
      const detail = bodyMessage(error.message);
      if (error.code === 401 || error.code === 403) {
        return `the gateway refused access to preset '${options.slug}' (HTTP ${error.code}${detail ? `: ${detail}` : ''}); pass --token or set MCP_GATEWAY_TOKEN`;
      }
      if (error.code === 404 && !http.sessionId) {
        return `no preset '${options.slug}' at ${base} (HTTP 404${detail ? `: ${detail}` : ''})`;
      }
      return `gateway error (HTTP ${error.code})${detail ? `: ${detail}` : ''}`;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('SSE stream disconnected')) return 'lost the notification stream from the gateway; reconnecting';
    if (message.startsWith('Failed to reconnect SSE stream')) return unreachableMessage(base);
    if (message.startsWith('Maximum reconnection attempts')) {
      return 'gave up reconnecting the notification stream: server notifications may be missed';
    }
    return message;
  }

  // ------------------------------------------------------------------------------------------

  const finished = new Promise<void>((resolve) => {
    const finish = () => resolve();
    stdin.once('end', finish);
    stdin.once('close', finish);
    stdout.once('error', finish); // EPIPE: the client is gone
    stdio.onclose = finish;
  });
  stdio.onmessage = fromClient;
  stdio.onerror = (error) => log(`ignored an invalid message from the client: ${describe(error)}`);

  await http.start();
  await stdio.start();
  await finished;

  // The client closed stdin: give answers already on their way a moment to arrive.
  if (pending.size > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, drainTimeoutMs);
      onDrained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  closing = true;
  if (http.sessionId) {
    // Free the gateway-side session; never let a slow gateway delay the exit much.
    await Promise.race([http.terminateSession().catch(() => undefined), delay(1_000)]);
  }
  await http.close().catch(() => undefined);
  await stdio.close().catch(() => undefined);
}

function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

function isResponse(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return !('method' in message) && 'id' in message && message.id !== undefined;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function isSessionGone(error: unknown): boolean {
  return error instanceof StreamableHTTPError && error.code === 404;
}

/** Errors thrown by send() are also passed to onerror by the SDK; they are logged in forward(). */
function isSendError(error: unknown): boolean {
  return (
    isNetworkError(error) ||
    (error instanceof StreamableHTTPError && error.message.includes('Error POSTing to endpoint'))
  );
}

/** The gateway's own words from an SDK error ("Error POSTing to endpoint: <body>"). */
function bodyMessage(message: string): string {
  const body = message.split('Error POSTing to endpoint:')[1]?.trim();
  if (!body) return '';
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === 'object' && typeof parsed.error?.message === 'string') return parsed.error.message;
    if (typeof parsed.error === 'string') return parsed.error;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: use the text
  }
  return body.length > 200 ? `${body.slice(0, 200)}…` : body;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
