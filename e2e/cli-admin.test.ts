import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, lines, removeDirs, runCli, tempFilesDir, writeJson, writeText } from './support/cli.js';
import { startGateway, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { fixturePath } from './support/paths.js';
import { freePort, startProcess, stopProcess } from './support/processes.js';

type Text = { type: string; text?: string };
const textOf = (result: unknown): string => (result as { content: Text[] }).content[0]?.text ?? '';
const fixture = (name: string) => ({ command: process.execPath, args: [fixturePath, 'stdio', '--name', name] });

interface ServerItem {
  name: string;
  transport: string;
  url: string | null;
  status: { state: string; restarts: number; toolCount: number };
}
interface ApplyResult {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

describe('mcp-gateway apply / import / presets / servers against a running gateway', () => {
  let gw: GatewayProcess;
  let files: string;
  let remote: ChildProcess | undefined;
  let remoteUrl: string;
  /** Runs the CLI against `gw`, found through runtime.json in its data dir. */
  const cli = (...args: string[]) => runCli([...args, '--data-dir', gw.dataDir]);
  const servers = async () => (await gw.api<{ items: ServerItem[] }>('servers.list')).items;
  const serverNames = async () => (await servers()).map((server) => server.name).sort();
  const presetSlugs = async () => (await gw.api<{ items: Array<{ slug: string }> }>('presets.list', { limit: 200 })).items.map((p) => p.slug).sort();

  beforeAll(async () => {
    files = await tempFilesDir();
    const [started, remotePort] = await Promise.all([startGateway(), freePort()]);
    gw = started;
    remote = await startProcess(process.execPath, [fixturePath, 'http', String(remotePort), '--name', 'remote'], /listening \d+/);
    remoteUrl = `http://127.0.0.1:${remotePort}/mcp`;
  }, 90_000);

  afterAll(async () => {
    await gw?.stop();
    await stopProcess(remote);
    await removeDirs(gw?.dataDir, files);
  });

  describe('apply', () => {
    let full: string;

    beforeAll(async () => {
      full = await writeJson(files, 'full.json', {
        servers: { fx: fixture('fx'), web: { url: remoteUrl, headers: { Authorization: 'Bearer abc' } } },
        mcpServers: { fy: { ...fixture('fy'), env: { FY_SECRET: 's3cret' }, cwd: files, timeoutMs: 10_000 } },
        presets: {
          dev: { name: 'Dev', visibility: 'public', servers: { fx: true, fy: { tools: ['echo'] }, web: { prefix: 'w', tools: ['add'] } } },
          extra: {
            name: 'Extra',
            description: 'every setting, to check that re-applying compares them all',
            visibility: 'invite_only',
            status: 'active',
            servers: { fy: { toolTimeouts: { slow: 1_000 }, toolOverrides: { echo: { name: 'say', description: 'Says it' } }, prefix: '' } },
            acl: [{ type: 'email', value: 'dev@example.com' }],
          },
        },
      });
    });

    it('creates what the file declares, then is idempotent', async () => {
      const first = await cli('apply', full);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^created\s+5\s+/m);
      expect(first.stdout).toMatch(/^unchanged\s+0$/m);

      const second = await cli('apply', full, '--json');
      expect(second.code, second.stderr).toBe(0);
      const result = JSON.parse(second.stdout) as ApplyResult;
      expect(result).toEqual({
        created: [],
        updated: [],
        deleted: [],
        unchanged: expect.arrayContaining(['server:fx', 'server:fy', 'server:web', 'preset:dev', 'preset:extra']) as unknown as string[],
      });
      expect(result.unchanged).toHaveLength(5);

      const text = await cli('apply', full);
      expect(text.stdout).toMatch(/^created\s+0$/m);
      expect(text.stdout).toMatch(/^updated\s+0$/m);
      expect(text.stdout).toMatch(/^unchanged\s+5\s+/m);

      const client = await connectClient(`${gw.url}/mcp/dev`);
      try {
        const names = (await client.listTools()).tools.map((tool) => tool.name);
        expect(names).toContain('fx__add');
        expect(names).toContain('fy__echo');
        expect(names).not.toContain('fy__add');
        expect(names).toContain('w__add');
        expect(textOf(await client.callTool({ name: 'w__add', arguments: { a: 1, b: 2 } }))).toBe('3');
      } finally {
        await client.close();
      }
    }, 60_000);

    it('--prune deletes the servers and presets the file no longer declares', async () => {
      const smaller = await writeJson(files, 'smaller.json', {
        servers: { fx: fixture('fx') },
        presets: { dev: { name: 'Dev', visibility: 'public', servers: { fx: true } } },
      });
      const withoutPrune = JSON.parse((await cli('apply', smaller, '--json')).stdout) as ApplyResult;
      expect(withoutPrune.deleted).toEqual([]);
      expect(await serverNames()).toEqual(['fx', 'fy', 'web']);

      const pruned = await cli('apply', smaller, '--prune', '--json');
      expect(pruned.code, pruned.stderr).toBe(0);
      expect((JSON.parse(pruned.stdout) as ApplyResult).deleted.sort()).toEqual(['preset:extra', 'server:fy', 'server:web']);
      expect(await serverNames()).toEqual(['fx']);
      expect(await presetSlugs()).toEqual(['dev']);

      const again = JSON.parse((await cli('apply', smaller, '--prune', '--json')).stdout) as ApplyResult;
      expect(again).toMatchObject({ created: [], updated: [], deleted: [] });
    }, 60_000);

    it('invalid files (bad JSON, schema error, missing file) fail in one line with exit 1 and change nothing', async () => {
      const before = { servers: await serverNames(), presets: await presetSlugs() };
      const badJson = await writeText(files, 'bad.json', '{\n  "servers": {\n    "fx": { "command": "node", }\n  }\n}\n');
      expectOneLineError(await cli('apply', badJson), 1, /bad\.json:3:\d+: invalid JSON: trailing comma/);

      const badSchema = await writeJson(files, 'schema.json', { servers: { 'Bad Name': { command: 'node' } } });
      expectOneLineError(await cli('apply', badSchema), 1, /schema\.json: servers.*lowercase letters/);

      const neither = await writeJson(files, 'neither.json', { servers: { ok: { args: ['x'] } } });
      expectOneLineError(await cli('apply', neither), 1, /neither\.json: servers\.ok: .*exactly one of "command"/);

      const unknownKey = await writeJson(files, 'typo.json', { server: {} });
      expectOneLineError(await cli('apply', unknownKey), 1, /typo\.json: unknown top-level key "server"/);

      expectOneLineError(await cli('apply', join(files, 'missing.json')), 1, /missing\.json: file not found/);

      // Valid locally, refused by the gateway: the whole file is rejected, nothing half-applied.
      const dangling = await writeJson(files, 'dangling.json', {
        servers: { half: fixture('half') },
        presets: { dangling: { servers: { ghost: true } } },
      });
      expectOneLineError(await cli('apply', dangling), 1, /unknown server "ghost"/);
      expect({ servers: await serverNames(), presets: await presetSlugs() }).toEqual(before);
    }, 60_000);

    it('an unreachable gateway is a clear error with exit 1', async () => {
      const port = await freePort();
      const result = await runCli(['apply', join(files, 'smaller.json'), '--url', `http://127.0.0.1:${port}`]);
      expectOneLineError(result, 1, new RegExp(`cannot reach the gateway at http://127\\.0\\.0\\.1:${port} \\(is \`mcp-gateway serve\` running\\?\\)`));
    });
  });

  describe('import', () => {
    const importCases = [
      {
        label: 'Claude Desktop (mcpServers)',
        file: 'claude_desktop_config.json',
        content: () => JSON.stringify({ mcpServers: { 'cd-fx': fixture('cd-fx') } }, null, 2),
        names: ['cd-fx'],
        preset: 'claude',
        stdio: ['cd-fx'],
        expectedTools: ['cd-fx__echo'],
        format: 'Claude Desktop',
      },
      {
        label: 'Cursor (mcp.json with a url server)',
        file: 'mcp.json',
        content: () => JSON.stringify({ mcpServers: { 'cur-fx': fixture('cur-fx'), 'cur-remote': { url: remoteUrl } } }, null, 2),
        names: ['cur-fx', 'cur-remote'],
        preset: 'cursor',
        stdio: ['cur-fx'],
        expectedTools: ['cur-fx__echo', 'cur-remote__echo'],
        format: 'Cursor',
      },
      {
        label: 'VS Code (servers with type)',
        file: 'vscode-mcp.json',
        // VS Code writes JSON with comments and trailing commas.
        content: () =>
          [
            '{',
            '  // MCP servers for this workspace',
            '  "servers": {',
            `    "vs-fx": { "type": "stdio", "command": ${JSON.stringify(process.execPath)}, "args": ${JSON.stringify(fixture('vs-fx').args)}, },`,
            '  },',
            '  "inputs": [],',
            '}',
          ].join('\n'),
        names: ['vs-fx'],
        preset: 'vscode',
        stdio: ['vs-fx'],
        expectedTools: ['vs-fx__echo'],
        format: 'VS Code',
      },
    ];

    for (const c of importCases) {
      it(`${c.label}: shows each command, adds the servers, the preset serves their tools`, async () => {
        const file = await writeText(files, c.file, c.content());
        const names = c.names;
        const result = await cli('import', file, '--yes', '--preset', c.preset);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toContain(`Found ${names.length} server`);
        expect(result.stdout).toContain(c.format);
        for (const name of c.stdio) {
          expect(result.stdout).toContain(`  ${name}  (stdio`);
          expect(result.stdout).toContain(`command: ${process.execPath} ${fixturePath} stdio --name ${name}`);
        }
        if (c.stdio.length) expect(result.stdout).toContain('will run on this machine');
        if (c.preset === 'cursor') {
          expect(result.stdout).toContain('  cur-remote  (http)');
          expect(result.stdout).toContain(`url:     ${remoteUrl}`);
        }
        expect(result.stdout).toMatch(new RegExp(`^created\\s+${names.length + 1}\\s`, 'm'));
        expect(result.stdout).toContain(`Preset '${c.preset}': ${gw.url}/mcp/${c.preset}`);

        const added = (await servers()).filter((server) => names.includes(server.name));
        expect(added.map((server) => server.name).sort()).toEqual([...names].sort());
        const client = await connectClient(`${gw.url}/mcp/${c.preset}`, { token: gw.token });
        try {
          const tools = (await client.listTools()).tools.map((tool) => tool.name);
          for (const tool of c.expectedTools) expect(tools).toContain(tool);
          for (const tool of c.expectedTools) {
            expect(textOf(await client.callTool({ name: tool, arguments: { text: `via ${c.preset}` } }))).toBe(`via ${c.preset}`);
          }
        } finally {
          await client.close();
        }
        // Keep the gateway small for the following tests.
        await gw.api('presets.delete', { slug: c.preset });
        for (const name of names) await gw.api('servers.delete', { name });
      }, 60_000);
    }

    it('into an existing preset: extends it and keeps its bindings; importing again replaces nothing that did not change', async () => {
      await gw.api('presets.create', { slug: 'mine', spec: { name: 'Mine', visibility: 'public', servers: { fx: { tools: ['echo'] } } } });
      const file = await writeJson(files, 'again.json', { mcpServers: { 'ex-fx': fixture('ex-fx') } });
      const first = await cli('import', file, '--yes', '--preset', 'mine');
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain("Preset 'mine' will include it.");
      const preset = await gw.api<{ name: string; visibility: string; servers: Array<{ serverName: string; allowedTools: string[] }> }>('presets.get', { slug: 'mine' });
      expect(preset).toMatchObject({ name: 'Mine', visibility: 'public' });
      expect(preset.servers.map((s) => [s.serverName, s.allowedTools]).sort()).toEqual([['ex-fx', []], ['fx', ['echo']]]);

      const second = await cli('import', file, '--yes', '--preset', 'mine');
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('ex-fx  (stdio, replaces the existing server)');
      expect(second.stdout).toMatch(/^created\s+0$/m);
      expect(second.stdout).toMatch(/^updated\s+0$/m);

      const client = await connectClient(`${gw.url}/mcp/mine`);
      try {
        expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual([
          ...['add', 'crash', 'echo', 'elicit', 'log', 'progress', 'roots', 'sample', 'slow'].map((tool) => `ex-fx__${tool}`),
          'fx__echo',
        ]);
      } finally {
        await client.close();
      }
      await gw.api('presets.delete', { slug: 'mine' });
      await gw.api('servers.delete', { name: 'ex-fx' });
    }, 60_000);

    it('without --yes and with stdin not a terminal: shows the plan, refuses, adds nothing', async () => {
      const file = await writeJson(files, 'refuse.json', { mcpServers: { 'no-fx': fixture('no-fx') } });
      const before = { servers: await serverNames(), presets: await presetSlugs() };
      const result = await cli('import', file, '--preset', 'nope');
      expect(result.stdout).toContain(`command: ${process.execPath} ${fixturePath} stdio --name no-fx`);
      expectOneLineError(result, 1, /not adding servers without confirmation \(stdin is not a terminal\).*--yes/);
      // Answering on a pipe does not count as confirmation either.
      const piped = await runCli(['import', file, '--data-dir', gw.dataDir], { input: 'y\n' });
      expect(piped.code).toBe(1);
      expect({ servers: await serverNames(), presets: await presetSlugs() }).toEqual(before);

      expectOneLineError(await cli('import', join(files, 'nothing-here.json'), '--yes'), 1, /nothing-here\.json: file not found/);
      const empty = await writeJson(files, 'empty.json', { mcpServers: {} });
      const none = await cli('import', empty, '--yes');
      expect(none.code).toBe(1);
      expect(lines(none.stderr).at(-1)).toMatch(/empty\.json: no servers to import$/);
      expectOneLineError(await cli('import', file, '--yes', '--preset', 'Not A Slug'), 2, /invalid preset slug 'Not A Slug'/);
      expect({ servers: await serverNames(), presets: await presetSlugs() }).toEqual(before);
    });
  });

  describe('presets and servers commands', () => {
    it('presets list / presets show', async () => {
      const list = await cli('presets', 'list');
      expect(list.code, list.stderr).toBe(0);
      expect(lines(list.stdout)[0]).toMatch(/^SLUG\s+NAME\s+VISIBILITY\s+STATUS\s+URL$/);
      expect(list.stdout).toMatch(new RegExp(`^dev\\s+Dev\\s+public\\s+active\\s+${gw.url}/mcp/dev$`, 'm'));

      const json = await cli('presets', 'list', '--json');
      expect((JSON.parse(json.stdout) as Array<{ slug: string }>).map((p) => p.slug)).toEqual(['dev']);

      const show = await cli('presets', 'show', 'dev');
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toMatch(/^Slug:\s+dev$/m);
      expect(show.stdout).toMatch(new RegExp(`^URL:\\s+${gw.url}/mcp/dev$`, 'm'));
      expect(show.stdout).toMatch(/^fx\s+yes\s+all\s+-$/m);

      expectOneLineError(await cli('presets', 'show', 'ghost'), 1, /no preset with slug "ghost"/);
    });

    it('servers list / servers show / servers restart (restart count goes up, tools come back)', async () => {
      const list = await cli('servers', 'list');
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^NAME\s+TRANSPORT\s+STATE\s+TOOLS$/m);
      expect(list.stdout).toMatch(/^fx\s+stdio\s+ready\s+\d+$/m);

      const show = await cli('servers', 'show', 'fx');
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain(`${process.execPath} ${fixturePath} stdio --name fx`);
      const before = (await gw.api<{ status: { restarts: number; toolCount: number; pid: number } }>('servers.get', { name: 'fx' })).status;
      expect(show.stdout).toMatch(new RegExp(`^Restarts:\\s+${before.restarts}$`, 'm'));
      expect(show.stdout).toMatch(new RegExp(`^State:\\s+ready \\(pid ${before.pid}\\)$`, 'm'));

      const restart = await cli('servers', 'restart', 'fx');
      expect(restart.code, restart.stderr).toBe(0);
      expect(restart.stdout).toMatch(new RegExp(`^Restarted fx: ready, ${before.toolCount} tools$`, 'm'));

      const after = JSON.parse((await cli('servers', 'show', 'fx', '--json')).stdout) as { status: { restarts: number; toolCount: number; pid: number; state: string } };
      expect(after.status.restarts).toBe(before.restarts + 1);
      expect(after.status.state).toBe('ready');
      expect(after.status.pid).not.toBe(before.pid);
      expect(after.status.toolCount).toBe(before.toolCount);

      const client = await connectClient(`${gw.url}/mcp/dev`);
      try {
        expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('fx__echo');
        expect(textOf(await client.callTool({ name: 'fx__echo', arguments: { text: 'back' } }))).toBe('back');
      } finally {
        await client.close();
      }

      expectOneLineError(await cli('servers', 'restart', 'ghost'), 1, /ghost/);
    }, 60_000);

    it('status', async () => {
      const status = await cli('status');
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^URL:\\s+${gw.url}$`, 'm'));
      expect(status.stdout).toMatch(new RegExp(`^Data dir:\\s+${gw.dataDir}$`, 'm'));
      expect(status.stdout).toMatch(/^Servers:\s+1\/1 ready$/m);
    });

    it('a wrong admin token or another data dir is explained, not a crash', async () => {
      const other = await tempFilesDir();
      try {
        // No runtime.json there: the CLI falls back to the default URL, so point it at ours.
        const result = await runCli(['servers', 'list', '--url', gw.url, '--data-dir', other]);
        expectOneLineError(result, 1, /no admin token found/);
        const wrong = await runCli(['servers', 'list', '--url', gw.url], { env: { MCP_GATEWAY_ADMIN_TOKEN: 'not-the-token' } });
        expectOneLineError(wrong, 1, /admin token from \$MCP_GATEWAY_ADMIN_TOKEN was not accepted/);
      } finally {
        await removeDirs(other);
      }
    });
  });
});
