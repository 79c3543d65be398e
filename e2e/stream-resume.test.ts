import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { removeDir, startGateway, type GatewayProcess } from './support/gateway-process.js';
import { fixturePath } from './support/paths.js';

/**
 * Resumable session streams: a 2025 client whose GET stream dropped reconnects with
 * Last-Event-ID and receives what it missed, including what was sent while it had no stream.
 */
interface SseEvent {
  id: string | null;
  data: string;
}

/** Opens the session's GET stream and yields its events as they arrive. */
async function openStream(url: string, sessionId: string, lastEventId?: string) {
  const abort = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const next = async (timeoutMs = 5_000): Promise<SseEvent | null> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = buffered.indexOf('\n\n');
      if (end >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (block.startsWith(':')) continue; // keep-alive comment
        const id = /^id: (.*)$/m.exec(block)?.[1] ?? null;
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
        return { id, data };
      }
      const left = deadline - Date.now();
      if (left <= 0) return null;
      const chunk = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), left))]);
      if (chunk === null) return null;
      if (chunk.done) return null;
      buffered += decoder.decode(chunk.value, { stream: true });
    }
  };
  return { next, close: () => abort.abort() };
}

/** Every event that arrives until the stream is quiet for 500 ms. */
async function drain(next: (timeoutMs?: number) => Promise<SseEvent | null>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const first = await next(5_000);
  if (first) events.push(first);
  for (let event = await next(500); event; event = await next(500)) events.push(event);
  return events;
}

describe('resumable session streams (Last-Event-ID)', () => {
  let gw: GatewayProcess;
  const url = (): string => `${gw.url}/mcp/dev`;
  const setTools = (tools: string[]) => gw.api('config.apply', { config: { presets: { dev: { servers: { fx: { tools } } } } } });

  beforeAll(async () => {
    gw = await startGateway();
    await gw.api('config.apply', {
      config: { servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } }, presets: { dev: { servers: { fx: { tools: ['echo'] } } } } },
    });
  });
  afterAll(async () => {
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
  });

  async function initialize(): Promise<string> {
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'resume-test', version: '1' } } }),
    });
    const sessionId = res.headers.get('mcp-session-id')!;
    await res.text();
    await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    return sessionId;
  }

  it('replays what the client missed after the last event it saw, and nothing to a fresh stream', async () => {
    const sessionId = await initialize();
    const first = await openStream(url(), sessionId);
    await setTools(['echo', 'add']);
    const before = await drain(first.next); // tools/, prompts/ and resources/list_changed
    expect(before.map((e) => e.data).join('\n')).toContain('notifications/tools/list_changed');
    expect(before.every((e) => /^s\d+$/.test(e.id ?? ''))).toBe(true);
    const lastSeen = before[before.length - 1]!.id!;
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 200)); // the gateway notices the stream is gone

    await setTools(['echo']); // sent while the client has no stream open
    const resumed = await openStream(url(), sessionId, lastSeen);
    const missed = await drain(resumed.next);
    resumed.close();
    expect(missed.map((e) => JSON.parse(e.data).method)).toEqual(before.map((e) => JSON.parse(e.data).method));
    expect(missed.every((e) => Number(e.id!.slice(1)) > Number(lastSeen.slice(1)))).toBe(true);

    const fresh = await openStream(url(), sessionId);
    expect(await fresh.next(300)).toBeNull(); // no Last-Event-ID: nothing replayed
    fresh.close();
    const unknown = await openStream(url(), sessionId, 'not-an-id-of-this-session');
    expect(await unknown.next(300)).toBeNull();
    unknown.close();
  });

  it('keeps the official SDK client working with these event ids', async () => {
    const client = new Client({ name: 'resume-sdk', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url())));
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    // Its GET stream opens in the background: change the preset until a notification arrives on it.
    let toggle = false;
    await expect
      .poll(
        async () => {
          toggle = !toggle;
          await setTools(toggle ? ['echo', 'add'] : ['echo']);
          await new Promise((resolve) => setTimeout(resolve, 100));
          return changes;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(0);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });
});
