import { loadGatewayConfig } from '../../config/load.js';
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
import { writeLine, type CreateGateway, type Gateway } from './io.js';

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
  },
  details: `Settings precedence: defaults < the "gateway" section of --config FILE < environment < flags.
The admin token is stored (mode 0600) in <data dir>/admin-token; other commands read it from there.
Only one gateway can use a data dir at a time.`,
  async run({ io, values }) {
    const config = await loadGatewayConfig({
      flags: {
        port: stringValue(values['port']),
        host: stringValue(values['host']),
        dataDir: stringValue(values['data-dir']),
        config: stringValue(values['config']),
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
      const token = await loadOrCreateAdminToken(dataDir);
      const createGateway: CreateGateway = io.createGateway ?? (await import('../gateway.js')).createGateway;
      gateway = await createGateway(config, { log: (line) => writeLine(io.stderr, line) });
      // The token file is how the other commands authenticate: keep it equal to what the gateway uses.
      if (gateway.adminToken !== token) await saveAdminToken(dataDir, gateway.adminToken);
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

/** 127.0.0.0/8, ::1 and localhost; anything else (0.0.0.0, a LAN address) is reachable from outside. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127(?:\.\d{1,3}){3}$/.test(h)) return true;
  if (h === '::1' || /^(?:0{1,4}:){7}0{0,3}1$/.test(h)) return true;
  return /^::ffff:127(?:\.\d{1,3}){3}$/.test(h);
}
