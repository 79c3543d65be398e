import { homedir } from 'node:os';
import path from 'node:path';
import { clientEntryName, GatewayError, type BridgeCommand, type ClientEntryInput, type ClientId } from '../../contract/index.js';
import {
  ClientConfigError,
  clientConfigPath,
  listClients,
  patchClientConfig,
  readClientFile,
  writeClientConfig,
  type ClientPlatform,
} from '../../config/client-configs.js';
import { importFormatLabels, parseImportText } from '../../config/import-formats.js';
import { packageRoot } from '../../host/package-info.js';
import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';

type ClientHandlers = Pick<Handlers, 'clients.list' | 'clients.preview' | 'clients.write' | 'import.preview'>;

/** Read at call time (never at import): the user's home, platform and environment. */
function currentPlatform(): ClientPlatform {
  return { home: homedir(), platform: process.platform, env: process.env };
}

/**
 * How a stdio-only client runs `mcp-gateway connect`: this Node and this package's CLI, by
 * absolute path (client apps rarely inherit the user's shell PATH). Under Electron the same
 * binary runs as plain Node with ELECTRON_RUN_AS_NODE.
 */
export function bridgeCommand(): BridgeCommand {
  const cli = path.join(packageRoot(), 'bin', 'mcp-gateway.js');
  const env: Record<string, string> = process.versions['electron'] ? { ELECTRON_RUN_AS_NODE: '1' } : {};
  return { command: process.execPath, args: [cli], env };
}

function asGatewayError(error: unknown): never {
  if (error instanceof ClientConfigError) {
    throw new GatewayError(error.kind === 'changed' ? 'conflict' : 'bad_request', error.message, { kind: error.kind });
  }
  throw error;
}

export function clientHandlers(ctx: ApiContext): ClientHandlers {
  const entryInput = async (client: ClientId, slug: string): Promise<ClientEntryInput> => {
    const preset = await ctx.db.presets.findBySlugWithServers(slug);
    if (!preset || preset.ownerId !== ctx.ownerId) throw new GatewayError('not_found', `no preset with slug "${slug}"`);
    const baseUrl = ctx.baseUrl();
    return { client, slug, url: `${baseUrl}/mcp/${slug}`, baseUrl, bridge: bridgeCommand(), visibility: preset.visibility };
  };
  const preview = async (client: ClientId, slug: string) => {
    const file = clientConfigPath(client, currentPlatform());
    const before = await readClientFile(file);
    try {
      return { file, before, after: patchClientConfig(before, await entryInput(client, slug), file) };
    } catch (error) {
      return asGatewayError(error);
    }
  };

  return {
    'clients.list': async () => ({ clients: await listClients(currentPlatform()), bridge: bridgeCommand() }),
    'clients.preview': async ({ client, slug }) => {
      const { file, before, after } = await preview(client, slug);
      return { path: file, exists: before !== null, before, after, entryName: clientEntryName(slug) };
    },
    'clients.write': async ({ client, slug, expectedBefore }) => {
      const { file, before, after } = await preview(client, slug);
      if (before !== expectedBefore) {
        throw new GatewayError('conflict', `${file} changed since you reviewed it; review the new difference and try again`, { kind: 'changed' });
      }
      try {
        const { backupPath } = await writeClientConfig(file, expectedBefore, after);
        return { path: file, backupPath };
      } catch (error) {
        return asGatewayError(error);
      }
    },
    'import.preview': async (input) => {
      let text: string;
      let source: string;
      if ('client' in input) {
        source = clientConfigPath(input.client, currentPlatform());
        const read = await readClientFile(source);
        if (read === null) throw new GatewayError('not_found', `${source} does not exist`);
        text = read;
      } else {
        text = input.text;
        source = input.source ?? 'pasted text';
      }
      let imported;
      try {
        imported = parseImportText(text, source);
      } catch (error) {
        throw new GatewayError('bad_request', error instanceof Error ? error.message : String(error));
      }
      const known = new Set((await ctx.db.servers.list(ctx.ownerId)).map((server) => server.name));
      return {
        source,
        format: importFormatLabels[imported.format],
        servers: imported.servers,
        renamed: imported.renamed,
        warnings: imported.warnings,
        existing: Object.keys(imported.servers).filter((name) => known.has(name)),
      };
    },
  };
}
