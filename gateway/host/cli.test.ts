import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PresetSummary } from '../contract/index.js';
import { apiError, preset, runCli, server } from './cli-harness.js';
import { writeRuntimeFile } from './data-dir.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gw-cli-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** main() against this test's data dir. */
const run = (argv: string[], options: Parameters<typeof runCli>[2] = {}) => runCli(dataDir, argv, options);

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
