#!/usr/bin/env node
/**
 * A small MCP server for tests and benchmarks: `node fixture-server.js [stdio|http PORT] [--tools N]`.
 * Tools: echo, add, slow (sleeps ms, honours cancellation), progress (sends N progress
 * notifications), sample (asks the client for a sampling completion), elicit (asks the
 * client for input), crash (exits the process), and `--tools N` filler tools with realistic schemas.
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

function buildServer(fillerTools: number, name: string): McpServer {
  const server = new McpServer({ name, version: '1.0.0' }, { capabilities: { logging: {} } });
  server.registerTool('echo', { description: 'Echoes the text back', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  server.registerTool('slow', { description: 'Sleeps ms milliseconds', inputSchema: { ms: z.number() } }, async ({ ms }, extra) => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      extra.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        process.stderr.write(`fixture: slow cancelled after abort\n`);
        resolve();
      });
    });
    return { content: [{ type: 'text', text: extra.signal.aborted ? 'cancelled' : `slept ${ms}` }] };
  });
  server.registerTool('progress', { description: 'Reports progress steps', inputSchema: { steps: z.number() } }, async ({ steps }, extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; i <= steps; i++) {
      if (token !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps, message: `step ${i}` } });
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { content: [{ type: 'text', text: `done ${steps}` }] };
  });
  server.registerTool('sample', { description: 'Asks the client LLM', inputSchema: { prompt: z.string(), delayMs: z.number().optional() } }, async ({ prompt, delayMs }, extra) => {
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const result = await extra.sendRequest(
      { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 50 } },
      z.object({ content: z.object({ type: z.string(), text: z.string().optional() }).passthrough() }).passthrough(),
    );
    return { content: [{ type: 'text', text: `sampled: ${result.content.text ?? ''}` }] };
  });
  server.registerTool('elicit', { description: 'Asks the user', inputSchema: { question: z.string() } }, async ({ question }, extra) => {
    const result = await extra.sendRequest(
      {
        method: 'elicitation/create',
        params: { message: question, requestedSchema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } },
      },
      z.object({ action: z.string(), content: z.record(z.string(), z.unknown()).optional() }).passthrough(),
    );
    return { content: [{ type: 'text', text: `elicited: ${result.action} ${JSON.stringify(result.content ?? {})}` }] };
  });
  server.registerTool('roots', { description: 'Lists the client roots', inputSchema: {} }, async (_args, extra) => {
    const result = await extra.sendRequest({ method: 'roots/list' }, z.object({ roots: z.array(z.object({ uri: z.string() }).passthrough()) }).passthrough());
    return { content: [{ type: 'text', text: JSON.stringify(result.roots) }] };
  });
  server.registerTool('crash', { description: 'Exits the server process', inputSchema: {} }, () => {
    setTimeout(() => process.exit(1), 5);
    return { content: [{ type: 'text', text: 'crashing' }] };
  });
  server.registerTool('log', { description: 'Emits a log message', inputSchema: { text: z.string() } }, async ({ text }) => {
    await server.sendLoggingMessage({ level: 'info', data: text });
    return { content: [{ type: 'text', text: 'logged' }] };
  });
  for (let i = 0; i < fillerTools; i++) {
    server.registerTool(
      `filler_${i}`,
      {
        description: `Filler tool ${i}: searches a project's issues by text, label, assignee and state, returning matching items with pagination.`,
        inputSchema: {
          query: z.string().describe('Full-text query'),
          labels: z.array(z.string()).optional().describe('Labels that must all be present'),
          state: z.enum(['open', 'closed', 'all']).optional().describe('Issue state filter'),
          assignee: z.string().optional().describe('Login of the assignee'),
          page: z.number().int().min(1).optional().describe('Page number, from 1'),
          perPage: z.number().int().min(1).max(100).optional().describe('Items per page'),
        },
      },
      ({ query }) => ({ content: [{ type: 'text', text: `filler ${i}: ${query}` }] }),
    );
  }
  server.registerPrompt('greet', { description: 'A greeting', argsSchema: { name: z.string() } }, ({ name: who }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${who}!` } }],
  }));
  server.registerResource('readme', 'fixture://readme', { mimeType: 'text/plain', description: 'Fixture readme' }, (uri) => ({
    contents: [{ uri: uri.href, text: 'fixture readme' }],
  }));
  server.registerResource(
    'item',
    new ResourceTemplate('fixture://items/{id}', { list: undefined }),
    { mimeType: 'text/plain' },
    (uri, { id }) => ({ contents: [{ uri: uri.href, text: `item ${String(id)}` }] }),
  );
  return server;
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

export async function runFixture(args: string[]): Promise<void> {
  const mode = args[0] ?? 'stdio';
  const filler = Number(flag(args, '--tools') ?? '0');
  const name = flag(args, '--name') ?? 'fixture';
  if (mode === 'stdio') {
    await buildServer(filler, name).connect(new StdioServerTransport());
    return;
  }
  // Streamable HTTP with sessions: one server + transport per client session, the SDK's usual set-up.
  const port = Number(args[1] ?? '0');
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const sessionId = req.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (!transport) {
      if (typeof sessionId === 'string') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }));
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => void sessions.set(id, created),
      });
      created.onclose = () => {
        if (created.sessionId) sessions.delete(created.sessionId);
      };
      await buildServer(filler, name).connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, body);
  });
  http.listen(port, '127.0.0.1', () => {
    const address = http.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  void runFixture(process.argv.slice(2));
}
