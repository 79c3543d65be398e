import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { removeDir, startGateway, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { fixturePath } from './support/paths.js';

/**
 * One upstream connection serves every session: the level asked of it is the most verbose any
 * session wants, and each session gets only the levels it asked for.
 */
describe('log levels of sessions sharing one upstream', () => {
  let gw: GatewayProcess;
  const clients: Client[] = [];

  beforeAll(async () => {
    gw = await startGateway();
    await gw.api('config.apply', {
      config: {
        servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } },
        presets: { dev: { servers: { fx: { tools: ['log'] } } }, ops: { servers: { fx: { tools: ['log'] } } } },
      },
    });
  });
  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
  });

  async function listening(slug: string): Promise<{ client: Client; messages: string[] }> {
    const client = await connectClient(`${gw.url}/mcp/${slug}`);
    clients.push(client);
    const messages: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push(String(n.params.data)));
    return { client, messages };
  }

  it('a session asking for "error" does not silence the info messages another session asked for', async () => {
    const verbose = await listening('dev');
    const quiet = await listening('ops');
    await verbose.client.setLoggingLevel('info');
    await quiet.client.setLoggingLevel('error'); // last one set: it used to become the upstream's level
    await verbose.client.callTool({ name: 'fx__log', arguments: { text: 'info for whoever wants it' } });
    await expect.poll(() => verbose.messages, { timeout: 5_000 }).toContain('info for whoever wants it');
    expect(quiet.messages).toEqual([]); // below the level it asked for
  });
});
