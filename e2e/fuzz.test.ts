import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import fc from 'fast-check';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startGatewayWithConfig, removeDir, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { fixturePath } from './support/paths.js';
import { rssMb } from './bench/stats.js';

interface Reply {
  status: number;
  contentType: string;
  body: string;
}

function send(url: string, method: string, headers: Record<string, string>, body: string | Buffer | null): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in 10 s: ${method} ${url}`)));
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

/** Every JSON-RPC error in a reply must be {code: integer, message: string}. */
function assertWellFormed(reply: Reply): void {
  expect(reply.status).toBeGreaterThanOrEqual(200);
  expect(reply.status).toBeLessThan(500);
  if (reply.status === 202 || reply.body === '') return;
  const texts = reply.contentType.includes('text/event-stream')
    ? reply.body.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6))
    : [reply.body];
  for (const text of texts) {
    const parsed = JSON.parse(text) as unknown;
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      const error = (message as { error?: { code?: unknown; message?: unknown } }).error;
      if (reply.status >= 400) expect(error).toBeTruthy();
      if (error) {
        if (typeof error.code === 'number') expect(Number.isInteger(error.code)).toBe(true);
        else expect(typeof error.code).toBe('string'); // admin API codes are strings
        expect(typeof error.message).toBe('string');
      }
    }
  }
}

const methods = fc.oneof(
  fc.constantFrom('initialize', 'ping', 'tools/list', 'tools/call', 'prompts/list', 'prompts/get', 'resources/list', 'resources/read',
    'resources/templates/list', 'resources/subscribe', 'completion/complete', 'logging/setLevel', 'server/discover',
    'notifications/cancelled', 'notifications/initialized', 'subscriptions/listen'),
  fc.string({ maxLength: 40 }),
);
const toolNames = fc.oneof(fc.constantFrom('fx__echo', 'fx__add', 'nope', ''), fc.string({ maxLength: 80 }), fc.anything());
const jsonRpcish = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.anything()),
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.constant(null), fc.anything()),
    method: fc.oneof(methods, fc.anything()),
    params: fc.oneof(
      fc.record({ name: toolNames, arguments: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 })), fc.anything()) }, { requiredKeys: [] }),
      fc.record({ uri: fc.oneof(fc.constantFrom('fixture://readme', 'fixture://items/1'), fc.string()), ref: fc.anything(), level: fc.anything(), requestId: fc.anything() }, { requiredKeys: [] }),
      fc.anything(),
    ),
    result: fc.anything(),
    error: fc.anything(),
  },
  { requiredKeys: [] },
);
const bodies = fc.oneof(
  jsonRpcish.map((message) => JSON.stringify(message) ?? 'null'),
  fc.array(jsonRpcish, { maxLength: 5 }).map((batch) => JSON.stringify(batch)),
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 6 }).map((value) => JSON.stringify(value) ?? 'null'),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.integer({ min: 1, max: 2_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
);

describe('fuzz: malformed HTTP and JSON-RPC never crash, hang or leak', () => {
  let gw: GatewayProcess;
  let bystander: Client;
  let sessionId: string;

  beforeAll(async () => {
    gw = await startGatewayWithConfig({
      gateway: { rateLimitPerSecond: 0 },
      servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } },
      presets: { fz: { servers: { fx: { tools: ['echo', 'add'] } } } },
    });
    bystander = await connectClient(`${gw.url}/mcp/fz`);
    const res = await fetch(`${gw.url}/mcp/fz`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'f', version: '1' } } }),
    });
    sessionId = res.headers.get('mcp-session-id') ?? '';
    expect(sessionId).not.toBe('');
  });

  afterAll(async () => {
    await bystander?.close();
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
  });

  it('answers thousands of malformed /mcp requests with well-formed errors, and the bystander is unaffected', async () => {
    const pid = gw.proc.pid as number;
    const baseline = rssMb(pid);
    let bystanderCalls = 0;
    let stop = false;
    const bystanderLoop = (async () => {
      while (!stop) {
        const result = await bystander.callTool({ name: 'fx__echo', arguments: { text: 'steady' } });
        expect(JSON.stringify(result)).toContain('steady');
        bystanderCalls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      await fc.assert(
        fc.asyncProperty(
          bodies,
          fc.constantFrom('session', 'none', 'garbage'),
          fc.constantFrom('application/json', 'text/plain', ''),
          fc.constantFrom('/mcp/fz', '/mcp/fz', '/mcp/unknown-slug', '/messages/fz?sessionId=x'),
          async (body, session, contentType, path) => {
            const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
            if (contentType) headers['content-type'] = contentType;
            if (session === 'session') headers['mcp-session-id'] = sessionId;
            if (session === 'garbage') headers['mcp-session-id'] = 'garbage-session';
            assertWellFormed(await send(`${gw.url}${path}`, 'POST', headers, body));
          },
        ),
        { numRuns: 2_000, interruptAfterTimeLimit: 60_000 },
      );
    } finally {
      stop = true;
      await bystanderLoop;
    }
    expect(bystanderCalls).toBeGreaterThan(10);
    expect(gw.proc.exitCode).toBeNull();
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect(rssMb(pid)).toBeLessThan(baseline + 80);
  });

  it('answers malformed admin API calls with wire errors, never 5xx', async () => {
    const readOnly = fc.constantFrom('servers.get', 'presets.get', 'presets.list', 'metrics.latency', 'metrics.recentCalls', 'tokens.list', 'cache.stats', 'gateway.status');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(readOnly, fc.string({ maxLength: 30 }).map((name) => name.replace(/[^A-Za-z0-9_.-]/g, '') || 'x')),
        bodies,
        fc.boolean(),
        async (method, body, withToken) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (withToken) headers.authorization = `Bearer ${gw.token}`;
          const reply = await send(`${gw.url}/api/${method}`, 'POST', headers, body);
          expect(reply.status).toBeLessThan(500);
          if (reply.status >= 400) {
            const parsed = JSON.parse(reply.body) as { ok: boolean; error: { code: string; message: string } };
            expect(parsed.ok).toBe(false);
            expect(typeof parsed.error.code).toBe('string');
            expect(typeof parsed.error.message).toBe('string');
          }
        },
      ),
      { numRuns: 1_000, interruptAfterTimeLimit: 40_000 },
    );
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });
});
