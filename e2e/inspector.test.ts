import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startGateway, type GatewayProcess } from './support/gateway-process.js';
import { fixturePath, repoRoot } from './support/paths.js';

/**
 * The official MCP Inspector (2.12.0) in CLI mode, as a child process, against a gateway preset
 * whose upstream is the fixture server. Its `--format json` output is one JSON object on stdout:
 * `{"result": …}` on success; on failure a non-zero exit and `{"error": {code, message}}` on stderr.
 * The inspector keeps state under ~/.mcp-inspector: HOME points at a temp dir for the run.
 */
const inspectorBin = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'inspector', 'clients', 'launcher', 'build', 'index.js');

interface InspectorRun {
  code: number | null;
  stdout: string;
  stderr: string;
  json: { result?: Record<string, unknown>; error?: { code: string; message: string } };
}

describe('MCP Inspector CLI through a gateway preset', () => {
  let gw: GatewayProcess;
  let home: string;
  let presetUrl: string;

  /** `mcp-inspector --cli <preset URL> --transport http --format json <args>`; our URLs end in /mcp/<slug>, not /mcp. */
  const inspect = (args: string[], timeoutMs = 30_000): Promise<InspectorRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [inspectorBin, '--cli', presetUrl, '--transport', 'http', '--format', 'json', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HOME: home, USERPROFILE: home, NO_COLOR: '1' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        const payload = (code === 0 ? stdout : stderr).trim();
        try {
          resolve({ code, stdout, stderr, json: JSON.parse(payload.slice(payload.indexOf('{'))) as InspectorRun['json'] });
        } catch {
          reject(new Error(`inspector ${args.join(' ')} exited ${code} without JSON:\nstdout: ${stdout}\nstderr: ${stderr}`));
        }
      });
    });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'mcp-inspector-home-'));
    gw = await startGateway();
    await gw.api('config.apply', {
      config: {
        servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } },
        presets: { insp: { name: 'Inspector', servers: { fx: true } } },
      },
    });
    presetUrl = `${gw.url}/mcp/insp`;
  });

  afterAll(async () => {
    if (gw) {
      const code = await gw.stop();
      await removeDir(gw.dataDir);
      expect(code).toBe(0);
    }
    if (home) await removeDir(home);
  });

  it('tools/list shows the namespaced fixture tools', async () => {
    const run = await inspect(['--method', 'tools/list']);
    expect(run.code, run.stderr).toBe(0);
    const tools = run.json.result?.tools as Array<{ name: string; description?: string; inputSchema?: { properties?: Record<string, unknown> } }>;
    const names = tools.map((tool) => tool.name);
    expect(names).toContain('fx__echo');
    expect(names).toContain('fx__add');
    const echo = tools.find((tool) => tool.name === 'fx__echo');
    expect(echo?.description).toBe('Echoes the text back');
    expect(Object.keys(echo?.inputSchema?.properties ?? {})).toEqual(['text']);
  });

  it('tools/call fx__echo returns the text', async () => {
    const run = await inspect(['--method', 'tools/call', '--tool-name', 'fx__echo', '--tool-arg', 'text=hello from the inspector']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.result?.content).toEqual([{ type: 'text', text: 'hello from the inspector' }]);
    expect(run.json.result?.isError).toBeFalsy();
  });

  it('tools/call passes JSON arguments verbatim', async () => {
    const run = await inspect(['--method', 'tools/call', '--tool-name', 'fx__add', '--tool-args-json', '{"a":2,"b":40}']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json.result?.content).toEqual([{ type: 'text', text: '42' }]);
  });

  it('tools/call of a tool outside the preset fails with a JSON error', async () => {
    const run = await inspect(['--method', 'tools/call', '--tool-name', 'fx__missing']);
    expect(run.code).not.toBe(0);
    expect(run.json.error?.message).toMatch(/fx__missing/);
  });

  it('prompts/list and prompts/get work', async () => {
    const list = await inspect(['--method', 'prompts/list']);
    expect(list.code, list.stderr).toBe(0);
    const prompts = list.json.result?.prompts as Array<{ name: string; arguments?: Array<{ name: string }> }>;
    expect(prompts.map((prompt) => prompt.name)).toEqual(['fx__greet']);
    expect(prompts[0]?.arguments?.map((argument) => argument.name)).toEqual(['name']);
    const get = await inspect(['--method', 'prompts/get', '--prompt-name', 'fx__greet', '--prompt-args', 'name=Ada']);
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.stringify(get.json.result?.messages)).toContain('Hello, Ada!');
  });

  it('resources/list, resources/templates/list and resources/read work', async () => {
    const list = await inspect(['--method', 'resources/list']);
    expect(list.code, list.stderr).toBe(0);
    const resources = list.json.result?.resources as Array<{ uri: string; name: string; mimeType?: string }>;
    expect(resources).toContainEqual(expect.objectContaining({ uri: 'fixture://readme', name: 'fx__readme', mimeType: 'text/plain' }));
    const templates = await inspect(['--method', 'resources/templates/list']);
    expect(templates.code, templates.stderr).toBe(0);
    expect(templates.json.result?.resourceTemplates).toContainEqual(expect.objectContaining({ uriTemplate: 'fixture://items/{id}' }));
    const read = await inspect(['--method', 'resources/read', '--uri', 'fixture://items/7']);
    expect(read.code, read.stderr).toBe(0);
    expect(read.json.result?.contents).toEqual([expect.objectContaining({ uri: 'fixture://items/7', text: 'item 7' })]);
  });
});
