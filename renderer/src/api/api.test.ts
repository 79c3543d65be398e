import { describe, expect, it, vi } from 'vitest';
import { createContractClient, GatewayError } from '../../../gateway/contract/index.js';
import { createHttpTransport, createSseParser, type ConnectionState } from './http-transport.js';
import { takeTokenFromLocation } from './token.js';

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  };
}

describe('token from the one-time link', () => {
  it('moves #token=… into sessionStorage and removes it from the address bar', () => {
    const storage = memoryStorage();
    const replaceState = vi.fn();
    const token = takeTokenFromLocation({ hash: '#token=abc123', pathname: '/presets', search: '?x=1' } as Location, { state: null, replaceState } as unknown as History, storage);
    expect(token).toBe('abc123');
    expect(storage.getItem('mcp-gateway.admin-token')).toBe('abc123');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/presets?x=1');
  });

  it('falls back to the stored token and leaves the URL alone', () => {
    const storage = memoryStorage();
    storage.setItem('mcp-gateway.admin-token', 'kept');
    const replaceState = vi.fn();
    expect(takeTokenFromLocation({ hash: '', pathname: '/', search: '' } as Location, { replaceState } as unknown as History, storage)).toBe('kept');
    expect(replaceState).not.toHaveBeenCalled();
  });
});

describe('SSE parser', () => {
  it('assembles events split across chunks, skipping comments', () => {
    const events: Array<[string, string]> = [];
    const feed = createSseParser((name, data) => events.push([name, data]));
    feed(': connected\n\nevent: server.sta');
    feed('tus\ndata: {"name":"fx"}\n');
    feed('\r\nevent: preset.changed\r\ndata: {"slug":"dev"}\r\n\r\n');
    expect(events).toEqual([
      ['server.status', '{"name":"fx"}'],
      ['preset.changed', '{"slug":"dev"}'],
    ]);
  });
});

describe('HTTP transport', () => {
  it('posts to /api/<method> with the bearer token and validates the answer', async () => {
    const fetch = vi.fn(async () => Response.json({ ok: true, value: { deleted: true } }));
    const client = createContractClient(createHttpTransport({ baseUrl: 'http://gw/', token: 't0k', fetch }));
    await expect(client.call('servers.delete', { name: 'fx' })).resolves.toEqual({ deleted: true });
    expect(fetch).toHaveBeenCalledWith('http://gw/api/servers.delete', expect.objectContaining({ method: 'POST', body: '{"name":"fx"}' }));
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect((init.headers as Record<string, string>)['authorization']).toBe('Bearer t0k');
  });

  it('turns wire errors into GatewayError and a 401 into an "unauthorized" state', async () => {
    const states: ConnectionState[] = [];
    const fetch = vi.fn(async () => Response.json({ ok: false, error: { code: 'unauthorized', message: 'nope' } }, { status: 401 }));
    const client = createContractClient(createHttpTransport({ token: 'bad', fetch, onConnection: (s) => states.push(s) }));
    const error = await client.call('servers.list', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('unauthorized');
    expect(states).toEqual(['unauthorized']);
  });

  it('says the gateway is unreachable when fetch fails', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    const client = createContractClient(createHttpTransport({ token: 't', fetch }));
    await expect(client.call('servers.list', {})).rejects.toThrow('cannot reach the gateway');
  });

  it('rejects results that do not match the contract', async () => {
    const fetch = vi.fn(async () => Response.json({ ok: true, value: { items: 'nope' } }));
    const client = createContractClient(createHttpTransport({ token: 't', fetch }));
    await expect(client.call('servers.list', {})).rejects.toThrow('unexpected result of servers.list at items');
  });

  it('streams pushed events from /api/events and reconnects after a drop', async () => {
    const encoder = new TextEncoder();
    let connections = 0;
    const fetch = vi.fn(async (url: string | URL | Request) => {
      expect(String(url)).toBe('/api/events');
      connections++;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(`: connected\n\nevent: preset.changed\ndata: {"slug":"s${connections}"}\n\n`));
          controller.enqueue(encoder.encode('event: unknown.event\ndata: {}\n\n'));
          controller.close();
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    });
    const states: ConnectionState[] = [];
    const transport = createHttpTransport({ token: 't', fetch, onConnection: (s) => states.push(s), retryDelayMs: () => 5 });
    const seen: unknown[] = [];
    const off = transport.onEvent((name, payload) => seen.push([name, payload]));
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(2));
    off();
    transport.close();
    expect(seen.slice(0, 2)).toEqual([
      ['preset.changed', { slug: 's1' }],
      ['preset.changed', { slug: 's2' }],
    ]);
    expect(states.slice(0, 3)).toEqual(['connecting', 'online', 'offline']);
  });
});
