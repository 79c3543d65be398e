import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../contract/index.js';
import { createApiClient } from './http-client.js';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;

function fakeFetch(handler: Handler): { fetch: typeof fetch; calls: Array<{ url: string; init: RequestInit }> } {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init: init ?? {} });
    return handler(url, init ?? {});
  }) as typeof fetch;
  return { fetch: fn, calls };
}

const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('createApiClient', () => {
  it('POSTs the input to /api/<method> with the bearer token and returns the value', async () => {
    const { fetch, calls } = fakeFetch(() => jsonResponse(200, { ok: true, value: { items: [] } }));
    const client = createApiClient({ url: 'http://127.0.0.1:7337/', token: 'secret', fetch });
    await expect(client.call('servers.list', {})).resolves.toEqual({ items: [] });
    expect(calls[0]?.url).toBe('http://127.0.0.1:7337/api/servers.list');
    expect(calls[0]?.init.method).toBe('POST');
    expect((calls[0]?.init.headers as Record<string, string>)['authorization']).toBe('Bearer secret');
    expect(calls[0]?.init.body).toBe('{}');
  });

  it('throws a GatewayError with the wire code on {ok:false}', async () => {
    const { fetch } = fakeFetch(() => jsonResponse(404, { ok: false, error: { code: 'not_found', message: 'no server named "x"' } }));
    const client = createApiClient({ url: 'http://gw', fetch });
    const error = await client.call('servers.get', { name: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'not_found', message: 'no server named "x"' });
  });

  it('rejects results that do not match the contract (version skew) with a clear message', async () => {
    const { fetch } = fakeFetch(() => jsonResponse(200, { ok: true, value: { items: 'nope' } }));
    const client = createApiClient({ url: 'http://gw', fetch });
    await expect(client.call('servers.list', {})).rejects.toThrow(/unexpected result of servers.list .* at items/);
  });

  it('explains non-gateway responses', async () => {
    const { fetch } = fakeFetch(() => new Response('<html>nginx</html>', { status: 404 }));
    const client = createApiClient({ url: 'http://gw', fetch });
    await expect(client.call('servers.list', {})).rejects.toThrow('HTTP 404 (is http://gw an MCP Gateway?)');
  });

  it('says how to fix a refused connection', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = createApiClient({ url: `http://127.0.0.1:${port}` });
    await expect(client.call('gateway.status', {})).rejects.toThrow(
      `cannot reach the gateway at http://127.0.0.1:${port} (is \`mcp-gateway serve\` running?)`,
    );
  });

  it('rejects URLs it cannot use', () => {
    expect(() => createApiClient({ url: 'localhost:7337' })).toThrow("invalid gateway URL 'localhost:7337'");
    expect(() => createApiClient({ url: 'not a url' })).toThrow('invalid gateway URL');
  });
});
