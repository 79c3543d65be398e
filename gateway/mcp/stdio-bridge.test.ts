import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runStdioBridge } from './stdio-bridge.js';

/**
 * A minimal Streamable HTTP endpoint standing in for the gateway: sessions, JSON responses,
 * a GET stream that sends one server→client request, and a switch to forget all sessions
 * (what a gateway restart looks like to a client).
 */
class FakeGateway {
  server: Server;
  url = '';
  sessions = new Set<string>();
  received: Array<{ message: Record<string, unknown>; headers: IncomingMessage['headers'] }> = [];
  private next = 1;

  constructor(private readonly requireToken?: string) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url !== '/mcp/dev') return this.reply(res, 404, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Unknown preset' } });
    if (this.requireToken && req.headers.authorization !== `Bearer ${this.requireToken}`) {
      return this.reply(res, 401, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Unauthorized' } });
    }
    const session = req.headers['mcp-session-id'] as string | undefined;
    if (req.method === 'DELETE') {
      if (session) this.sessions.delete(session);
      res.writeHead(200).end();
      return;
    }
    if (req.method === 'GET') {
      if (!session || !this.sessions.has(session)) return this.reply(res, 404, {});
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id: 'srv-1', method: 'roots/list' })}\n\n`);
      return; // stays open like a real notification stream
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    this.received.push({ message, headers: req.headers });

    if (message['method'] === 'initialize') {
      const id = `s${this.next++}`;
      this.sessions.add(id);
      res.setHeader('mcp-session-id', id);
      return this.reply(res, 200, {
        jsonrpc: '2.0',
        id: message['id'],
        result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'fake', version: '1' } },
      });
    }
    if (!session || !this.sessions.has(session)) {
      return this.reply(res, 404, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Session not found' } });
    }
    if (!('id' in message) || !('method' in message)) {
      res.writeHead(202).end(); // notifications and client responses
      return;
    }
    // Unknown fields must survive the relay in both directions.
    return this.reply(res, 200, { jsonrpc: '2.0', id: message['id'], result: { echo: message['params'], extra: { x: 1 } } });
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

class StdioClient {
  stdin = new PassThrough();
  stdout = new PassThrough();
  stderr = new PassThrough();
  messages: Array<Record<string, unknown>> = [];
  errors = '';
  private buffer = '';
  private waiters: Array<() => void> = [];

  constructor() {
    this.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        this.messages.push(JSON.parse(this.buffer.slice(0, newline)) as Record<string, unknown>);
        this.buffer = this.buffer.slice(newline + 1);
        for (const wake of this.waiters.splice(0)) wake();
      }
    });
    this.stderr.on('data', (chunk: Buffer) => (this.errors += chunk.toString('utf8')));
  }

  send(message: Record<string, unknown>): void {
    this.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  }

  async waitFor(match: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  response(id: unknown) {
    return this.waitFor((m) => m['id'] === id && !('method' in m));
  }
}

const initialize = { id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } };

let gateway: FakeGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

describe('runStdioBridge', () => {
  it('relays requests, responses, notifications and server→client requests verbatim', async () => {
    gateway = new FakeGateway('tok');
    await gateway.start();
    const client = new StdioClient();
    const done = runStdioBridge({ url: gateway.url, slug: 'dev', token: 'tok', ...client });

    client.send(initialize);
    expect((await client.response(1))['result']).toMatchObject({ protocolVersion: '2025-06-18' });
    client.send({ method: 'notifications/initialized' });

    // The GET stream opened after `initialized` delivers a server→client request…
    const serverRequest = await client.waitFor((m) => m['method'] === 'roots/list');
    expect(serverRequest).toEqual({ jsonrpc: '2.0', id: 'srv-1', method: 'roots/list' });
    // …whose answer goes back to the gateway.
    client.send({ id: 'srv-1', result: { roots: [] } });

    client.send({ id: 2, method: 'tools/call', params: { name: 'a', arguments: { q: 1 }, _meta: { progressToken: 7 }, custom: true } });
    expect(await client.response(2)).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: { echo: { name: 'a', arguments: { q: 1 }, _meta: { progressToken: 7 }, custom: true }, extra: { x: 1 } },
    });

    client.stdin.end();
    await done;

    const received = gateway.received.map((r) => r.message);
    expect(received).toContainEqual({ jsonrpc: '2.0', id: 'srv-1', result: { roots: [] } });
    expect(received).toContainEqual({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const call = gateway.received.find((r) => r.message['id'] === 2);
    expect(call?.headers['authorization']).toBe('Bearer tok');
    expect(call?.headers['mcp-session-id']).toBe('s1');
    expect(call?.headers['mcp-protocol-version']).toBe('2025-06-18');
    expect(gateway.sessions.size).toBe(0); // the session was closed with DELETE on exit
    expect(client.errors).toBe('');
  });

  it('re-initialises transparently when the gateway forgot the session', async () => {
    gateway = new FakeGateway();
    await gateway.start();
    const client = new StdioClient();
    const done = runStdioBridge({ url: gateway.url, slug: 'dev', ...client });
    client.send(initialize);
    await client.response(1);
    client.send({ method: 'notifications/initialized' });
    await client.waitFor((m) => m['method'] === 'roots/list');

    gateway.sessions.clear(); // what a restarted gateway knows
    client.send({ id: 2, method: 'tools/list' });
    expect((await client.response(2))['result']).toBeDefined();

    // The replayed initialize was the bridge's own: its answer never reached the client.
    expect(client.messages.filter((m) => m['id'] === 1)).toHaveLength(1);
    expect(gateway.received.filter((r) => r.message['method'] === 'initialize')).toHaveLength(2);
    expect(client.errors).toContain('continuing on a new session');
    client.stdin.end();
    await done;
  });

  it('answers requests with a JSON-RPC error when the gateway cannot be reached', async () => {
    gateway = new FakeGateway();
    await gateway.start();
    const url = gateway.url;
    await gateway.stop();
    gateway = undefined;

    const client = new StdioClient();
    const done = runStdioBridge({ url, slug: 'dev', ...client });
    client.send(initialize);
    const reply = await client.response(1);
    expect(reply['error']).toMatchObject({ code: -32000, message: expect.stringContaining(`cannot reach the gateway at ${url}`) });
    expect(client.errors).toContain('is `mcp-gateway serve` running?');
    client.stdin.end();
    await done;
  });

  it('explains a missing token and an unknown preset', async () => {
    gateway = new FakeGateway('tok');
    await gateway.start();
    const client = new StdioClient();
    const done = runStdioBridge({ url: gateway.url, slug: 'dev', ...client });
    client.send(initialize);
    expect((await client.response(1))['error']).toMatchObject({ message: expect.stringContaining('pass --token or set MCP_GATEWAY_TOKEN') });
    client.stdin.end();
    await done;

    const other = new StdioClient();
    const done2 = runStdioBridge({ url: gateway.url, slug: 'nope', token: 'tok', ...other });
    other.send(initialize);
    expect((await other.response(1))['error']).toMatchObject({ message: expect.stringContaining("no preset 'nope'") });
    other.stdin.end();
    await done2;
  });
});
