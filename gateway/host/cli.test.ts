import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../config/schema.js';
import type { PresetSummary, ServerView } from '../contract/index.js';
import { main, type CliIo } from './cli.js';
import { readRuntimeFile, writeRuntimeFile } from './data-dir.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gw-cli-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

type ApiHandler = (input: Record<string, unknown>) => unknown;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  calls: Array<{ url: string; method: string; input: Record<string, unknown>; auth: string | undefined }>;
}

/** Runs main() with captured streams, a fake admin API and nothing from the real environment. */
async function run(
  argv: string[],
  options: { api?: Record<string, ApiHandler>; io?: Partial<CliIo>; stdinText?: string; tty?: boolean; env?: Record<string, string> } = {},
): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  if (options.stdinText !== undefined) stdin.end(options.stdinText);

  const calls: Run['calls'] = [];
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const method = String(url).split('/api/')[1] ?? '';
    const input = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>;
    const auth = (init?.headers as Record<string, string> | undefined)?.['authorization'];
    calls.push({ url: String(url), method, input, auth });
    const handler = options.api?.[method];
    if (!handler) return Response.json({ ok: false, error: { code: 'unknown_method', message: `no ${method}` } }, { status: 404 });
    try {
      return Response.json({ ok: true, value: await handler(input) });
    } catch (error) {
      const e = error as { code?: string; message: string };
      return Response.json({ ok: false, error: { code: e.code ?? 'internal', message: e.message } }, { status: 400 });
    }
  }) as typeof fetch;

  const code = await main(argv, {
    stdout,
    stderr,
    stdin,
    env: { MCP_GATEWAY_DATA_DIR: dataDir, ...options.env },
    cwd: dataDir,
    fetch: fakeFetch,
    onStopSignal: () => () => undefined,
    exit: ((c: number) => {
      throw new Error(`exit ${c}`);
    }) as CliIo['exit'],
    ...options.io,
  });
  return { code, stdout: out, stderr: err, calls };
}

function apiError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const server = (name: string, extra: Partial<ServerView> = {}): ServerView => ({
  id: name,
  name,
  transport: 'stdio',
  command: 'node',
  args: ['server.js'],
  env: { API_KEY: '••••' },
  cwd: null,
  url: null,
  headers: {},
  enabled: true,
  timeoutMs: null,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  status: { state: 'ready', lastError: null, restarts: 0, toolCount: 3, pid: 123, nextRetryAt: null, breaker: 'closed', consecutiveFailures: 0 },
  ...extra,
});

const preset = (slug: string): PresetSummary => ({
  id: slug,
  slug,
  name: slug.toUpperCase(),
  description: '',
  visibility: 'public',
  status: 'active',
  version: 1,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  url: `http://127.0.0.1:7337/mcp/${slug}`,
});

describe('arguments, help and exit codes', () => {
  it('prints top-level help on --help (exit 0) and on no command (stderr, exit 2)', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: mcp-gateway <command> [options]');
    expect(help.stdout).toContain('servers restart NAME');
    expect(help.stderr).toBe('');

    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: mcp-gateway');
    expect(none.stdout).toBe('');
  });

  it('prints the version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    ['serve'],
    ['apply'],
    ['import'],
    ['connect'],
    ['status'],
    ['presets', 'list'],
    ['presets', 'show'],
    ['servers', 'list'],
    ['servers', 'show'],
    ['servers', 'restart'],
  ])('%s %s --help', async (...words) => {
    const command = words.filter(Boolean);
    for (const flag of ['--help', '-h']) {
      const result = await run([...command, flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: mcp-gateway ${command.join(' ')}`);
      expect(result.stdout).toContain('--help');
    }
    // `help <command>` says the same
    expect((await run(['help', ...command])).stdout).toContain(`Usage: mcp-gateway ${command.join(' ')}`);
  });

  it('shows group help for `presets` / `servers`', async () => {
    expect(await run(['servers', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('servers show NAME') });
    expect(await run(['presets'])).toMatchObject({ code: 2, stderr: expect.stringContaining('presets list') });
  });

  it('rejects unknown commands with a suggestion, exit 2', async () => {
    const result = await run(['sevre']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("mcp-gateway: unknown command 'sevre' (did you mean 'serve'?)\nRun 'mcp-gateway --help' for usage.\n");
    expect((await run(['servers', 'lst'])).stderr).toContain("unknown command 'servers lst' (did you mean 'servers list'?)");
  });

  it('rejects unknown flags, missing values and arguments with exit 2 and a usage hint', async () => {
    const unknown = await run(['apply', 'x.json', '--bogus']);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toBe("mcp-gateway: unknown option '--bogus'\nRun 'mcp-gateway apply --help' for usage.\n");

    expect((await run(['serve', '--port'])).stderr).toContain("option '--port' needs a value");
    expect((await run(['import', 'f.json', '--yes=no'])).stderr).toContain("option '--yes' does not take a value");
    expect((await run(['apply'])).stderr).toContain('mcp-gateway: missing FILE');
    expect((await run(['servers', 'show', 'a', 'b'])).stderr).toContain("unexpected argument 'b'");
    expect((await run(['--bogus'])).code).toBe(2);
    expect((await run(['import', 'f.json', '--preset', 'Bad Slug'])).stderr).toContain("invalid preset slug 'Bad Slug'");
  });

  it('reports runtime failures in one line with exit 1', async () => {
    const missing = await run(['apply', 'nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`mcp-gateway: ${path.join(dataDir, 'nope.json')}: file not found\n`);
    expect(missing.calls).toHaveLength(0);
  });
});

describe('admin commands', () => {
  it('find the gateway through runtime.json and send the admin token from the data dir', async () => {
    await writeRuntimeFile(dataDir, { url: 'http://127.0.0.1:9999', pid: process.pid });
    await writeFile(path.join(dataDir, 'admin-token'), 'abc123\n', { mode: 0o600 });
    const result = await run(['servers', 'list'], { api: { 'servers.list': () => ({ items: [server('github')] }) } });
    expect(result.code).toBe(0);
    expect(result.calls[0]).toMatchObject({ url: 'http://127.0.0.1:9999/api/servers.list', auth: 'Bearer abc123' });
    expect(result.stdout).toBe('NAME    TRANSPORT  STATE  TOOLS\ngithub  stdio      ready  3\n');
  });

  it('prefer --url and MCP_GATEWAY_ADMIN_TOKEN, and ignore a runtime.json of a dead process', async () => {
    await writeRuntimeFile(dataDir, { url: 'http://127.0.0.1:9999', pid: 2 ** 22 + 12345 });
    const api = { 'servers.list': () => ({ items: [] }) };
    const fallback = await run(['servers', 'list'], { api });
    expect(fallback.calls[0]?.url).toBe('http://127.0.0.1:7337/api/servers.list');
    const explicit = await run(['servers', 'list', '--url', 'http://h:1/'], { api, env: { MCP_GATEWAY_ADMIN_TOKEN: 'envtok' } });
    expect(explicit.calls[0]).toMatchObject({ url: 'http://h:1/api/servers.list', auth: 'Bearer envtok' });
  });

  it('print JSON with --json', async () => {
    const result = await run(['servers', 'show', 'github', '--json'], {
      api: { 'servers.get': () => ({ ...server('github'), stderrTail: ['boom'] }) },
    });
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'github', stderrTail: ['boom'] });
  });

  it('show a server with its last error and stderr tail', async () => {
    const result = await run(['servers', 'show', 'github'], {
      api: {
        'servers.get': () => ({
          ...server('github', { status: { state: 'failed', lastError: 'exited with code 1', restarts: 2, toolCount: 0, pid: null, nextRetryAt: null, breaker: 'closed', consecutiveFailures: 0 } }),
          stderrTail: ['Error: missing API_KEY'],
        }),
      },
    });
    expect(result.stdout).toContain('Command:     node server.js');
    expect(result.stdout).toContain('Env:         API_KEY');
    expect(result.stdout).toContain('Last error:  exited with code 1');
    expect(result.stdout).toContain('  Error: missing API_KEY');
  });

  it('restart a server', async () => {
    const result = await run(['servers', 'restart', 'github'], { api: { 'servers.restart': (input) => server(String(input['name'])) } });
    expect(result).toMatchObject({ code: 0, stdout: 'Restarted github: ready, 3 tools\n' });
  });

  it('turn API errors into one line and exit 1, with a hint for auth failures', async () => {
    const notFound = await run(['servers', 'show', 'nope'], {
      api: { 'servers.get': () => { throw apiError('not_found', 'no server named "nope"'); } },
    });
    expect(notFound).toMatchObject({ code: 1, stderr: 'mcp-gateway: no server named "nope"\n' });

    const denied = await run(['servers', 'list'], { api: { 'servers.list': () => { throw apiError('unauthorized', 'bad token'); } } });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('no admin token found');
  });

  it('report an unreachable gateway', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    const result = await run(['presets', 'list'], { io: { fetch: (() => Promise.reject(refused)) as typeof fetch } });
    expect(result).toMatchObject({
      code: 1,
      stderr: 'mcp-gateway: cannot reach the gateway at http://127.0.0.1:7337 (is `mcp-gateway serve` running?)\n',
    });
  });

  it('follow presets.list pagination', async () => {
    const pages: Record<string, { items: PresetSummary[]; pagination: { nextCursor: string | null; hasMore: boolean; limit: number } }> = {
      first: { items: [preset('a'), preset('b')], pagination: { nextCursor: 'c2', hasMore: true, limit: 2 } },
      c2: { items: [preset('c')], pagination: { nextCursor: null, hasMore: false, limit: 2 } },
    };
    const result = await run(['presets', 'list'], { api: { 'presets.list': (input) => pages[String(input['cursor'] ?? 'first')] } });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'SLUG  NAME  VISIBILITY  STATUS  URL',
      'a     A     public      active  http://127.0.0.1:7337/mcp/a',
      'b     B     public      active  http://127.0.0.1:7337/mcp/b',
      'c     C     public      active  http://127.0.0.1:7337/mcp/c',
    ]);
  });

  it('apply validates locally, then sends the parsed config', async () => {
    const file = path.join(dataDir, 'config.json');
    await writeFile(file, JSON.stringify({ mcpServers: { a: { command: 'node' } }, presets: { dev: { servers: { a: true } } } }));
    const result = await run(['apply', 'config.json', '--prune'], {
      api: { 'config.apply': () => ({ created: ['server:a', 'preset:dev'], updated: [], deleted: ['server:old'], unchanged: [] }) },
    });
    expect(result.code).toBe(0);
    expect(result.calls[0]?.input).toEqual({ config: { servers: { a: { command: 'node' } }, presets: { dev: { servers: { a: true } } } }, prune: true });
    expect(result.stdout).toContain('created      2  server:a, preset:dev');
    expect(result.stdout).toContain('deleted      1  server:old');

    await writeFile(file, '{"servers": {"Bad Name": {"command": "x"}}}');
    const invalid = await run(['apply', file]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('servers["Bad Name"]: invalid key');
    expect(invalid.calls).toHaveLength(0);
  });
});

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
