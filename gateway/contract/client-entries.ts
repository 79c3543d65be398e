import type { ClientId } from './ui-methods.js';
import type { Visibility } from './declarative.js';

/**
 * What each MCP client needs in its config file to reach one preset. Pure, so the Connect
 * screen's snippets and the gateway's `clients.write` produce the very same entry.
 */
export interface BridgeCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface ClientEntryInput {
  client: ClientId;
  slug: string;
  /** The preset's Streamable HTTP endpoint, e.g. http://127.0.0.1:7337/mcp/dev. */
  url: string;
  /** The gateway's base URL, passed to the stdio bridge. */
  baseUrl: string;
  bridge: BridgeCommand;
  visibility: Visibility;
}

/** Placeholder for presets that need a bearer token; the user pastes theirs. */
export const TOKEN_PLACEHOLDER = '<your token>';

export const clientLabels: Record<ClientId, string> = {
  'claude-desktop': 'Claude Desktop',
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  vscode: 'VS Code',
  windsurf: 'Windsurf',
};

/** The top-level key holding the server map in each client's file. */
export function clientServersKey(client: ClientId): 'mcpServers' | 'servers' {
  return client === 'vscode' ? 'servers' : 'mcpServers';
}

export function clientEntryName(slug: string): string {
  return `mcp-gateway-${slug}`;
}

export function clientEntry(input: ClientEntryInput): Record<string, unknown> {
  const needsToken = input.visibility !== 'public';
  const headers = needsToken ? { headers: { Authorization: `Bearer ${TOKEN_PLACEHOLDER}` } } : {};
  switch (input.client) {
    case 'claude-desktop': {
      const env = { ...input.bridge.env, ...(needsToken ? { MCP_GATEWAY_TOKEN: TOKEN_PLACEHOLDER } : {}) };
      return {
        command: input.bridge.command,
        args: [...input.bridge.args, 'connect', input.slug, '--url', input.baseUrl],
        ...(Object.keys(env).length > 0 ? { env } : {}),
      };
    }
    case 'claude-code':
      return { type: 'http', url: input.url, ...headers };
    case 'cursor':
      return { url: input.url, ...headers };
    case 'vscode':
      return { type: 'http', url: input.url, ...headers };
    case 'windsurf':
      return { serverUrl: input.url, ...headers };
  }
}

/** The JSON a user pastes into the client's config file (the whole server map, one entry). */
export function clientSnippet(input: ClientEntryInput): string {
  const body = { [clientServersKey(input.client)]: { [clientEntryName(input.slug)]: clientEntry(input) } };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** A one-line command, for clients that have one (Claude Code's `claude mcp add`). */
export function clientCommand(input: ClientEntryInput): string | null {
  if (input.client !== 'claude-code') return null;
  const header = input.visibility !== 'public' ? ` --header "Authorization: Bearer ${TOKEN_PLACEHOLDER}"` : '';
  return `claude mcp add --transport http --scope user ${clientEntryName(input.slug)} ${input.url}${header}`;
}
