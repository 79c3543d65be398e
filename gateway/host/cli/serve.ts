import path from 'node:path';
import { loadGatewayConfig, readTextFile } from '../../config/load.js';
import {
  acquireDataDirLock,
  adminTokenPath,
  loadOrCreateAdminToken,
  removeRuntimeFile,
  saveAdminToken,
  writeRuntimeFile,
} from '../data-dir.js';
import { dataDirOption, stringValue } from './admin.js';
import type { CommandSpec } from './command.js';
import { writeLine, type Gateway } from './io.js';
import { redactUrl } from '../../sync/sync-support.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'Run the gateway in the foreground (headless) until Ctrl-C or SIGTERM.',
  options: {
    port: { type: 'string', value: 'PORT', description: 'TCP port (default 7337; env MCP_GATEWAY_PORT; 0 = any free port)' },
    host: { type: 'string', value: 'HOST', description: 'address to bind (default 127.0.0.1; env MCP_GATEWAY_HOST)' },
    'data-dir': dataDirOption,
    config: {
      type: 'string',
      value: 'FILE',
      description: 'declarative servers/presets file, applied at start (no prune)',
    },
    'database-url': {
      type: 'string',
      value: 'URL',
      description: 'team mode: run on this PostgreSQL 15+ (postgres://…) instead of the embedded database (env MCP_GATEWAY_DATABASE_URL)',
    },
    'read-replica-url': {
      type: 'string',
      value: 'URL',
      description: 'team mode: a read replica for lag-tolerant reads such as metrics (env MCP_GATEWAY_READ_REPLICA_URL)',
    },
    'redis-url': {
      type: 'string',
      value: 'URL',
      description: 'team mode: Redis 7+ (redis://…) for invalidation between instances and shared rate limits (env MCP_GATEWAY_REDIS_URL)',
    },
    'sync-url': {
      type: 'string',
      value: 'URL',
      description: 'desktop sync: share presets and push rollups to this team PostgreSQL (saved; env MCP_GATEWAY_SYNC_URL)',
    },
    'sync-member': {
      type: 'string',
      value: 'NAME',
      description: 'desktop sync: how this machine is named in the team (default user@host; env MCP_GATEWAY_SYNC_MEMBER)',
    },
    'admin-token-file': {
      type: 'string',
      value: 'FILE',
      description: 'admin token shared by every instance of a team gateway (env MCP_GATEWAY_ADMIN_TOKEN holds the token itself)',
    },
    'secret-key-file': {
      type: 'string',
      value: 'FILE',
      description: 'key sealing upstream secrets, shared by every instance (32 bytes, hex or base64; env MCP_GATEWAY_SECRET_KEY, hex)',
    },
  },
  details: `Settings precedence: defaults < the "gateway" section of --config FILE < environment < flags.
The admin token is stored (mode 0600) in <data dir>/admin-token; other commands read it from there.
Only one gateway can use a data dir at a time.
Team mode (--database-url, --redis-url): several instances, each with its own data dir, share one
database and Redis; give them all the same --admin-token-file and --secret-key-file (or env
MCP_GATEWAY_ADMIN_TOKEN and MCP_GATEWAY_SECRET_KEY).
Desktop sync (--sync-url): this gateway keeps its own database and shares the presets you mark as
shared with a team PostgreSQL (see \`mcp-gateway sync --help\`); it works offline and catches up.`,
  async run({ io, values }) {
    const config = await loadGatewayConfig({
      flags: {
        port: stringValue(values['port']),
        host: stringValue(values['host']),
        dataDir: stringValue(values['data-dir']),
        config: stringValue(values['config']),
        databaseUrl: stringValue(values['database-url']),
        readReplicaUrl: stringValue(values['read-replica-url']),
        redisUrl: stringValue(values['redis-url']),
        syncUrl: stringValue(values['sync-url']),
        syncMember: stringValue(values['sync-member']),
      },
      env: io.env,
      cwd: io.cwd,
    });
    const dataDir = config.dataDir;
    if (dataDir === null) throw new Error('serve needs a data dir');
    if (!isLoopbackHost(config.host)) {
      writeLine(
        io.stderr,
        `mcp-gateway: warning: binding ${config.host}, which is not a loopback address: other machines can reach ` +
          `the gateway (public presets need no token). Use --host 127.0.0.1 unless you mean it.`,
      );
    }

    // Watch for signals from the start: a Ctrl-C during a slow start must still stop cleanly.
    let signalled: ((signal: string) => void) | undefined;
    let pendingSignal: string | undefined;
    let stopping = false;
    const release = await acquireDataDirLock(dataDir, { pid: io.pid });
    const removeSignalHandler = io.onStopSignal((signal) => {
      if (stopping || pendingSignal) {
        // Second signal: the user does not want to wait for a clean stop.
        writeLine(io.stderr, 'mcp-gateway: stopping took too long; exiting now');
        release();
        io.exit(130);
      }
      pendingSignal = signal;
      signalled?.(signal);
    });

    let gateway: Gateway;
    try {
      const shared = await sharedSecrets(values, io.env, io.cwd);
      const token = shared.adminToken ?? (await loadOrCreateAdminToken(dataDir));
      const log = (line: string): void => writeLine(io.stderr, line);
      if (io.createGateway) {
        gateway = await io.createGateway(config, { log });
      } else {
        const createGateway = (await import('../gateway.js')).createGateway;
        gateway = await createGateway(config, { log, ...shared });
      }
      // The token file is how the other commands authenticate: keep it equal to what the gateway uses.
      if (gateway.adminToken !== token || shared.adminToken !== undefined) await saveAdminToken(dataDir, gateway.adminToken);
      await writeRuntimeFile(dataDir, { url: gateway.url, pid: io.pid });
    } catch (error) {
      removeSignalHandler();
      release();
      throw error;
    }

    if (!pendingSignal) {
      writeLine(io.stdout, `MCP Gateway listening on ${gateway.url}`);
      writeLine(io.stdout, `Admin token: ${adminTokenPath(dataDir)}`);
      // One-time UI link: the token rides in the fragment, which browsers never send to a server.
      writeLine(io.stdout, `Open the UI: ${gateway.url}/#token=${encodeURIComponent(gateway.adminToken)}`);
      writeLine(io.stdout, `Data dir: ${dataDir}`);
      if (config.configFile) writeLine(io.stdout, `Config file: ${config.configFile}`);
      if (config.syncUrl) writeLine(io.stdout, `Desktop sync: ${redactUrl(config.syncUrl)}`);
      if (config.databaseUrl) writeLine(io.stdout, `Team mode: PostgreSQL${config.readReplicaUrl ? ' (+ read replica)' : ''}${config.redisUrl ? ' + Redis' : ''}`);
      await new Promise<string>((resolve) => {
        signalled = resolve;
      });
    }

    stopping = true;
    writeLine(io.stderr, `mcp-gateway: ${pendingSignal ?? 'signal'} received, stopping`);
    try {
      await gateway.stop();
    } finally {
      await removeRuntimeFile(dataDir, io.pid).catch(() => undefined);
      removeSignalHandler();
      release();
    }
    return 0;
  },
};

/** Admin token and secret key shared by the instances of a team gateway (flags win over env). */
async function sharedSecrets(
  values: Record<string, string | boolean | undefined>,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<{ adminToken?: string; secretKey?: Buffer }> {
  const out: { adminToken?: string; secretKey?: Buffer } = {};
  const tokenFile = stringValue(values['admin-token-file']);
  const token = tokenFile ? (await readTextFile(path.resolve(cwd, tokenFile))).trim() : env['MCP_GATEWAY_ADMIN_TOKEN']?.trim();
  if (token !== undefined && token !== '') {
    if (token.length < 16) throw new Error(`${tokenFile ?? 'MCP_GATEWAY_ADMIN_TOKEN'}: the admin token must be at least 16 characters`);
    out.adminToken = token;
  }
  const keyFile = stringValue(values['secret-key-file']);
  const keyText = keyFile ? (await readTextFile(path.resolve(cwd, keyFile))).trim() : env['MCP_GATEWAY_SECRET_KEY']?.trim();
  if (keyText !== undefined && keyText !== '') {
    const key = /^[0-9a-f]{64}$/i.test(keyText) ? Buffer.from(keyText, 'hex') : Buffer.from(keyText, 'base64');
    if (key.length !== 32) throw new Error(`${keyFile ?? 'MCP_GATEWAY_SECRET_KEY'}: expected a 32-byte key (64 hex characters or base64)`);
    out.secretKey = key;
  }
  return out;
}

/** 127.0.0.0/8, ::1 and localhost; anything else (0.0.0.0, a LAN address) is reachable from outside. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(h)) return true;
  if (h === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(h)) return true;
  return /^::ffff:127(?:\.\d{1,3}){3}$/.test(h);
}
