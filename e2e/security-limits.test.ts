import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startGatewayWithConfig, removeDir, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { fixturePath } from './support/paths.js';

const init = (id = 1) =>
  JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** fetch() cannot send a foreign Host header; node:http can. */
function postWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(init());
  });
}

describe('hostile input limits', () => {
  let gw: GatewayProcess;

  beforeAll(async () => {
    gw = await startGatewayWithConfig({
      gateway: { rateLimitPerSecond: 2, rateLimitBurst: 4, maxSessionsPerToken: 2, maxToolInputBytes: 4096, maxJsonDepth: 16, maxToolSchemaBytes: 400 },
      servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio', '--tools', '3'] } },
      presets: { open: { servers: { fx: true } }, locked: { visibility: 'private', servers: { fx: true } } },
    });
  });

  afterAll(async () => {
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403', async () => {
    expect(await postWithHost(`${gw.url}/mcp/open`, 'evil.example:7337')).toBe(403);
    expect((await post(`${gw.url}/mcp/open`, init(), { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(`${gw.url}/mcp/open`, init(), { origin: 'http://localhost:3000' })).status).toBe(200);
  });

  it('drops upstream tools whose definition is over the size limit', async () => {
    const client = await connectClient(`${gw.url}/mcp/open`);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('fx__echo');
    expect(names.some((name) => name.startsWith('fx__filler_'))).toBe(false);
    await client.close();
  });

  it('refuses JSON nested too deep and tool input over the limit, and keeps serving', async () => {
    const client = await connectClient(`${gw.url}/mcp/open`);
    const session = { 'mcp-session-id': (client.transport as unknown as { sessionId: string }).sessionId };
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const tooDeep = await post(`${gw.url}/mcp/open`, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'fx__echo', arguments: { text: deep } } }), session);
    expect(tooDeep.status).toBe(400);
    expect(JSON.stringify(tooDeep.json)).toMatch(/deeper than 16/);
    const big = await post(`${gw.url}/mcp/open`, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'fx__echo', arguments: { text: 'y'.repeat(8000) } } }), session);
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ id: 2, error: { code: -32602 } });
    const ok = await client.callTool({ name: 'fx__echo', arguments: { text: 'fine' } });
    expect(JSON.stringify(ok)).toContain('fine');
    await client.close();
  });

  it('caps sessions per token and rate-limits calls per token with 429 and Retry-After', async () => {
    const auth = { authorization: `Bearer ${gw.token}` };
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // a full bucket
    const first = await post(`${gw.url}/mcp/locked`, init(), auth);
    const second = await post(`${gw.url}/mcp/locked`, init(), auth);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await post(`${gw.url}/mcp/locked`, init(), auth);
    expect(third.status).toBe(429);
    expect(JSON.stringify(third.json)).toMatch(/Too many sessions/);

    const session = { ...auth, 'mcp-session-id': first.headers.get('mcp-session-id') as string };
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const answer = await post(`${gw.url}/mcp/locked`, JSON.stringify({ jsonrpc: '2.0', id: 10 + i, method: 'ping' }), session);
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Anonymous clients of a public preset are not throttled by someone else's token.
    expect((await post(`${gw.url}/mcp/open`, init())).status).toBe(200);
  });
});
