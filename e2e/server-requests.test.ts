import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { removeDir, startGateway, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { fixturePath } from './support/paths.js';

const textOf = (result: unknown): string => (result as { content: Array<{ text?: string }> }).content[0]?.text ?? '';

/**
 * A shared stdio upstream says nothing about which call a sampling request belongs to: the
 * gateway routes it to the latest in-flight call whose client can answer it.
 */
describe('server→client requests on a shared upstream', () => {
  let gw: GatewayProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    gw = await startGateway();
    await gw.api('config.apply', {
      config: { servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } }, presets: { dev: { servers: { fx: { tools: ['sample', 'slow'] } } } } },
    });
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
  });

  it('a sampling request reaches the caller that can sample, not a later call from a client that cannot', async () => {
    const sampler = await connectClient(`${gw.url}/mcp/dev`);
    const plain = new Client({ name: 'no-sampling', version: '1' }); // declares no capabilities
    await plain.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/dev`)));
    clients.push(sampler, plain);

    const sampled = sampler.callTool({ name: 'fx__sample', arguments: { prompt: 'hello', delayMs: 400 } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const slow = plain.callTool({ name: 'fx__slow', arguments: { ms: 1_200 } }); // in flight when the request comes
    expect(textOf(await sampled)).toBe('sampled: model says hello');
    expect((await slow).isError).toBeFalsy();
  });
});
