import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startGateway, startGatewayWithConfig, removeDir, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { fixturePath } from './support/paths.js';

const textOf = (result: unknown): string => ((result as { content: Array<{ text?: string }> }).content[0]?.text ?? '');

interface ServerInfo {
  status: { state: string; pid: number | null; restarts: number; breaker: string };
}

describe('failure behaviour: crashes, hangs, flapping, thundering herds', () => {
  let gw: GatewayProcess;

  beforeAll(async () => {
    gw = await startGatewayWithConfig({
      gateway: { breakerFailureThreshold: 3, breakerCooldownMs: 1_000, restartBaseMs: 100 },
      servers: {
        fx: { command: process.execPath, args: [fixturePath, 'stdio'] },
        flaky: { command: process.execPath, args: [fixturePath, 'stdio'] },
      },
      presets: {
        dev: { servers: { fx: true } },
        flaky: { servers: { flaky: { toolTimeouts: { slow: 100 } } } },
      },
    });
  });

  afterAll(async () => {
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
  });

  it('recovers sessions opened before an upstream was killed mid-load', async () => {
    const clients: Client[] = await Promise.all(Array.from({ length: 5 }, () => connectClient(`${gw.url}/mcp/dev`)));
    const before = await gw.api<ServerInfo>('servers.get', { name: 'fx' });
    let ok = 0;
    const failures = new Set<string>();
    let stop = false;
    const loops = clients.map(async (client, i) => {
      while (!stop) {
        try {
          const result = await client.callTool({ name: 'fx__echo', arguments: { text: `c${i}` } });
          if (textOf(result) === `c${i}`) ok++;
        } catch (error) {
          failures.add(error instanceof Error ? error.message.replace(/c\d/, '') : String(error));
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(before.status.pid as number, 'SIGKILL');
    await expect.poll(async () => (await gw.api<ServerInfo>('servers.get', { name: 'fx' })).status.restarts, { timeout: 15_000 }).toBeGreaterThan(before.status.restarts);
    const okAtRestart = ok;
    await expect.poll(() => ok - okAtRestart, { timeout: 15_000 }).toBeGreaterThan(50);
    stop = true;
    await Promise.all(loops);
    // Every session made calls after the restart, on the same client objects.
    for (const [i, client] of clients.entries()) {
      expect(textOf(await client.callTool({ name: 'fx__echo', arguments: { text: `after${i}` } }))).toBe(`after${i}`);
      await client.close();
    }
    expect(ok).toBeGreaterThan(50);
    // While the server restarts its calls fail fast, and every error names the server.
    expect([...failures].filter((message) => !/"fx"|fx__echo|upstream/.test(message))).toEqual([]);
  });

  it('opens the breaker on a flapping upstream, fails fast, then closes after recovery', async () => {
    const client = await connectClient(`${gw.url}/mcp/flaky`);
    for (let i = 0; i < 3; i++) {
      await expect(client.callTool({ name: 'flaky__slow', arguments: { ms: 2_000 } })).rejects.toThrow(/timed out after 100 ms/);
    }
    expect((await gw.api<ServerInfo>('servers.get', { name: 'flaky' })).status.breaker).toBe('open');
    const started = Date.now();
    await expect(client.callTool({ name: 'flaky__echo', arguments: { text: 'x' } })).rejects.toThrow(/circuit open/);
    expect(Date.now() - started).toBeLessThan(100);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(textOf(await client.callTool({ name: 'flaky__echo', arguments: { text: 'recovered' } }))).toBe('recovered');
    expect((await gw.api<ServerInfo>('servers.get', { name: 'flaky' })).status.breaker).toBe('closed');
    await client.close();
  });

  it('loads a preset view once for 100 concurrent cold requests', async () => {
    await gw.api('presets.create', { slug: 'cold', spec: { servers: { fx: { tools: ['echo'] } } } });
    // Evict it from the cache by restarting the gateway on the same data dir.
    const dataDir = gw.dataDir;
    expect(await gw.stop()).toBe(0);
    gw = await startGateway({ dataDir });
    const before = await gw.api<{ views: { loads: number } }>('cache.stats');
    const init = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'herd', version: '1' } },
    });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(`${gw.url}/mcp/cold`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: init }),
      ),
    );
    expect(answers.every((res) => res.status === 200)).toBe(true);
    const after = await gw.api<{ views: { loads: number; hitRatio: number } }>('cache.stats');
    expect(after.views.loads - before.views.loads).toBe(1);
  });
});
