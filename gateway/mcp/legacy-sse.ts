import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSONRPC, RpcError } from '../upstream/json-rpc-peer.js';
import { DownstreamSession } from './session.js';
import { SseStream } from './sse.js';
import { answer, asObject, errorBody, resolveView, sendJson, type McpEndpointDeps } from './streamable-http.js';
import { negotiateSessionVersion, serverCapabilities, type JsonRpcMessage } from './protocol.js';

/**
 * The 2024-11-05 HTTP+SSE transport for old clients: GET /sse/:slug opens the stream and names
 * the endpoint; every answer travels on that stream, POSTs only get 202.
 */
export async function handleLegacySseGet(deps: McpEndpointDeps, req: IncomingMessage, res: ServerResponse, slug: string): Promise<void> {
  const view = await resolveView(deps, req, res, slug);
  if (!view) return;
  const session = new DownstreamSession(slug, '2024-11-05', {}, {});
  session.stream = new SseStream(res);
  deps.sessions.add(session);
  session.stream.onClose(() => deps.sessions.delete(session.id));
  session.stream.event('endpoint', `/messages/${encodeURIComponent(slug)}?sessionId=${session.id}`);
}

export async function handleLegacySsePost(
  deps: McpEndpointDeps,
  req: IncomingMessage,
  res: ServerResponse,
  slug: string,
  sessionId: string | null,
  body: Buffer,
): Promise<void> {
  const session = sessionId ? deps.sessions.get(sessionId) : undefined;
  if (!session || session.slug !== slug || !session.stream) {
    return sendJson(res, 404, errorBody(null, new RpcError(JSONRPC.INVALID_REQUEST, 'Session not found: open GET /sse/:slug first')));
  }
  let message: JsonRpcMessage;
  try {
    message = JSON.parse(body.toString('utf8')) as JsonRpcMessage;
  } catch {
    return sendJson(res, 400, errorBody(null, new RpcError(JSONRPC.PARSE_ERROR, 'Parse error: the body is not valid JSON')));
  }
  const view = await resolveView(deps, req, res, slug);
  if (!view) return;
  res.writeHead(202);
  res.end('Accepted');
  if (message?.method === 'initialize' && message.id !== undefined) {
    const params = asObject(message.params);
    session.protocolVersion = negotiateSessionVersion(params.protocolVersion);
    session.clientCapabilities = asObject(params.capabilities);
    session.clientInfo = asObject(params.clientInfo);
    session.push({
      jsonrpc: '2.0',
      id: message.id,
      result: {
        protocolVersion: session.protocolVersion,
        capabilities: serverCapabilities(),
        serverInfo: deps.serverInfo,
        ...(view.instructions ? { instructions: view.instructions } : {}),
      },
    });
    return;
  }
  const reply = await answer(deps, view, session, message, { related: (m) => session.push(m) });
  if (reply !== null) session.stream?.event('message', reply);
}
