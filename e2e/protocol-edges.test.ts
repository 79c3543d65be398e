import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startGateway, removeDir, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { everythingPath, fixturePath } from './support/paths.js';
import { freePort, startProcess, stopProcess } from './support/processes.js';

const textOf = (result: unknown): string => ((result as { content: Array<{ text?: string }> }).content[0]?.text ?? '');

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

describe('protocol edges: transports, revisions, bad input', () => {
  let gw: GatewayProcess;
  let httpFixture: ChildProcess;
  let everythingSse: ChildProcess;
  let everythingHttp: ChildProcess;
  let everythingHttpPort: number;

  beforeAll(async () => {
    const fixturePort = await freePort();
    httpFixture = await startProcess(process.execPath, [fixturePath, 'http', String(fixturePort)], /listening/);
    const ssePort = await freePort();
    everythingSse = await startProcess(process.execPath, [everythingPath, 'sse'], /running on port/i, { PORT: String(ssePort) });
    everythingHttpPort = await freePort();
    everythingHttp = await startProcess(process.execPath, [everythingPath, 'streamableHttp'], /listening on port/i, { PORT: String(everythingHttpPort) });
    gw = await startGateway();
    await gw.api('config.apply', {
      config: {
        servers: {
          fx: { command: process.execPath, args: [fixturePath, 'stdio'] },
          web: { url: `http://127.0.0.1:${fixturePort}/mcp` },
          old: { url: `http://127.0.0.1:${ssePort}/sse`, transport: 'sse' },
          ev: { url: `http://127.0.0.1:${everythingHttpPort}/mcp` },
          broken: { command: 'definitely-not-a-real-command-mcp' },
        },
        presets: {
          dev: { servers: { fx: true, web: { tools: ['echo', 'add'] }, old: { tools: ['echo'] }, ev: { tools: ['echo'] } } },
          secret: { visibility: 'private', servers: { fx: { tools: ['echo'] } } },
          mixed: { servers: { fx: { tools: ['echo'] }, broken: true } },
        },
      },
    });
  });

  afterAll(async () => {
    await gw?.stop();
    await Promise.all([stopProcess(httpFixture), stopProcess(everythingSse), stopProcess(everythingHttp)]);
    if (gw) await removeDir(gw.dataDir);
  });

  it('reaches Streamable HTTP and legacy SSE upstreams', async () => {
    const client = await connectClient(`${gw.url}/mcp/dev`);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['web__echo', 'web__add', 'old__echo', 'ev__echo']));
    expect(textOf(await client.callTool({ name: 'web__add', arguments: { a: 2, b: 3 } }))).toBe('5');
    expect(textOf(await client.callTool({ name: 'old__echo', arguments: { message: 'via sse' } }))).toContain('via sse');
    await client.close();
  });

  it('re-initialises an HTTP upstream whose session expired (404, or 400 from lax servers) without the client noticing', async () => {
    const client = await connectClient(`${gw.url}/mcp/dev`);
    expect(textOf(await client.callTool({ name: 'ev__echo', arguments: { message: 'one' } }))).toContain('one');
    await stopProcess(everythingHttp);
    everythingHttp = await startProcess(process.execPath, [everythingPath, 'streamableHttp'], /listening on port/i, { PORT: String(everythingHttpPort) });
    expect(textOf(await client.callTool({ name: 'ev__echo', arguments: { message: 'two' } }))).toContain('two');
    await client.close();
  });

  it('keeps a preset up when one of its servers cannot start, and says why', async () => {
    const client = await connectClient(`${gw.url}/mcp/mixed`);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['fx__echo']);
    expect(textOf(await client.callTool({ name: 'fx__echo', arguments: { text: 'alive' } }))).toBe('alive');
    // It keeps being retried with backoff (briefly 'starting' at each try) until it gives up: 'failed'.
    type Broken = { status: { state: string; lastError: string | null } };
    const broken = await gw.api<Broken>('servers.get', { name: 'broken' });
    expect(['starting', 'restarting', 'failed']).toContain(broken.status.state);
    await expect.poll(async () => (await gw.api<Broken>('servers.get', { name: 'broken' })).status.lastError, { timeout: 10_000 }).toMatch(/ENOENT|not found|spawn/i);
    await client.close();
  });

  it('runs one upstream process per server, shared by every session and preset', async () => {
    const before = await gw.api<{ status: { pid: number } }>('servers.get', { name: 'fx' });
    const clients = await Promise.all(['dev', 'dev', 'mixed'].map((slug) => connectClient(`${gw.url}/mcp/${slug}`)));
    for (const client of clients) await client.callTool({ name: 'fx__echo', arguments: { text: 'shared' } });
    const after = await gw.api<{ status: { pid: number; restarts: number } }>('servers.get', { name: 'fx' });
    expect(after.status.pid).toBe(before.status.pid);
    for (const client of clients) await client.close();
  });

  it('serves old clients over the legacy HTTP+SSE transport', async () => {
    const client = new Client({ name: 'old-client', version: '1.0.0' });
    await client.connect(new SSEClientTransport(new URL(`${gw.url}/sse/dev`)));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('fx__echo');
    expect(textOf(await client.callTool({ name: 'fx__echo', arguments: { text: 'legacy' } }))).toBe('legacy');
    await client.close();
  });

  it('serves 2026-07-28 stateless requests and server/discover without a session', async () => {
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
    const discover = await post(`${gw.url}/mcp/dev`, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta } }));
    expect(discover.status).toBe(200);
    expect(discover.json).toMatchObject({ result: { supportedVersions: expect.arrayContaining(['2026-07-28', '2025-11-25']), resultType: 'complete' } });
    expect(discover.headers.get('mcp-session-id')).toBeNull();
    const list = await post(`${gw.url}/mcp/dev`, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: meta } }), {
      'mcp-protocol-version': '2026-07-28',
    });
    expect(list.json).toMatchObject({ id: 2, result: { resultType: 'complete' } });
    const call = await post(
      `${gw.url}/mcp/dev`,
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'fx__echo', arguments: { text: 'stateless' }, _meta: meta } }),
    );
    expect(call.json).toMatchObject({ id: 3, result: { content: [{ type: 'text', text: 'stateless' }], resultType: 'complete' } });
  });

  it('tells clients when a preset’s tool list changes, and the new list is right', async () => {
    const client = await connectClient(`${gw.url}/mcp/dev`);
    let notified = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      notified++;
    });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('web__add');
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the GET stream open
    await gw.api('presets.update', { slug: 'dev', spec: { servers: { fx: true, web: { tools: ['echo'] }, old: { tools: ['echo'] }, ev: { tools: ['echo'] } } } });
    await expect.poll(() => notified, { timeout: 5_000 }).toBeGreaterThan(0);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('web__echo');
    expect(names).not.toContain('web__add');
    await client.close();
  });

  it('guards private presets: 401 without a token or with an unknown one', async () => {
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    const none = await post(`${gw.url}/mcp/secret`, init);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect(JSON.stringify(none.json)).toMatch(/private/);
    const wrong = await post(`${gw.url}/mcp/secret`, init, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401); // an unknown token is invalid, not merely unauthorised
    const client = await connectClient(`${gw.url}/mcp/secret`, { token: gw.token });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['fx__echo']);
    await client.close();
  });

  it('answers bad input with the right error and keeps serving', async () => {
    const url = `${gw.url}/mcp/dev`;
    const client = await connectClient(url);
    const session = { 'mcp-session-id': (client.transport as unknown as { sessionId: string }).sessionId };

    const invalidJson = await post(url, '{"jsonrpc":', session);
    expect(invalidJson.status).toBe(400);
    expect(invalidJson.json).toMatchObject({ error: { code: -32700 } });

    const noJsonrpc = await post(url, JSON.stringify({ id: 1, method: 'tools/list' }), session);
    expect(noJsonrpc.json).toMatchObject({ id: 1, error: { code: -32600 } });

    const wrongTypes = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: 'nope' }), session);
    expect(wrongTypes.json).toMatchObject({ id: 2, error: { code: -32600 } });

    const badArgs = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 42 } }), session);
    expect(badArgs.json).toMatchObject({ id: 3, error: { code: -32602 } });

    const unknown = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'nope/nope' }), session);
    expect(unknown.json).toMatchObject({ id: 4, error: { code: -32601 } });

    const huge = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'fx__echo', arguments: { text: 'x'.repeat(10 * 1024 * 1024) } } }), session);
    expect(huge.status).toBe(413);

    const unknownSlug = await post(`${gw.url}/mcp/no-such-preset`, JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/list' }));
    expect(unknownSlug.status).toBe(404);
    expect(JSON.stringify(unknownSlug.json)).toMatch(/no-such-preset/);

    const noSession = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }));
    expect(noSession.status).toBe(400);
    const goneSession = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/list' }), { 'mcp-session-id': 'not-a-session' });
    expect(goneSession.status).toBe(404);

    const foreignOrigin = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }), { ...session, origin: 'https://evil.example' });
    expect(foreignOrigin.status).toBe(403);

    expect(textOf(await client.callTool({ name: 'fx__echo', arguments: { text: 'still fine' } }))).toBe('still fine');
    await client.close();
  });
});
