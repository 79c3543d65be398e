import { dataDirOption, locateGateway, stringValue, urlOption } from './admin.js';
import type { CommandSpec } from './command.js';

export const connectCommand: CommandSpec = {
  name: 'connect',
  summary: 'Serve a preset over stdio, for MCP clients that can only start a command.',
  positionals: [{ name: 'SLUG', description: 'the preset to connect to' }],
  options: {
    url: urlOption,
    token: {
      type: 'string',
      value: 'TOKEN',
      description: 'bearer token for a private or invite-only preset (default: $MCP_GATEWAY_TOKEN)',
    },
    'data-dir': dataDirOption,
  },
  details: `Relays MCP messages between stdin/stdout and <url>/mcp/SLUG until stdin closes.
stdout carries only protocol messages; diagnostics go to stderr. Example client config:
  { "command": "mcp-gateway", "args": ["connect", "my-preset"] }
Prefer $MCP_GATEWAY_TOKEN over --token: arguments are visible to other local users.`,
  async run({ io, values, positionals }) {
    const { url } = await locateGateway(values, io);
    const token = stringValue(values['token']) ?? (io.env['MCP_GATEWAY_TOKEN'] || undefined);
    // Loaded on demand: the MCP SDK is only needed by this command.
    const { runStdioBridge } = await import('../../mcp/stdio-bridge.js');
    await runStdioBridge({
      url,
      slug: positionals[0] as string,
      token,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      fetch: io.fetch,
    });
    return 0;
  },
};
