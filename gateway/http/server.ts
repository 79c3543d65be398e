import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { httpStatusFor, type WireResult } from '../contract/index.js';
import type { Dispatch } from '../api/dispatcher.js';
import { handleMcpDelete, handleMcpGet, handleMcpPost, sendJson, type McpEndpointDeps } from '../mcp/streamable-http.js';
import { handleLegacySseGet, handleLegacySsePost } from '../mcp/legacy-sse.js';
import { BodyTooLargeError, readBody } from './body.js';
import { bearerToken, checkHostAndOrigin, safeEqual } from './guards.js';
import type { EventHub } from './event-hub.js';
import { createStaticUi } from './static-ui.js';

export interface HttpAppOptions {
  mcp: McpEndpointDeps;
  dispatch: Dispatch;
  adminToken: string;
  events: EventHub;
  maxBodyBytes: number;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  ready(): Promise<{ ok: boolean; detail: unknown }>;
  log(line: string): void;
  /** Requests refused before any route (Host/Origin guard, admin token): for the audit log. */
  onRefused?: (refusal: { path: string; status: number; reason: string }) => void;
  /** Folder of the built UI served for other GET requests (default: renderer/dist); null: no UI. */
  uiRoot?: string | null;
  /** The Prometheus text exposition for `GET /metrics` (404 when absent). */
  metricsText?: () => Promise<string>;
}

const MCP_PATH = /^\/mcp\/([^/]+)\/?$/;
const SSE_PATH = /^\/sse\/([^/]+)\/?$/;
const MESSAGES_PATH = /^\/messages\/([^/]+)\/?$/;
const API_PATH = /^\/api\/([A-Za-z0-9_.-]+)$/;

/**
 * The gateway's HTTP surface on bare node:http (an Express route costs ~6x more per request
 * on these machines, and the MCP hot path is the product). Routing is a handful of regexes.
 */
export function createHttpServer(options: HttpAppOptions): Server {
  const allowedHosts = new Set((options.allowedHosts ?? []).map((host) => host.toLowerCase()));
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const staticUi = options.uiRoot === null ? null : createStaticUi(options.uiRoot);

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refused = checkHostAndOrigin(req, allowedHosts, allowedOrigins);
    if (refused) options.onRefused?.({ path: (req.url ?? '/').split('?')[0] ?? '/', status: 403, reason: refused });
    if (refused) return sendJson(res, 403, JSON.stringify({ ok: false, error: { code: 'forbidden', message: refused } }));
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const method = req.method ?? 'GET';

    let match = MCP_PATH.exec(path);
    if (match) {
      const slug = decodeURIComponent(match[1] ?? '');
      if (method === 'POST') return handleMcpPost(options.mcp, req, res, slug, await readBody(req, options.maxBodyBytes));
      if (method === 'GET') return handleMcpGet(options.mcp, req, res, slug);
      if (method === 'DELETE') return handleMcpDelete(options.mcp, req, res, slug);
      return methodNotAllowed(res, 'GET, POST, DELETE');
    }
    if (path === '/healthz') return sendJson(res, 200, '{"status":"ok"}');
    if (path === '/metrics' && options.metricsText) {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
      const text = await options.metricsText();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
      res.end(method === 'HEAD' ? undefined : text);
      return;
    }
    if (path === '/readyz') {
      const ready = await options.ready();
      return sendJson(res, ready.ok ? 200 : 503, JSON.stringify({ status: ready.ok ? 'ready' : 'not ready', ...(ready.detail as object) }));
    }
    match = API_PATH.exec(path);
    if (match && match[1] !== 'events') {
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      if (!isAdmin(req, options.adminToken)) {
        options.onRefused?.({ path, status: 401, reason: 'admin API without a valid admin token' });
        return unauthorized(res);
      }
      return handleApi(options, res, match[1] ?? '', await readBody(req, options.maxBodyBytes), req.headers['accept-encoding']);
    }
    if (path === '/api/events') {
      if (!isAdmin(req, options.adminToken)) {
        options.onRefused?.({ path, status: 401, reason: 'admin API without a valid admin token' });
        return unauthorized(res);
      }
      return options.events.subscribe(res);
    }
    match = SSE_PATH.exec(path);
    if (match && method === 'GET') return handleLegacySseGet(options.mcp, req, res, decodeURIComponent(match[1] ?? ''));
    match = MESSAGES_PATH.exec(path);
    if (match && method === 'POST') {
      const sessionId = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1)).get('sessionId');
      const body = await readBody(req, options.maxBodyBytes);
      return handleLegacySsePost(options.mcp, req, res, decodeURIComponent(match[1] ?? ''), sessionId, body);
    }
    if (staticUi && (await staticUi(req, res, path))) return;
    sendJson(res, 404, JSON.stringify({ ok: false, error: { code: 'not_found', message: `no route for ${method} ${path}` } }));
  };

  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) {
        const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32013, message: `Request body too large (limit ${error.limit} bytes)` } });
        // Answer now but let the client finish sending (else it sees EPIPE instead of the 413);
        // a sender that never stops is cut off.
        if (!res.headersSent) sendJson(res, 413, body);
        setTimeout(() => {
          if (!req.complete) req.socket.destroy();
        }, 10_000).unref();
        return;
      }
      options.log(`http ${req.method} ${req.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, JSON.stringify({ ok: false, error: { code: 'internal', message: 'internal error' } }));
      else res.end();
    });
  });
}

async function handleApi(
  options: HttpAppOptions,
  res: ServerResponse,
  method: string,
  body: Buffer,
  acceptEncoding: string | undefined,
): Promise<void> {
  let input: unknown = {};
  if (body.length > 0) {
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(res, 400, JSON.stringify({ ok: false, error: { code: 'bad_request', message: 'the body is not valid JSON' } }));
    }
  }
  const result: WireResult<unknown> = await options.dispatch(method, input);
  sendJson(res, result.ok ? 200 : httpStatusFor(result.error.code), JSON.stringify(result), {}, acceptEncoding);
}

function isAdmin(req: IncomingMessage, adminToken: string): boolean {
  const token = bearerToken(req);
  return token !== null && safeEqual(token, adminToken);
}

function unauthorized(res: ServerResponse): void {
  sendJson(res, 401, JSON.stringify({ ok: false, error: { code: 'unauthorized', message: 'the admin API needs "Authorization: Bearer <admin token>" (see the admin-token file in the data dir)' } }), {
    'www-authenticate': 'Bearer realm="mcp-gateway-admin"',
  });
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.writeHead(405, { allow });
  res.end();
}
