import { createApiClient, type ApiClient } from '../../api/http-client.js';
import { GatewayError, type MethodInput, type MethodName, type MethodOutput } from '../../contract/index.js';
import { adminTokenPath, isProcessAlive, readAdminToken, readRuntimeFile, resolveDataDir } from '../data-dir.js';
import type { OptionSpec } from './command.js';
import type { CliIo } from './io.js';

export const DEFAULT_URL = 'http://127.0.0.1:7337';

export const urlOption: OptionSpec = {
  type: 'string',
  value: 'URL',
  description: `gateway URL (default: the gateway running on this data dir, else ${DEFAULT_URL})`,
};
export const dataDirOption: OptionSpec = {
  type: 'string',
  value: 'DIR',
  description: 'data dir of the gateway (default: $MCP_GATEWAY_DATA_DIR, else the user data folder)',
};
export const adminOptions = { url: urlOption, 'data-dir': dataDirOption };

export const ADMIN_DETAILS = `The gateway is found with --url, $MCP_GATEWAY_URL, or the runtime.json that \`mcp-gateway serve\`
writes in the data dir. The admin token is read from $MCP_GATEWAY_ADMIN_TOKEN or <data dir>/admin-token.`;

/** Where the gateway is: --url > $MCP_GATEWAY_URL > runtime.json of a live gateway > default. */
export async function locateGateway(
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
): Promise<{ url: string; dataDir: string }> {
  const dataDir = resolveDataDir({ flag: stringValue(values['data-dir']), env: io.env, cwd: io.cwd });
  const explicit = stringValue(values['url']) ?? nonEmpty(io.env['MCP_GATEWAY_URL']);
  if (explicit) return { url: explicit, dataDir };
  const runtime = await readRuntimeFile(dataDir);
  // A runtime file of a dead process is a leftover of a crash: do not send anyone there.
  if (runtime && isProcessAlive(runtime.pid)) return { url: runtime.url, dataDir };
  return { url: DEFAULT_URL, dataDir };
}

export interface AdminSession {
  url: string;
  dataDir: string;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
}

/** An admin API client for the located gateway, whose auth errors explain where the token came from. */
export async function connectAdmin(
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
): Promise<AdminSession> {
  const { url, dataDir } = await locateGateway(values, io);
  const fromEnv = nonEmpty(io.env['MCP_GATEWAY_ADMIN_TOKEN']);
  const token = fromEnv ?? ((await readAdminToken(dataDir)) || undefined);
  const tokenSource = fromEnv ? '$MCP_GATEWAY_ADMIN_TOKEN' : adminTokenPath(dataDir);
  const client: ApiClient = createApiClient({ url, token, fetch: io.fetch });

  return {
    url: client.url,
    dataDir,
    async call(method, input) {
      try {
        return await client.call(method, input);
      } catch (error) {
        if (error instanceof GatewayError && error.code === 'unauthorized') {
          const hint = token
            ? `the admin token from ${tokenSource} was not accepted by ${client.url}; is that gateway using another data dir (--data-dir)?`
            : `no admin token found (looked in $MCP_GATEWAY_ADMIN_TOKEN and ${tokenSource}); pass the gateway's --data-dir or set MCP_GATEWAY_ADMIN_TOKEN`;
          throw new GatewayError('unauthorized', `${error.message}: ${hint}`, error.data);
        }
        throw error;
      }
    },
  };
}

export function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
