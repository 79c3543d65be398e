import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../config/schema.js';
import { apiError, preset, runCli, server } from './cli-harness.js';
import { readRuntimeFile } from './data-dir.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gw-cli-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** main() against this test's data dir. */
const run = (argv: string[], options: Parameters<typeof runCli>[2] = {}) => runCli(dataDir, argv, options);

describe('import', () => {
  const claude = {
    mcpServers: {
      'My Files': { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/ann/My Docs'], env: { SECRET: 'hunter2' } },
      remote: { url: 'https://mcp.example.com/mcp' },
    },
  };
  const api = (applied: unknown[]) => ({
    'servers.list': () => ({ items: [server('remote')] }),
    'presets.get': () => {
      throw apiError('not_found', 'no preset');
    },
    'config.apply': (input: Record<string, unknown>) => {
      applied.push(input);
      return { created: ['server:my-files'], updated: ['server:remote'], deleted: [], unchanged: [] };
    },
  });

  beforeEach(async () => {
    await writeFile(path.join(dataDir, 'claude.json'), JSON.stringify(claude));
  });

  it('shows the exact commands (env keys only) and refuses without a terminal or --yes', async () => {
    const applied: unknown[] = [];
    const result = await run(['import', 'claude.json'], { api: api(applied) });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("command: npx -y @modelcontextprotocol/server-filesystem '/home/ann/My Docs'");
    expect(result.stdout).toContain('env:     SECRET');
    expect(result.stdout).not.toContain('hunter2');
    expect(result.stdout).toContain('my-files  (stdio, named "My Files" in the file)');
    expect(result.stdout).toContain('remote  (http, replaces the existing server)');
    expect(result.stderr).toContain('re-run with --yes');
    expect(applied).toHaveLength(0);
  });

  it('asks on a terminal and does nothing on "n"', async () => {
    const applied: unknown[] = [];
    const result = await run(['import', 'claude.json'], { api: api(applied), tty: true, stdinText: 'n\n' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Add 2 servers? [y/N]');
    expect(applied).toHaveLength(0);
  });

  it('applies (no prune) after "y", with a preset of all imported servers', async () => {
    const applied: Array<Record<string, unknown>> = [];
    const result = await run(['import', 'claude.json', '--preset', 'mine'], { api: api(applied), tty: true, stdinText: 'y\n' });
    expect(result.code).toBe(0);
    expect(applied).toEqual([
      {
        config: {
          servers: {
            'my-files': {
              transport: 'stdio',
              command: 'npx',
              args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/ann/My Docs'],
              env: { SECRET: 'hunter2' },
            },
            remote: { transport: 'http', url: 'https://mcp.example.com/mcp' },
          },
          presets: { mine: { name: 'mine', servers: { 'my-files': true, remote: true } } },
        },
        prune: false,
      },
    ]);
    expect(result.stdout).toContain('created      1  server:my-files');
  });

  it('extends an existing preset instead of replacing its servers', async () => {
    const applied: Array<Record<string, unknown>> = [];
    const existing = {
      ...preset('mine'),
      servers: [{ serverName: 'old', enabled: true, allowedTools: ['t1'], toolTimeouts: {}, toolOverrides: {}, prefix: null }],
      acl: [],
    };
    const result = await run(['import', 'claude.json', '--preset', 'mine', '--yes'], {
      api: { ...api(applied), 'presets.get': () => existing },
    });
    expect(result.code).toBe(0);
    const presets = (applied[0]?.['config'] as { presets: Record<string, { servers: unknown }> }).presets;
    expect(presets['mine']?.servers).toEqual({ old: { enabled: true, tools: ['t1'] }, 'my-files': true, remote: true });
  });
});

describe('serve', () => {
  function fakeGateway() {
    const state = { config: undefined as GatewayConfig | undefined, stopped: false };
    const createGateway = async (config: GatewayConfig) => {
      state.config = config;
      return {
        url: `http://${config.host}:${config.port}`,
        adminToken: 'f'.repeat(64),
        stop: async () => {
          state.stopped = true;
        },
      };
    };
    return { state, createGateway };
  }

  it('starts, writes the runtime file, and stops cleanly on a signal', async () => {
    const { state, createGateway } = fakeGateway();
    let signal: ((name: string) => void) | undefined;
    const running = run(['serve', '--port', '7444'], {
      io: {
        createGateway,
        onStopSignal: (handler) => {
          signal = handler;
          return () => (signal = undefined);
        },
      },
    });
    // Wait until the runtime file says the gateway is up.
    for (let i = 0; i < 100 && !(await readRuntimeFile(dataDir)); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await readRuntimeFile(dataDir)).toEqual({ url: 'http://127.0.0.1:7444', pid: process.pid });
    expect(state.config).toMatchObject({ port: 7444, host: '127.0.0.1', dataDir });
    expect(await readFile(path.join(dataDir, 'admin-token'), 'utf8')).toBe(`${'f'.repeat(64)}\n`);
    await expect(stat(path.join(dataDir, 'gateway.lock'))).resolves.toBeDefined();

    signal?.('SIGTERM');
    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('MCP Gateway listening on http://127.0.0.1:7444');
    expect(result.stdout).toContain(`Admin token: ${path.join(dataDir, 'admin-token')}`);
    // The token appears once, in the fragment of the one-time UI link (never sent to a server).
    expect(result.stdout).toContain(`Open the UI: http://127.0.0.1:7444/#token=${'f'.repeat(64)}`);
    expect(result.stdout.split('\n').filter((line) => line.includes('f'.repeat(64)))).toEqual([`Open the UI: http://127.0.0.1:7444/#token=${'f'.repeat(64)}`]);
    expect(state.stopped).toBe(true);
    expect(signal).toBeUndefined();
    expect(await readRuntimeFile(dataDir)).toBeNull();
    await expect(stat(path.join(dataDir, 'gateway.lock'))).rejects.toThrow();
  });

  it('refuses a data dir locked by another gateway', async () => {
    await writeFile(path.join(dataDir, 'gateway.lock'), '1\n');
    const { createGateway, state } = fakeGateway();
    const result = await run(['serve'], { io: { createGateway } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`mcp-gateway: another gateway (pid 1) is using ${dataDir}; stop it or pass --data-dir\n`);
    expect(state.config).toBeUndefined();
  });

  it('releases the lock when the gateway fails to start', async () => {
    const result = await run(['serve'], {
      io: { createGateway: () => Promise.reject(new Error('port 7337 on 127.0.0.1 is already in use (pass --port to pick another)')) },
    });
    expect(result).toMatchObject({ code: 1, stderr: 'mcp-gateway: port 7337 on 127.0.0.1 is already in use (pass --port to pick another)\n' });
    await expect(stat(path.join(dataDir, 'gateway.lock'))).rejects.toThrow();
  });

  it('warns when binding a non-loopback address', async () => {
    const { createGateway } = fakeGateway();
    let signal: ((name: string) => void) | undefined;
    const running = run(['serve', '--host', '0.0.0.0'], {
      io: { createGateway, onStopSignal: (h) => ((signal = h), () => undefined) },
    });
    for (let i = 0; i < 100 && !(await readRuntimeFile(dataDir)); i++) await new Promise((r) => setTimeout(r, 10));
    signal?.('SIGINT');
    const result = await running;
    expect(result.stderr).toContain('warning: binding 0.0.0.0, which is not a loopback address');
  });
});
