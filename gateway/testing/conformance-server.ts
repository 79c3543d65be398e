#!/usr/bin/env node
/**
 * The server under test for the official MCP conformance suite (@modelcontextprotocol/conformance,
 * server mode): implements every fixture the server scenarios call, written from the scenario
 * definitions. `node conformance-server.js stdio` or `node conformance-server.js http PORT`
 * (Streamable HTTP on 127.0.0.1 at /mcp, stateful sessions with resumable SSE streams, Host/Origin
 * checked against DNS rebinding; prints `listening PORT` once bound).
 *
 * The fixtures (tools, resources, prompts) live in conformance-fixtures.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport, type EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { buildServer } from './conformance-fixtures.js';

/** Keeps every SSE event of this process so a client can resume a stream with Last-Event-ID. */
class MemoryEventStore implements EventStore {
  private readonly events = new Map<string, { streamId: string; message: JSONRPCMessage }>();
  private next = 1;

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const eventId = `${streamId}_${this.next++}`;
    this.events.set(eventId, { streamId, message });
    return eventId;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.events.get(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const last = this.events.get(lastEventId);
    if (!last) return '';
    let after = false;
    for (const [eventId, event] of this.events) {
      if (eventId === lastEventId) {
        after = true;
        continue;
      }
      // Priming events are stored as `{}`: they carry no message to replay.
      if (after && event.streamId === last.streamId && Object.keys(event.message).length > 0) await send(eventId, event.message);
    }
    return last.streamId;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** DNS-rebinding guard: the Host and any Origin must name a loopback address. */
function loopbackOnly(req: IncomingMessage): string | null {
  const host = req.headers.host ?? '';
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
  if (!LOOPBACK.has(hostname.toLowerCase())) return `Host "${host}" is not allowed`;
  const origin = req.headers.origin;
  if (origin) {
    try {
      if (!LOOPBACK.has(new URL(origin).hostname.toLowerCase())) return `Origin "${origin}" is not allowed`;
    } catch {
      return `Origin "${origin}" is not allowed`;
    }
  }
  return null;
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
}

function serveHttp(port: number): void {
  const eventStore = new MemoryEventStore();
  const transports = new Map<string, StreamableHTTPServerTransport>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refused = loopbackOnly(req);
    if (refused) return rpcError(res, 403, -32000, `Forbidden: ${refused}`);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/mcp') return rpcError(res, 404, -32000, 'Not found: the MCP endpoint is /mcp');

    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = await readJson(req);
      } catch {
        return rpcError(res, 400, -32700, 'Parse error');
      }
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string' && sessionId) {
      const transport = transports.get(sessionId);
      if (!transport) return rpcError(res, 404, -32001, 'Session not found');
      return transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return rpcError(res, 400, -32000, 'Bad Request: no valid session id (send initialize first)');
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore,
      retryInterval: 500,
      onsessioninitialized: (id) => {
        transports.set(id, transport);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) transports.delete(transport.sessionId);
    };
    await buildServer().connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(`conformance-server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      if (!res.headersSent) rpcError(res, 500, -32603, 'Internal error');
      else res.end();
    });
  });
  const shutdown = (): void => {
    for (const transport of transports.values()) void transport.close();
    http.closeAllConnections();
    http.close(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  http.listen(port, '127.0.0.1', () => {
    const address = http.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
  });
}

export async function runConformanceServer(args: string[]): Promise<void> {
  const mode = args[0] ?? 'stdio';
  if (mode === 'stdio') {
    await buildServer().connect(new StdioServerTransport());
    return;
  }
  if (mode === 'http') {
    serveHttp(Number(args[1] ?? '0'));
    return;
  }
  process.stderr.write('usage: conformance-server.js stdio | http [PORT]\n');
  process.exit(2);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  void runConformanceServer(process.argv.slice(2));
}
