import { z } from 'zod';
import { presetSlugSchema, serverSpecSchema } from './declarative.js';

/** MCP clients whose config files the UI can show snippets for, write, and import from. */
export const clientIdSchema = z.enum(['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf']);
export type ClientId = z.infer<typeof clientIdSchema>;

export const clientInfoSchema = z.object({
  id: clientIdSchema,
  label: z.string(),
  /** The user-level config file this client reads MCP servers from, on this machine. */
  path: z.string(),
  exists: z.boolean(),
  /** http: the client speaks Streamable HTTP; stdio: it needs the `mcp-gateway connect` bridge. */
  transport: z.enum(['http', 'stdio']),
});
export type ClientInfo = z.infer<typeof clientInfoSchema>;

const playgroundError = z.object({ code: z.number(), message: z.string() });

/**
 * Operations the desktop and browser UI need beyond the CLI's: calling a tool from the
 * Playground, and reading/writing MCP client config files (Connect, Import). Spread into
 * `methods`, so both transports serve them like every other method.
 */
export const uiMethods = {
  'tools.call': {
    input: z.object({
      slug: presetSlugSchema,
      /** The tool's exposed name in the preset (`<server>__<tool>`). */
      name: z.string().min(1).max(200),
      arguments: z.record(z.string(), z.unknown()).optional(),
    }),
    output: z.object({
      status: z.enum(['ok', 'error', 'timeout']),
      latencyMs: z.number(),
      serverName: z.string(),
      upstreamName: z.string(),
      /** The MCP CallToolResult (content, structuredContent, isError) when the upstream answered. */
      result: z.record(z.string(), z.unknown()).nullable(),
      /** The JSON-RPC error when it did not. */
      error: playgroundError.nullable(),
    }),
  },
  'clients.list': {
    input: z.object({}),
    output: z.object({
      clients: z.array(clientInfoSchema),
      /** How a stdio-only client starts the bridge on this machine (`… connect <slug>`). */
      bridge: z.object({ command: z.string(), args: z.array(z.string()), env: z.record(z.string(), z.string()) }),
    }),
  },
  'clients.preview': {
    input: z.object({ client: clientIdSchema, slug: presetSlugSchema }),
    output: z.object({
      path: z.string(),
      exists: z.boolean(),
      /** The file as it is now (null: it does not exist yet). */
      before: z.string().nullable(),
      /** The file as it would be written. */
      after: z.string(),
      /** The key the preset gets in the client's server list. */
      entryName: z.string(),
    }),
  },
  'clients.write': {
    input: z.object({
      client: clientIdSchema,
      slug: presetSlugSchema,
      /** The `before` the user reviewed; the write is refused if the file changed since. */
      expectedBefore: z.string().nullable(),
    }),
    output: z.object({ path: z.string(), backupPath: z.string().nullable() }),
  },
  'import.preview': {
    input: z.union([
      z.object({ text: z.string().max(4 * 1024 * 1024), source: z.string().max(500).optional() }),
      z.object({ client: clientIdSchema }),
    ]),
    output: z.object({
      source: z.string(),
      format: z.string(),
      servers: z.record(z.string(), serverSpecSchema),
      renamed: z.record(z.string(), z.string()),
      warnings: z.array(z.string()),
      /** Names among `servers` that already exist in the gateway (importing replaces them). */
      existing: z.array(z.string()),
    }),
  },
} as const;
