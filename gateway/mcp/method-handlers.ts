import type { MetricsRecorder } from '../metrics/recorder.js';
import type { MetricStatus } from '../db/records.js';
import { JSONRPC, RpcError, TimeoutError, toRpcError } from '../upstream/json-rpc-peer.js';
import type { CallOrigin, UpstreamConnection } from '../upstream/connection.js';
import type { RawItem } from '../upstream/catalog.js';
import { mostVerboseLevel, type DownstreamSession } from './session.js';
import type { Exchange, MrtrBroker } from './mrtr.js';
import { routeResource, type PresetView } from './preset-view.js';
import { MODERN_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, serverCapabilities } from './protocol.js';

type Params = Record<string, unknown> | undefined;

/** A result already serialised to JSON text (cached list results), spliced into the response as-is. */
export class RawResult {
  constructor(readonly json: string) {}
}

export type HandlerResult = Record<string, unknown> | RawResult;

export interface RequestContext {
  session: DownstreamSession;
  view: PresetView;
  requestId: string | number;
  /** Sends a message tied to this request (progress, sampling…); may turn the response into SSE. */
  sendRelated(message: unknown): void;
}

export interface McpHandlerDeps {
  recorder: MetricsRecorder;
  serverInfo: { name: string; version: string };
  /** Multi round-trip requests for stateless clients (absent: their server requests fail). */
  mrtr?: MrtrBroker;
  /** The other sessions an upstream's log messages reach (for the level asked of that upstream). */
  logListeners?: {
    slugsUsingServer(serverId: string): Iterable<string>;
    sessionsOf(slug: string): Iterable<{ logLevel: string | null }>;
  };
}

/** Server→client requests and the client capability each needs. */
const CLIENT_CAPABILITY_FOR: Record<string, string | undefined> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

type ListKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';
const serializedLists = new WeakMap<PresetView, Partial<Record<ListKind, string>>>();

function listResult(view: PresetView, kind: ListKind, modern: boolean): RawResult {
  let cache = serializedLists.get(view);
  if (!cache) serializedLists.set(view, (cache = {}));
  const items = (cache[kind] ??= JSON.stringify(view[kind]));
  return new RawResult(`{"${kind}":${items}${modern ? ',"resultType":"complete"' : ''}}`);
}

/** Answers one client request against a preset view. Throws RpcError for JSON-RPC errors. */
export async function handleRequest(
  deps: McpHandlerDeps,
  ctx: RequestContext,
  method: string,
  params: Params,
): Promise<HandlerResult> {
  const modern = ctx.session.protocolVersion === MODERN_PROTOCOL_VERSION;
  switch (method) {
    case 'ping':
      return {};
    case 'server/discover':
      return {
        supportedVersions: SUPPORTED_PROTOCOL_VERSIONS,
        capabilities: serverCapabilities(),
        serverInfo: deps.serverInfo,
        ...(ctx.view.instructions ? { instructions: ctx.view.instructions } : {}),
        resultType: 'complete',
      };
    case 'tools/list':
      return timedList(deps, ctx, 'tools/list', () => listResult(ctx.view, 'tools', modern));
    case 'prompts/list':
      return timedList(deps, ctx, 'prompts/list', () => listResult(ctx.view, 'prompts', modern));
    case 'resources/list':
      return timedList(deps, ctx, 'resources/list', () => listResult(ctx.view, 'resources', modern));
    case 'resources/templates/list':
      return timedList(deps, ctx, 'resources/templates/list', () => listResult(ctx.view, 'resourceTemplates', modern));
    case 'tools/call':
      return callTool(deps, ctx, params);
    case 'prompts/get':
      return getPrompt(deps, ctx, params);
    case 'resources/read':
      return forwardByUri(deps, ctx, 'resources/read', params);
    case 'resources/subscribe':
      ctx.session.subscriptions.add(String(params?.uri ?? ''));
      return forwardByUri(deps, ctx, 'resources/subscribe', params);
    case 'resources/unsubscribe':
      ctx.session.subscriptions.delete(String(params?.uri ?? ''));
      return forwardByUri(deps, ctx, 'resources/unsubscribe', params);
    case 'completion/complete':
      return complete(deps, ctx, params);
    case 'logging/setLevel':
      return setLogLevel(deps, ctx, params);
    default:
      throw new RpcError(JSONRPC.METHOD_NOT_FOUND, `Method not found: ${method}`);
  }
}

function requireString(params: Params, field: string, method: string): string {
  const value = params?.[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new RpcError(JSONRPC.INVALID_PARAMS, `${method}: "${field}" must be a non-empty string`);
  }
  return value;
}

async function callTool(deps: McpHandlerDeps, ctx: RequestContext, params: Params): Promise<HandlerResult> {
  const name = requireString(params, 'name', 'tools/call');
  if (params?.arguments !== undefined && (typeof params.arguments !== 'object' || params.arguments === null || Array.isArray(params.arguments))) {
    throw new RpcError(JSONRPC.INVALID_PARAMS, 'tools/call: "arguments" must be an object');
  }
  const route = ctx.view.toolRoutes.get(name);
  if (!route) {
    const server = ctx.view.unavailableTools.get(name);
    const error = server
      ? new RpcError(JSONRPC.UPSTREAM_UNAVAILABLE, `Tool "${name}" is unavailable: upstream server "${server}" is ${ctx.view.unavailable.get(server) ?? 'down'}`, { server })
      : new RpcError(JSONRPC.INVALID_PARAMS, `Unknown tool: "${name}" is not in preset "${ctx.view.preset.slug}"`);
    record(deps, ctx, null, name, 'tools/call', 'rejected', 0, error.message);
    throw error;
  }
  return forward(deps, ctx, route.connection, 'tools/call', { ...params, name: route.upstreamName }, route.timeoutMs, name);
}

async function getPrompt(deps: McpHandlerDeps, ctx: RequestContext, params: Params): Promise<HandlerResult> {
  const name = requireString(params, 'name', 'prompts/get');
  const route = ctx.view.promptRoutes.get(name);
  if (!route) throw new RpcError(JSONRPC.INVALID_PARAMS, `Unknown prompt: "${name}" is not in preset "${ctx.view.preset.slug}"`);
  return forward(deps, ctx, route.connection, 'prompts/get', { ...params, name: route.upstreamName }, defaultTimeout(route.connection), name);
}

async function forwardByUri(deps: McpHandlerDeps, ctx: RequestContext, method: string, params: Params): Promise<HandlerResult> {
  const uri = requireString(params, 'uri', method);
  const connection = routeResource(ctx.view, uri);
  if (!connection) throw new RpcError(-32002, `Resource not found: ${uri}`, { uri });
  return forward(deps, ctx, connection, method, params, defaultTimeout(connection), uri);
}

async function complete(deps: McpHandlerDeps, ctx: RequestContext, params: Params): Promise<HandlerResult> {
  const ref = params?.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
  if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
    const route = ctx.view.promptRoutes.get(ref.name);
    if (!route) throw new RpcError(JSONRPC.INVALID_PARAMS, `Unknown prompt: "${ref.name}"`);
    const upstreamParams = { ...params, ref: { ...ref, name: route.upstreamName } };
    return forward(deps, ctx, route.connection, 'completion/complete', upstreamParams, defaultTimeout(route.connection), ref.name);
  }
  if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
    const connection = routeResource(ctx.view, ref.uri);
    if (!connection) throw new RpcError(JSONRPC.INVALID_PARAMS, `Unknown resource: ${ref.uri}`);
    return forward(deps, ctx, connection, 'completion/complete', params, defaultTimeout(connection), ref.uri);
  }
  throw new RpcError(JSONRPC.INVALID_PARAMS, 'completion/complete: "ref" must be a ref/prompt with a name or a ref/resource with a uri');
}

/**
 * Records the session's level and asks each upstream of the preset for the most verbose level
 * any session using it wants (one connection serves them all): each session then gets only the
 * levels it asked for (broadcast.ts filters), and none loses messages to another's setting.
 */
function setLogLevel(deps: McpHandlerDeps, ctx: RequestContext, params: Params): Record<string, unknown> {
  const level = requireString(params, 'level', 'logging/setLevel');
  ctx.session.logLevel = level;
  const seen = new Set<UpstreamConnection>();
  for (const route of ctx.view.toolRoutes.values()) seen.add(route.connection);
  for (const route of ctx.view.promptRoutes.values()) seen.add(route.connection);
  for (const connection of seen) {
    if (!connection.catalog.capabilities.logging) continue;
    const wanted = [level];
    for (const slug of deps.logListeners?.slugsUsingServer(connection.server.id) ?? []) {
      for (const session of deps.logListeners?.sessionsOf(slug) ?? []) if (session.logLevel) wanted.push(session.logLevel);
    }
    void connection.request('logging/setLevel', { level: mostVerboseLevel(wanted) }, { timeoutMs: 5_000 }).catch(() => undefined);
  }
  return {};
}

function defaultTimeout(connection: UpstreamConnection): number {
  return connection.server.timeoutMs ?? 30_000;
}

/**
 * Relays one request upstream on the shared connection: the client's cancellation aborts it,
 * its progress token is honoured, and server→client requests raised meanwhile come back here.
 */
async function forward(
  deps: McpHandlerDeps,
  ctx: RequestContext,
  connection: UpstreamConnection,
  method: string,
  params: Params,
  timeoutMs: number,
  itemName: string,
): Promise<HandlerResult> {
  const started = performance.now();
  const controller = new AbortController();
  const { session, requestId } = ctx;
  // A stateless (2026-07-28) client cannot be asked in the middle of a call: it gets input_required.
  const rounds = session.stateless && deps.mrtr && MRTR_METHODS.has(method) ? deps.mrtr : null;
  if (rounds && params?.requestState !== undefined) {
    const exchange = rounds.resume(params.requestState, session.principal, method, itemName);
    exchange.answer(asRecord(params.inputResponses));
    return settleRound(deps, ctx, rounds, exchange, connection, method, itemName, timeoutMs);
  }
  const exchange = rounds?.open(session.principal, method, itemName, controller, (m) => canClientAnswer(session, m)) ?? null;
  session.inflight.set(requestId, controller);
  const meta = params?._meta as Record<string, unknown> | undefined;
  const clientToken = meta?.progressToken;
  const ask = exchange
    ? exchange.origin.onServerRequest
    : (serverMethod: string, serverParams: Record<string, unknown> | undefined, signal: AbortSignal) =>
        session.requestClient(serverMethod, serverParams, (message) => ctx.sendRelated(message), signal);
  let asking = 0;
  const origin: CallOrigin = {
    onServerRequest: (serverMethod, serverParams, signal) => {
      if (serverMethod === 'roots/list' && !session.clientCapabilities.roots) return Promise.resolve({ roots: [] });
      if (!canClientAnswer(session, serverMethod)) {
        return Promise.reject(new RpcError(JSONRPC.METHOD_NOT_FOUND, `the client does not support ${CLIENT_CAPABILITY_FOR[serverMethod]}`));
      }
      asking++;
      return ask(serverMethod, serverParams, signal).finally(() => asking--);
    },
    canAnswer: (serverMethod) => canClientAnswer(session, serverMethod),
    busy: () => asking > 0,
  };
  let upstreamParams = params;
  if (clientToken !== undefined && meta) {
    const { progressToken: _dropped, ...restMeta } = meta;
    upstreamParams = { ...params, _meta: restMeta };
  }
  const call = connection.request(
    method,
    upstreamParams,
    {
      timeoutMs,
      signal: controller.signal,
      onProgress:
        clientToken === undefined
          ? undefined
          : (progress) => ctx.sendRelated({ jsonrpc: '2.0', method: 'notifications/progress', params: { ...progress, progressToken: clientToken } }),
    },
    origin,
  );
  if (exchange && rounds) {
    exchange.track(call);
    try {
      return await settleRound(deps, ctx, rounds, exchange, connection, method, itemName, timeoutMs, started);
    } finally {
      session.inflight.delete(requestId);
    }
  }
  try {
    const result = await call;
    record(deps, ctx, connection, itemName, method, result.isError === true ? 'error' : 'ok', performance.now() - started, null);
    if (session.protocolVersion === MODERN_PROTOCOL_VERSION && result.resultType === undefined) return { ...result, resultType: 'complete' };
    return result;
  } catch (error) {
    throw failed(deps, ctx, connection, method, itemName, timeoutMs, started, error);
  } finally {
    session.inflight.delete(requestId);
  }
}

/** prompts/get, resources/read and tools/call may answer input_required (2026-07-28). */
const MRTR_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read']);

function canClientAnswer(session: DownstreamSession, serverMethod: string): boolean {
  const capability = CLIENT_CAPABILITY_FOR[serverMethod];
  return !capability || Boolean(session.clientCapabilities[capability]);
}

/**
 * One round of a multi round-trip call: the upstream's answer, or what it waits for as
 * `input_required` with a sealed requestState for the client's retry.
 */
async function settleRound(
  deps: McpHandlerDeps,
  ctx: RequestContext,
  rounds: MrtrBroker,
  exchange: Exchange,
  connection: UpstreamConnection,
  method: string,
  itemName: string,
  timeoutMs: number,
  started = exchange.startedAt,
): Promise<HandlerResult> {
  try {
    const outcome = await exchange.next();
    if (outcome.kind === 'input') return { resultType: 'input_required', inputRequests: outcome.requests, requestState: rounds.seal(exchange) };
    rounds.close(exchange);
    const result = outcome.result;
    record(deps, ctx, connection, itemName, method, result.isError === true ? 'error' : 'ok', performance.now() - started, null);
    return result.resultType === undefined ? { ...result, resultType: 'complete' } : result;
  } catch (error) {
    rounds.close(exchange);
    throw failed(deps, ctx, connection, method, itemName, timeoutMs, started, error);
  }
}

/** Records a failed call and says what happened in a JSON-RPC error. */
function failed(
  deps: McpHandlerDeps,
  ctx: RequestContext,
  connection: UpstreamConnection,
  method: string,
  itemName: string,
  timeoutMs: number,
  started: number,
  error: unknown,
): RpcError {
  const status: MetricStatus = error instanceof TimeoutError ? 'timeout' : 'error';
  const rpcError = error instanceof TimeoutError
    ? new RpcError(JSONRPC.REQUEST_TIMEOUT, `${method} "${itemName}" timed out after ${timeoutMs} ms (upstream server "${connection.name}"); the call was cancelled upstream`, { server: connection.name, timeoutMs })
    : toRpcError(error);
  record(deps, ctx, connection, itemName, method, status, performance.now() - started, rpcError.message);
  return rpcError;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function timedList(deps: McpHandlerDeps, ctx: RequestContext, method: string, produce: () => RawResult): RawResult {
  const started = performance.now();
  const result = produce();
  record(deps, ctx, null, null, method, 'ok', performance.now() - started, null);
  return result;
}

function record(
  deps: McpHandlerDeps,
  ctx: RequestContext,
  connection: UpstreamConnection | null,
  toolName: string | null,
  eventType: string,
  status: MetricStatus,
  latencyMs: number,
  errorMessage: string | null,
): void {
  deps.recorder.record({
    ts: new Date(),
    presetId: ctx.view.preset.id,
    serverId: connection?.server.id ?? null,
    toolName,
    eventType,
    status,
    latencyMs,
    errorMessage,
    sessionId: ctx.session.stateless ? null : ctx.session.id,
    metadata: null,
  });
}

export type { RawItem };
