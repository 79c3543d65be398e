import { describe, expect, it } from 'vitest';
import { normalizeServerName, parseImportConfig, parseImportText } from './import-formats.js';

describe('Claude Desktop', () => {
  it('reads stdio servers with args, env and cwd', () => {
    const result = parseImportConfig({
      globalShortcut: 'Ctrl+Space', // other app settings are ignored
      mcpServers: {
        filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
        github: { command: 'docker', args: ['run', '-i', 'ghcr.io/github/github-mcp-server'], env: { GITHUB_TOKEN: 'x' }, cwd: '/srv' },
      },
    });
    expect(result.format).toBe('claude-desktop');
    expect(result.servers).toEqual({
      filesystem: { transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
      github: {
        transport: 'stdio',
        command: 'docker',
        args: ['run', '-i', 'ghcr.io/github/github-mcp-server'],
        env: { GITHUB_TOKEN: 'x' },
        cwd: '/srv',
      },
    });
    expect(result.warnings).toEqual([]);
  });
});

describe('Cursor mcp.json', () => {
  it('reads url servers (http, or sse by path / type) next to stdio ones', () => {
    const result = parseImportConfig({
      mcpServers: {
        local: { command: 'node', args: ['server.js', 8080, true] },
        remote: { url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer t' } },
        legacy: { url: 'https://old.example.com/sse' },
        typed: { type: 'sse', url: 'https://typed.example.com/events' },
        off: { command: 'x', disabled: true },
      },
    });
    expect(result.format).toBe('cursor');
    expect(result.servers['local']).toEqual({ transport: 'stdio', command: 'node', args: ['server.js', '8080', 'true'] });
    expect(result.servers['remote']).toEqual({
      transport: 'http',
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: 'Bearer t' },
    });
    expect(result.servers['legacy']?.transport).toBe('sse');
    expect(result.servers['typed']?.transport).toBe('sse');
    expect(result.servers['off']?.enabled).toBe(false);
  });
});

describe('VS Code', () => {
  it('reads .vscode/mcp.json with comments, types and inputs', () => {
    const text = `{
      // VS Code allows comments and trailing commas here
      "inputs": [{ "type": "promptString", "id": "api-key", "password": true }],
      "servers": {
        "Perplexity": {
          "type": "stdio",
          "command": "npx",
          "args": ["-y", "server-perplexity-ask"],
          "env": { "PERPLEXITY_API_KEY": "\${input:api-key}" },
          "envFile": "\${workspaceFolder}/.env",
        },
        "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" },
      },
    }`;
    const result = parseImportText(text, 'mcp.json');
    expect(result.format).toBe('vscode');
    expect(result.servers['perplexity']).toEqual({
      transport: 'stdio',
      command: 'npx',
      args: ['-y', 'server-perplexity-ask'],
      env: { PERPLEXITY_API_KEY: '${input:api-key}' }, // kept as-is
    });
    expect(result.renamed).toEqual({ perplexity: 'Perplexity' });
    expect(result.servers['github']).toEqual({ transport: 'http', url: 'https://api.githubcopilot.com/mcp/' });
    expect(result.warnings).toEqual([
      expect.stringContaining('"envFile" is not supported'),
      expect.stringContaining('${input:api-key}; kept as-is'),
    ]);
  });

  it('reads settings.json "mcp.servers"', () => {
    const result = parseImportConfig({ 'editor.fontSize': 14, mcp: { servers: { s: { command: 'uvx', args: ['mcp-server-time'] } } } });
    expect(result.format).toBe('vscode');
    expect(Object.keys(result.servers)).toEqual(['s']);
  });
});

describe('unsupported entries are warnings, not failures', () => {
  it('skips what cannot be represented and keeps the rest', () => {
    const result = parseImportConfig({
      mcpServers: {
        good: { command: 'node' },
        notObject: 'node server.js',
        both: { command: 'x', url: 'https://e.com' },
        neither: { args: ['x'] },
        ws: { type: 'websocket', url: 'wss://e.com' },
        badCommand: { command: 42 },
        badArgs: { command: 'x', args: 'a b' },
        badUrl: { url: 'not a url' },
        extra: { command: 'x', autoApprove: ['t'], timeout: 60 },
      },
    });
    expect(Object.keys(result.servers)).toEqual(['good', 'extra']);
    const text = result.warnings.join('\n');
    expect(text).toContain('server "notObject" skipped: expected an object, got a string');
    expect(text).toContain('server "both" skipped: it has both "command" and "url"');
    expect(text).toContain('server "neither" skipped');
    expect(text).toContain('server "ws" skipped: transport type "websocket" is not supported');
    expect(text).toContain('server "badCommand" skipped: "command" must be a non-empty string, got a number');
    expect(text).toContain('server "badArgs" skipped: "args" must be an array of strings');
    expect(text).toContain('server "badUrl" skipped: url:');
    expect(text).toContain('server "extra": ignored unsupported field(s) timeout');
    expect(text).not.toContain('autoApprove');
  });

  it('throws one clear error when there is no server list at all', () => {
    expect(() => parseImportConfig({ foo: 1 }, 'x.json')).toThrow('x.json: no MCP servers found');
    expect(() => parseImportConfig([], 'x.json')).toThrow('x.json: expected a JSON object');
    expect(() => parseImportText('{ "mcpServers": ', 'x.json')).toThrow('x.json:1:17: invalid JSON');
  });
});

describe('normalizeServerName', () => {
  it('lowercases and replaces other characters with "-"', () => {
    expect(normalizeServerName('GitHub')).toBe('github');
    expect(normalizeServerName('brave_search')).toBe('brave-search');
    expect(normalizeServerName('My Server (v2)!')).toBe('my-server-v2');
    expect(normalizeServerName('@scope/pkg.name')).toBe('scope-pkg-name');
    expect(normalizeServerName('Café Crème')).toBe('cafe-creme');
    expect(normalizeServerName('---')).toBe('server');
    expect(normalizeServerName('日本語')).toBe('server');
  });

  it('keeps names within 63 characters, suffix included', () => {
    const long = 'a'.repeat(80);
    expect(normalizeServerName(long)).toBe('a'.repeat(63));
    expect(normalizeServerName(long, new Set(['a'.repeat(63)]))).toBe(`${'a'.repeat(61)}-2`);
  });

  it('dedupes names that collide after normalisation', () => {
    const result = parseImportConfig({
      mcpServers: { 'My Server': { command: 'a' }, my_server: { command: 'b' }, 'MY-SERVER': { command: 'c' }, 'my-server-2': { command: 'd' } },
    });
    // 'my-server-2' is written that way in the file, so it keeps its name.
    expect(result.servers['my-server-2']?.command).toBe('d');
    expect(result.servers['my-server']?.command).toBe('a');
    expect(result.servers['my-server-3']?.command).toBe('b');
    expect(result.servers['my-server-4']?.command).toBe('c');
    expect(result.renamed).toEqual({ 'my-server': 'My Server', 'my-server-3': 'my_server', 'my-server-4': 'MY-SERVER' });
    for (const name of Object.keys(result.servers)) expect(name).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
  });
});
