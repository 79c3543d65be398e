import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSONRPC, RpcError, toRpcError } from '../upstream/json-rpc-peer.js';
import { handleRequest, RawResult, type HandlerResult, type McpHandlerDeps } from './method-handlers.js';
import type { PresetRegistry } from './preset-registry.js';
import type { PresetView } from './preset-view.js';
import { DownstreamSession, type JsonRpcId, type SessionStore } from './session.js';
import { SseStream } from './sse.js';
import { exceedsDepth } from '../http/rate-limit.js';
import { compress, COMPRESS_MIN_BYTES, negotiateEncoding } from '../http/compress.js';
import {
  classify,
  META_CLIENT_CAPABILITIES,
  META_CLIENT_INFO,
  META_PROTOCOL_VERSION,
  MODERN_PROTOCOL_VERSION,
  negotiateSessionVersion,
  serverCapabilities,
  type JsonRpcMessage,
} from './protocol.js';

export interface McpEndpointDeps extends McpHandlerDeps {
  registry: PresetRegistry;
  sessions: SessionStore;
  /** Decides whether this request may use this preset; an RpcError plus HTTP status when not. */
  authorize(view: PresetView, req: IncomingMessage): Promise<{ status: number; error: RpcError; headers?: Record<string, string> } | null>;
  limits: { maxJsonDepth: number; maxToolInputBytes: number; maxSessionsPerToken: number };
  /** Who a request speaks for (a hash of its bearer token), to cap sessions per token; null if anonymous. */
  principalOf(req: IncomingMessage): string | null;
}

const SESSION_HEADER = 'mcp-session-id';

/** Writes a JSON body, compressed when it is over 1 KB and the client accepts br or gzip. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
  acceptEncoding?: string,
): void {
  const encoding = body.length > COMPRESS_MIN_BYTES ? negotiateEncoding(acceptEncoding) : null;
  if (encoding) {
    const packed = compress(Buffer.from(body), encoding);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-encoding': encoding,
      vary: 'accept-encoding',
      'content-length': String(packed.length),
      ...headers,
    });
    res.end(packed);
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export function errorBody(id: unknown, error: RpcError): string {
  return JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error: error.toJSON() });
}

function resultBody(id: JsonRpcId, result: HandlerResult): string {
  const json = result instanceof RawResult ? result.json : JSON.stringify(result);
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${json}}`;
}

function acceptsSse(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

/** Resolves the preset for a request or answers it with the right error. */
export async function resolveView(
  deps: McpEndpointDeps,
  req: IncomingMessage,
  res: ServerResponse,
  slug: string,
): Promise<PresetView | null> {
  const view = deps.registry.peek(slug) ?? (await deps.registry.get(slug));
  if (!view) {
    sendJson(res, 404, errorBody(null, new RpcError(JSONRPC.INVALID_REQUEST, `Unknown preset "${slug}" (no active preset has this slug)`)));
    return null;
  }
  const denied = await deps.authorize(view, req);
  if (denied) {
    sendJson(res, denied.status, errorBody(null, denied.error), denied.headers);
    return null;
  }
  return view;
}

/** POST /mcp/:slug — one JSON-RPC message or a batch. */
export async function handleMcpPost(
  deps: McpEndpointDeps,
  req: IncomingMessage,
  res: ServerResponse,
  slug: string,
  body: Buffer,
): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return sendJson(res, 400, errorBody(null, new RpcError(JSONRPC.PARSE_ERROR, 'Parse error: the body is not valid JSON')));
  }
  if (exceedsDepth(parsed, deps.limits.maxJsonDepth)) {
    return sendJson(res, 400, errorBody(null, new RpcError(JSONRPC.INVALID_REQUEST, `Invalid Request: JSON nested deeper than ${deps.limits.maxJsonDepth} levels`)));
  }
  const batch = Array.isArray(parsed);
  const messages = (batch ? parsed : [parsed]) as JsonRpcMessage[];
  if (messages.length === 0) {
    return sendJson(res, 400, errorBody(null, new RpcError(JSONRPC.INVALID_REQUEST, 'Invalid Request: empty batch')));
  }
  const view = await resolveView(deps, req, res, slug);
  if (!view) return;

  // A batch may start with anything (null, a number): read the first message defensively.
  const first = asObject(messages[0]) as JsonRpcMessage;
  const sessionId = req.headers[SESSION_HEADER];
  let session: DownstreamSession | undefined;
  let created = false;
  if (typeof sessionId === 'string' && sessionId) {
    session = deps.sessions.get(sessionId);
    if (!session || session.slug !== slug) {
      return sendJson(res, 404, errorBody(first.id, new RpcError(JSONRPC.INVALID_REQUEST, 'Session not found: initialize a new session')));
    }
  } else if (!batch && first.method === 'initialize' && classify(first) === 'request') {
    const principal = deps.principalOf(req);
    if (principal && deps.sessions.countFor(principal) >= deps.limits.maxSessionsPerToken) {
      const error = new RpcError(JSONRPC.INVALID_REQUEST, `Too many sessions: this token already holds ${deps.limits.maxSessionsPerToken}; close some (DELETE) first`);
      return sendJson(res, 429, errorBody(first.id, error), { 'retry-after': '5' });
    }
    const params = (first.params ?? {}) as Record<string, unknown>;
    session = new DownstreamSession(
      slug,
      negotiateSessionVersion(params.protocolVersion),
      asObject(params.capabilities),
      asObject(params.clientInfo),
    );
    session.principal = principal;
    created = true;
  } else if (isModern(req, first)) {
    const meta = asObject(asObject(first.params)._meta);
    session = new DownstreamSession(slug, MODERN_PROTOCOL_VERSION, asObject(meta[META_CLIENT_CAPABILITIES]), asObject(meta[META_CLIENT_INFO]), true);
    session.principal = deps.principalOf(req); // binds a multi round-trip requestState to its caller
  } else {
    const error = new RpcError(JSONRPC.INVALID_REQUEST, 'Bad Request: Mcp-Session-Id header is required (send initialize first)');
    return sendJson(res, 400, errorBody(first.id, error));
  }

  if (created) {
    deps.sessions.add(session);
    const result = {
      protocolVersion: session.protocolVersion,
      capabilities: serverCapabilities(),
      serverInfo: deps.serverInfo,
      ...(view.instructions ? { instructions: view.instructions } : {}),
    };
    return sendJson(res, 200, resultBody(first.id as JsonRpcId, result), { [SESSION_HEADER]: session.id }, req.headers['accept-encoding']);
  }

  if (session.stateless && first.method === 'subscriptions/listen' && !batch) {
    return listen(deps, req, res, session, first.id as JsonRpcId);
  }

  if (body.length > deps.limits.maxToolInputBytes && messages.some((message) => message.method === 'tools/call')) {
    const error = new RpcError(JSONRPC.INVALID_PARAMS, `tools/call input is ${body.length} bytes; the limit is ${deps.limits.maxToolInputBytes}`);
    return sendJson(res, 413, errorBody(batch ? null : first.id, error));
  }
  const headers: Record<string, string> = session.stateless ? {} : { [SESSION_HEADER]: session.id };
  const responder = new PostResponder(req, res, session, headers);
  const answers = await Promise.all(messages.map((message) => answer(deps, view, session, message, responder)));
  const bodies = answers.filter((text): text is string => text !== null);
  if (bodies.length === 0) {
    if (!res.headersSent) {
      res.writeHead(202, headers);
      res.end();
    } else responder.end();
    return;
  }
  responder.finish(bodies, batch);
}

export async function answer(
  deps: McpEndpointDeps,
  view: PresetView,
  session: DownstreamSession,
  message: JsonRpcMessage,
  responder: { related(message: unknown): void },
): Promise<string | null> {
  const kind = classify(message);
  if (kind === 'invalid') {
    return errorBody(validId(message), new RpcError(JSONRPC.INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message'));
  }
  if (kind === 'response') {
    session.receiveResponse(message);
    return null;
  }
  const method = message.method as string;
  const params = message.params as Record<string, unknown> | undefined;
  if (kind === 'notification') {
    if (method === 'notifications/cancelled') session.inflight.get(params?.requestId as JsonRpcId)?.abort();
    return null;
  }
  const id = message.id as JsonRpcId;
  if (method === 'initialize') {
    return errorBody(id, new RpcError(JSONRPC.INVALID_REQUEST, 'Invalid Request: this session is already initialized'));
  }
  try {
    const result = await handleRequest(deps, { session, view, requestId: id, sendRelated: (m) => responder.related(m) }, method, params);
    return resultBody(id, result);
  } catch (error) {
    return errorBody(id, toRpcError(error));
  }
}

/**
 * The HTTP response of one POST: plain JSON unless something must be said before the answer
 * (progress, sampling, elicitation), in which case it becomes an SSE stream on the spot.
 */
class PostResponder {
  private sse: SseStream | null = null;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly session: DownstreamSession,
    private readonly headers: Record<string, string>,
  ) {}

  related(message: unknown): void {
    if (!this.sse) {
      if (!acceptsSse(this.req) || this.res.headersSent) {
        this.session.push(message);
        return;
      }
      this.sse = new SseStream(this.res, this.headers);
    }
    this.sse.message(message);
  }

  finish(bodies: string[], batch: boolean): void {
    if (this.sse) {
      for (const body of bodies) this.sse.event('message', body);
      this.sse.end();
      return;
    }
    if (this.res.headersSent || this.res.destroyed) return;
    sendJson(this.res, 200, batch ? `[${bodies.join(',')}]` : (bodies[0] as string), this.headers, this.req.headers['accept-encoding']);
  }

  end(): void {
    this.sse?.end();
  }
}

/** 2026-07-28 `subscriptions/listen`: a long-lived POST response carrying change notifications. */
function listen(deps: McpEndpointDeps, req: IncomingMessage, res: ServerResponse, session: DownstreamSession, id: JsonRpcId): void {
  if (!acceptsSse(req)) {
    return sendJson(res, 406, errorBody(id, new RpcError(JSONRPC.INVALID_REQUEST, 'subscriptions/listen needs Accept: text/event-stream')));
  }
  session.stream = new SseStream(res);
  deps.sessions.add(session);
  session.stream.onClose(() => deps.sessions.delete(session.id));
}

/** GET /mcp/:slug — the stream for messages not tied to a request (2025 sessions). */
export async function handleMcpGet(deps: McpEndpointDeps, req: IncomingMessage, res: ServerResponse, slug: string): Promise<void> {
  const view = await resolveView(deps, req, res, slug);
  if (!view) return;
  const sessionId = req.headers[SESSION_HEADER];
  if (typeof sessionId !== 'string' || !sessionId) {
    res.writeHead(405, { allow: 'POST, DELETE' });
    return void res.end();
  }
  const session = deps.sessions.get(sessionId);
  if (!session || session.slug !== slug) {
    return sendJson(res, 404, errorBody(null, new RpcError(JSONRPC.INVALID_REQUEST, 'Session not found: initialize a new session')));
  }
  if (!acceptsSse(req)) {
    return sendJson(res, 406, errorBody(null, new RpcError(JSONRPC.INVALID_REQUEST, 'Not Acceptable: the GET stream needs Accept: text/event-stream')));
  }
  session.stream?.end();
  const stream = new SseStream(res, { [SESSION_HEADER]: session.id });
  session.stream = stream;
  stream.onClose(() => {
    if (session.stream === stream) session.stream = null;
  });
  // A client whose stream dropped resumes after the last event it saw (SSE Last-Event-ID).
  const lastEventId = req.headers['last-event-id'];
  if (typeof lastEventId === 'string') session.resume(lastEventId);
}

/** DELETE /mcp/:slug — the client ends its session. */
export function handleMcpDelete(deps: McpEndpointDeps, req: IncomingMessage, res: ServerResponse, slug: string): void {
  const sessionId = req.headers[SESSION_HEADER];
  const session = typeof sessionId === 'string' ? deps.sessions.get(sessionId) : undefined;
  if (!session || session.slug !== slug) {
    return sendJson(res, 404, errorBody(null, new RpcError(JSONRPC.INVALID_REQUEST, 'Session not found')));
  }
  deps.sessions.delete(session.id);
  res.writeHead(200);
  res.end();
}

function isModern(req: IncomingMessage, message: JsonRpcMessage): boolean {
  if (req.headers['mcp-protocol-version'] === MODERN_PROTOCOL_VERSION) return true;
  const meta = asObject(asObject(message.params)._meta);
  return meta[META_PROTOCOL_VERSION] === MODERN_PROTOCOL_VERSION || message.method === 'server/discover';
}

export function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function validId(message: JsonRpcMessage): unknown {
  return typeof message === 'object' && message !== null && (typeof message.id === 'string' || typeof message.id === 'number') ? message.id : null;
}
