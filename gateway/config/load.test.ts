import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonSyntaxError, loadGatewayConfig, parseJsonText, parsePort, readDeclarativeFile } from './load.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gw-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: unknown): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return p;
}

const defaults = { cwd: '/work', defaultDataDir: () => '/default/data' };

describe('loadGatewayConfig precedence: defaults < file < env < flags', () => {
  it('uses defaults when nothing is set', async () => {
    const config = await loadGatewayConfig({ ...defaults, env: {} });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 7337, dataDir: '/default/data', configFile: null });
  });

  it('file settings override defaults, env overrides the file, flags override env', async () => {
    const cfg = await file('gw.json', { gateway: { port: 7400, host: '127.0.0.2', logLevel: 'debug', dataDir: 'data' } });

    const fromFile = await loadGatewayConfig({ ...defaults, env: {}, file: cfg });
    expect(fromFile).toMatchObject({ port: 7400, host: '127.0.0.2', logLevel: 'debug', configFile: cfg });
    expect(fromFile.dataDir).toBe(path.join(dir, 'data')); // relative to the file, not the cwd

    const env = { MCP_GATEWAY_PORT: '7500', MCP_GATEWAY_HOST: '127.0.0.3', MCP_GATEWAY_DATA_DIR: '/env/data' };
    const fromEnv = await loadGatewayConfig({ ...defaults, env, file: cfg });
    expect(fromEnv).toMatchObject({ port: 7500, host: '127.0.0.3', dataDir: '/env/data', logLevel: 'debug' });

    const fromFlags = await loadGatewayConfig({
      ...defaults,
      env,
      flags: { port: '7600', host: '::1', dataDir: 'flag-data', config: cfg },
    });
    expect(fromFlags).toMatchObject({ port: 7600, host: '::1', dataDir: '/work/flag-data', logLevel: 'debug', configFile: cfg });
  });

  it('ignores empty env values and resolves relative env paths against cwd', async () => {
    const config = await loadGatewayConfig({ ...defaults, env: { MCP_GATEWAY_PORT: '', MCP_GATEWAY_DATA_DIR: 'rel' } });
    expect(config.port).toBe(7337);
    expect(config.dataDir).toBe('/work/rel');
  });

  it('rejects bad ports naming their source', async () => {
    await expect(loadGatewayConfig({ ...defaults, env: { MCP_GATEWAY_PORT: 'abc' } })).rejects.toThrow(
      "MCP_GATEWAY_PORT: expected a port number 0-65535, got 'abc'",
    );
    await expect(loadGatewayConfig({ ...defaults, flags: { port: '70000' } })).rejects.toThrow('--port: expected a port number');
    const cfg = await file('bad-port.json', { gateway: { port: 'x' } });
    await expect(loadGatewayConfig({ ...defaults, file: cfg })).rejects.toThrow(`${cfg}: gateway.port:`);
    expect(parsePort(' 0 ', 'x')).toBe(0);
    expect(() => parsePort('1.5', 'x')).toThrow();
  });

  it('rejects unknown settings in the file', async () => {
    const cfg = await file('typo.json', { gateway: { prot: 1 } });
    await expect(loadGatewayConfig({ ...defaults, file: cfg })).rejects.toThrow(`${cfg}: gateway.prot: unknown setting`);
  });
});

describe('readDeclarativeFile', () => {
  it('parses servers, the mcpServers alias and presets', async () => {
    const cfg = await file('ok.json', {
      mcpServers: { a: { command: 'node', args: ['a.js'] } },
      servers: { b: { url: 'https://example.com/mcp' } },
      presets: { dev: { servers: { a: true, b: { tools: ['x'] } } } },
    });
    const config = await readDeclarativeFile(cfg);
    expect(Object.keys(config.servers)).toEqual(['a', 'b']);
    expect(config.presets['dev']?.servers?.['b']).toEqual({ tools: ['x'] });
  });

  it('reports a missing file and a folder in one line', async () => {
    await expect(readDeclarativeFile(path.join(dir, 'nope.json'))).rejects.toThrow(`${path.join(dir, 'nope.json')}: file not found`);
    await mkdir(path.join(dir, 'folder'));
    await expect(readDeclarativeFile(path.join(dir, 'folder'))).rejects.toThrow('is a directory');
  });

  it('reports invalid JSON with line and column', async () => {
    const cfg = await file('bad.json', '{\n  "servers": {\n    "a": { "command": "x", }\n  }\n}\n');
    await expect(readDeclarativeFile(cfg)).rejects.toThrow(`${cfg}:3:28: invalid JSON: trailing comma before '}'`);
    const truncated = await file('trunc.json', '{\n  "servers": {');
    await expect(readDeclarativeFile(truncated)).rejects.toThrow(`${truncated}:2:15: invalid JSON:`);
  });

  it('reports schema errors with their path', async () => {
    const cfg = await file('schema.json', {
      servers: { ok: { command: 'x' }, both: { command: 'x', url: 'https://e.com' } },
      presets: { dev: { visibility: 'secret' } },
    });
    const error = await readDeclarativeFile(cfg).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain('servers.both: a server needs exactly one of "command"');
    expect(message).toContain('presets.dev.visibility:');
  });

  it('names invalid server names and unknown top-level keys', async () => {
    const badName = await file('name.json', { servers: { 'My Server': { command: 'x' } } });
    await expect(readDeclarativeFile(badName)).rejects.toThrow('servers["My Server"]: invalid key: server names use lowercase');
    const typo = await file('typo.json', { preset: {} });
    await expect(readDeclarativeFile(typo)).rejects.toThrow('unknown top-level key "preset"');
  });
});

describe('parseJsonText', () => {
  it('parses plain JSON like JSON.parse, including a BOM', () => {
    expect(parseJsonText('\uFEFF{"a":[1,2.5e3,"x\\n",true,null]}')).toEqual({ a: [1, 2500, 'x\n', true, null] });
  });

  it('accepts comments and trailing commas only in JSONC mode', () => {
    const text = '{\n  // servers\n  "a": [1, 2,], /* note */\n}';
    expect(parseJsonText(text, { jsonc: true })).toEqual({ a: [1, 2] });
    expect(() => parseJsonText(text)).toThrow(JsonSyntaxError);
  });

  it('keeps "__proto__" as a plain key', () => {
    const value = parseJsonText('{"__proto__": {"x": 1}}', { jsonc: true }) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('locates errors', () => {
    const error = (() => {
      try {
        parseJsonText('{\n  "a": 1\n  "b": 2\n}');
      } catch (e) {
        return e as JsonSyntaxError;
      }
      return null;
    })();
    expect(error).toMatchObject({ line: 3, column: 3, reason: "expected ',' or '}' after property value, found '\"'" });
  });
});
