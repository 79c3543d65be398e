import { mkdtemp, readFile, readdir, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientEntryInput } from '../contract/index.js';
import { ClientConfigError, clientConfigPath, listClients, patchClientConfig, writeClientConfig } from './client-configs.js';

const input = (client: ClientEntryInput['client'], extra: Partial<ClientEntryInput> = {}): ClientEntryInput => ({
  client,
  slug: 'dev',
  url: 'http://127.0.0.1:7337/mcp/dev',
  baseUrl: 'http://127.0.0.1:7337',
  bridge: { command: '/usr/bin/node', args: ['/opt/gw/bin/mcp-gateway.js'], env: {} },
  visibility: 'public',
  ...extra,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mcp-gw-clients-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('client config locations', () => {
  it('knows each client’s user-level file per platform', () => {
    const linux = { home: '/home/ana', platform: 'linux' as const, env: {} };
    expect(clientConfigPath('claude-desktop', linux)).toBe('/home/ana/.config/Claude/claude_desktop_config.json');
    expect(clientConfigPath('vscode', { ...linux, env: { XDG_CONFIG_HOME: '/x' } })).toBe('/x/Code/User/mcp.json');
    expect(clientConfigPath('cursor', linux)).toBe('/home/ana/.cursor/mcp.json');
    expect(clientConfigPath('claude-code', linux)).toBe('/home/ana/.claude.json');
    expect(clientConfigPath('windsurf', linux)).toBe('/home/ana/.codeium/windsurf/mcp_config.json');
    expect(clientConfigPath('claude-desktop', { home: '/Users/ana', platform: 'darwin', env: {} })).toBe('/Users/ana/Library/Application Support/Claude/claude_desktop_config.json');
    expect(clientConfigPath('vscode', { home: 'C:\\Users\\ana', platform: 'win32', env: { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' } })).toBe('C:\\Users\\ana\\AppData\\Roaming\\Code\\User\\mcp.json');
  });

  it('lists which files exist', async () => {
    await mkdir(path.join(dir, '.cursor'));
    await writeFile(path.join(dir, '.cursor', 'mcp.json'), '{}');
    const clients = await listClients({ home: dir, platform: 'linux', env: {} });
    expect(clients.map((c) => [c.id, c.exists, c.transport])).toEqual([
      ['claude-desktop', false, 'stdio'],
      ['claude-code', false, 'http'],
      ['cursor', true, 'http'],
      ['vscode', false, 'http'],
      ['windsurf', false, 'http'],
    ]);
  });
});

describe('patching a client config', () => {
  it('adds the entry and keeps every other key, in order and indentation', () => {
    const before = '{\n    "theme": "dark",\n    "mcpServers": {\n        "other": { "command": "x" }\n    }\n}\n';
    const after = JSON.parse(patchClientConfig(before, input('cursor'), 'f'));
    expect(Object.keys(after)).toEqual(['theme', 'mcpServers']);
    expect(after.mcpServers).toEqual({ other: { command: 'x' }, 'mcp-gateway-dev': { url: 'http://127.0.0.1:7337/mcp/dev' } });
    expect(patchClientConfig(before, input('cursor'), 'f')).toContain('\n    "theme"');
  });

  it('writes the shape each client expects', () => {
    const entry = (client: ClientEntryInput['client'], extra: Partial<ClientEntryInput> = {}) => {
      const parsed = JSON.parse(patchClientConfig(null, input(client, extra), 'f')) as Record<string, Record<string, unknown>>;
      return Object.values(parsed)[0]?.['mcp-gateway-dev'];
    };
    expect(entry('claude-desktop')).toEqual({ command: '/usr/bin/node', args: ['/opt/gw/bin/mcp-gateway.js', 'connect', 'dev', '--url', 'http://127.0.0.1:7337'] });
    expect(entry('vscode')).toEqual({ type: 'http', url: 'http://127.0.0.1:7337/mcp/dev' });
    expect(entry('windsurf')).toEqual({ serverUrl: 'http://127.0.0.1:7337/mcp/dev' });
    expect(entry('claude-code', { visibility: 'private' })).toEqual({ type: 'http', url: 'http://127.0.0.1:7337/mcp/dev', headers: { Authorization: 'Bearer <your token>' } });
    expect(JSON.parse(patchClientConfig(null, input('vscode'), 'f'))).toHaveProperty('servers');
  });

  it('refuses files it would damage', () => {
    expect(() => patchClientConfig('{ // mine\n "servers": {}, }', input('vscode'), 'mcp.json')).toThrow(/comments or trailing commas/);
    expect(() => patchClientConfig('{ "a": ', input('cursor'), 'mcp.json')).toThrow(ClientConfigError);
    expect(() => patchClientConfig('[1]', input('cursor'), 'mcp.json')).toThrow('does not hold a JSON object');
    expect(() => patchClientConfig('{"mcpServers": []}', input('cursor'), 'mcp.json')).toThrow('"mcpServers" is not an object');
  });
});

describe('writing a client config', () => {
  it('creates a missing file, and backs up an existing one before replacing it', async () => {
    const file = path.join(dir, 'nested', 'mcp.json');
    expect(await writeClientConfig(file, null, '{"a":1}\n')).toEqual({ backupPath: null });
    expect(await readFile(file, 'utf8')).toBe('{"a":1}\n');
    const { backupPath } = await writeClientConfig(file, '{"a":1}\n', '{"a":2}\n', new Date('2026-03-04T05:06:07Z'));
    expect(backupPath).toBe(`${file}.mcp-gateway-20260304T050607.bak`);
    expect(await readFile(backupPath as string, 'utf8')).toBe('{"a":1}\n');
    expect(await readFile(file, 'utf8')).toBe('{"a":2}\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(path.dirname(file))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses when the file changed since it was reviewed', async () => {
    const file = path.join(dir, 'mcp.json');
    await writeFile(file, '{"changed":true}');
    await expect(writeClientConfig(file, '{}', '{"a":1}')).rejects.toMatchObject({ kind: 'changed' });
    expect(await readFile(file, 'utf8')).toBe('{"changed":true}');
  });
});
