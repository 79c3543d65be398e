import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { exists, lines, removeDirs, runCli, stopWith, tempFilesDir, until, writeJson, writeText } from './support/cli.js';
import { removeDir, startGateway, tempDataDir, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { fixturePath } from './support/paths.js';

type Text = { type: string; text?: string };
const textOf = (result: unknown): string => (result as { content: Text[] }).content[0]?.text ?? '';
const fixture = (name: string) => ({ command: process.execPath, args: [fixturePath, 'stdio', '--name', name] });

describe('mcp-gateway serve: start, config at start, lock, SIGINT', () => {
  let gw: GatewayProcess;
  let files: string;

  beforeAll(async () => {
    files = await tempFilesDir();
    const config = await writeJson(files, 'gateway.json', {
      servers: { fx: fixture('fx') },
      presets: { boot: { name: 'Boot', visibility: 'public', servers: { fx: { tools: ['echo', 'add'] } } } },
    });
    gw = await startGateway({ args: ['--config', config] });
  }, 90_000);

  afterAll(async () => {
    await gw?.stop();
    await removeDirs(gw?.dataDir, files);
  });

  it('prints the URL when ready: healthz answers, runtime.json names it, admin-token is 0600', async () => {
    expect(gw.output()).toMatch(/^MCP Gateway listening on http:\/\/127\.0\.0\.1:\d+$/m);
    // The lines after the URL may still be in the pipe when the URL is seen.
    await expect.poll(() => gw.output(), { timeout: 5_000 }).toContain(`Data dir: ${gw.dataDir}`);
    expect(gw.output()).toMatch(/^Config file: .*gateway\.json$/m);
    const health = await fetch(`${gw.url}/healthz`);
    expect(health.status).toBe(200);
    const runtime = JSON.parse(await readFile(join(gw.dataDir, 'runtime.json'), 'utf8')) as { url: string; pid: number };
    expect(runtime).toEqual({ url: gw.url, pid: gw.proc.pid });
    expect(exists(join(gw.dataDir, 'gateway.lock'))).toBe(true);
    if (process.platform !== 'win32') {
      expect((await stat(join(gw.dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
    }
  });

  it('--config FILE is applied at start: the preset serves its tools without any apply', async () => {
    const client = await connectClient(`${gw.url}/mcp/boot`);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['fx__add', 'fx__echo']);
      expect(textOf(await client.callTool({ name: 'fx__add', arguments: { a: 2, b: 3 } }))).toBe('5');
    } finally {
      await client.close();
    }
  });

  it('a second serve on the same data dir refuses with a clear message; the first keeps serving', async () => {
    const second = await runCli(['serve', '--port', '0', '--data-dir', gw.dataDir], { timeoutMs: 30_000 });
    expect(second.code).toBe(1);
    expect(second.stdout).not.toMatch(/listening/i);
    expect(lines(second.stderr)).toEqual([
      `mcp-gateway: another gateway (pid ${gw.proc.pid}) is using ${gw.dataDir}; stop it or pass --data-dir`,
    ]);
    // The loser must not have touched the winner's files.
    const runtime = JSON.parse(await readFile(join(gw.dataDir, 'runtime.json'), 'utf8')) as { pid: number };
    expect(runtime.pid).toBe(gw.proc.pid);
    expect((await readFile(join(gw.dataDir, 'gateway.lock'), 'utf8')).trim()).toBe(String(gw.proc.pid));

    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const client = await connectClient(`${gw.url}/mcp/boot`);
    try {
      expect(textOf(await client.callTool({ name: 'fx__echo', arguments: { text: 'still serving' } }))).toBe('still serving');
    } finally {
      await client.close();
    }
  }, 45_000);

  it('SIGINT stops it with exit code 0 and removes runtime.json and gateway.lock', async () => {
    const { code, signal } = await stopWith(gw.proc, 'SIGINT');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(gw.output()).toContain('SIGINT received, stopping');
    expect(exists(join(gw.dataDir, 'runtime.json'))).toBe(false);
    expect(exists(join(gw.dataDir, 'gateway.lock'))).toBe(false);
    expect(exists(join(gw.dataDir, 'admin-token'))).toBe(true);
    await expect(fetch(`${gw.url}/healthz`)).rejects.toThrow();
  });
});

interface RecentCall {
  presetSlug: string | null;
  toolName: string | null;
  eventType: string;
  status: string;
}
interface LatencyRow {
  key: string;
  calls: number;
}

describe('mcp-gateway serve: restart on the same data dir keeps everything', () => {
  let dataDir: string;
  let files: string;
  const gateways: GatewayProcess[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    dataDir = await tempDataDir();
    files = await tempFilesDir();
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    for (const gw of gateways) await gw.stop();
    await removeDir(dataDir);
    await removeDirs(files);
  });

  it('servers, presets and metrics (including the last calls before SIGTERM) survive; presets still serve', async () => {
    // An upstream whose tool count comes from its environment: env values are stored encrypted,
    // so the same count after the restart shows they were decrypted and passed on intact.
    const envFixture = await writeText(
      files,
      'env-fixture.mjs',
      `const { runFixture } = await import(${JSON.stringify(pathToFileURL(fixturePath).href)});\n` +
        `await runFixture(['stdio', '--name', 'fy', '--tools', process.env.FY_TOOLS ?? '0']);\n`,
    );
    const first = await startGateway({ dataDir });
    gateways.push(first);
    const applied = await first.api<{ created: string[] }>('config.apply', {
      config: {
        servers: { fx: fixture('fx'), fy: { command: process.execPath, args: [envFixture], env: { FY_TOOLS: '3' }, cwd: files, timeoutMs: 20_000 } },
        presets: {
          dev: { name: 'Dev', description: 'all of it', visibility: 'public', servers: { fx: true, fy: { prefix: 'y' } } },
          narrow: { name: 'Narrow', servers: { fx: { tools: ['echo'], toolTimeouts: { echo: 5_000 } } } },
        },
      },
    });
    expect(applied.created.sort()).toEqual(['preset:dev', 'preset:narrow', 'server:fx', 'server:fy']);
    type ServerItem = { name: string; command: string; args: string[]; env: Record<string, string>; cwd: string | null; timeoutMs: number | null; status: { toolCount: number } };
    const persisted = ({ name, command, args, env, cwd, timeoutMs }: ServerItem) => ({ name, command, args, env, cwd, timeoutMs });
    const serversBefore = await first.api<{ items: ServerItem[] }>('servers.list');
    const toolCounts = (items: ServerItem[]) => Object.fromEntries(items.map((item) => [item.name, item.status.toolCount]));
    expect(toolCounts(serversBefore.items)['fy']).toBe((toolCounts(serversBefore.items)['fx'] ?? 0) + 3);
    const presetsBefore = await Promise.all(['dev', 'narrow'].map((slug) => first.api<Record<string, unknown>>('presets.get', { slug })));

    const client = await connectClient(`${first.url}/mcp/dev`);
    clients.push(client);
    for (let i = 0; i < 3; i++) expect(textOf(await client.callTool({ name: 'fx__add', arguments: { a: i, b: 1 } }))).toBe(String(i + 1));
    // Read the metrics once (this flushes), then make more calls and stop right away:
    // those last calls are only in the recorder's memory when SIGTERM arrives.
    const early = await first.api<{ items: RecentCall[] }>('metrics.recentCalls', { limit: 500 });
    expect(early.items.filter((item) => item.toolName === 'fx__add')).toHaveLength(3);
    for (let i = 0; i < 4; i++) expect(textOf(await client.callTool({ name: 'y__echo', arguments: { text: `late ${i}` } }))).toBe(`late ${i}`);
    await expect(client.callTool({ name: 'fx__nope', arguments: {} })).rejects.toThrow();

    const stopped = await stopWith(first.proc, 'SIGTERM');
    expect(stopped).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('SIGTERM received, stopping');
    expect(exists(join(dataDir, 'runtime.json'))).toBe(false);
    expect(exists(join(dataDir, 'gateway.lock'))).toBe(false);
    await client.close().catch(() => undefined);

    const second = await startGateway({ dataDir });
    gateways.push(second);
    expect(second.token).toBe(first.token);

    const serversAfter = await second.api<typeof serversBefore>('servers.list');
    expect(serversAfter.items.map(persisted)).toEqual(serversBefore.items.map(persisted));
    expect(Object.keys(serversAfter.items.find((item) => item.name === 'fy')?.env ?? {})).toEqual(['FY_TOOLS']);
    for (const before of presetsBefore) {
      const after = await second.api<Record<string, unknown>>('presets.get', { slug: before['slug'] });
      const comparable = (p: Record<string, unknown>) => ({ ...p, url: undefined });
      expect(comparable(after)).toEqual(comparable(before));
      expect(after['url']).toBe(`${second.url}/mcp/${String(before['slug'])}`);
    }

    const recent = await second.api<{ items: RecentCall[] }>('metrics.recentCalls', { limit: 500 });
    const calls = recent.items.filter((item) => item.eventType === 'tools/call');
    expect(calls.filter((item) => item.toolName === 'fx__add' && item.status === 'ok')).toHaveLength(3);
    expect(calls.filter((item) => item.toolName === 'y__echo' && item.status === 'ok')).toHaveLength(4);
    expect(calls.every((item) => item.presetSlug === 'dev')).toBe(true);
    const latency = await second.api<{ rows: LatencyRow[] }>('metrics.latency', { groupBy: 'tool' });
    expect(latency.rows.find((row) => row.key === 'fx__add')?.calls).toBe(3);
    expect(latency.rows.find((row) => row.key === 'y__echo')?.calls).toBe(4);
    const byServer = await second.api<{ rows: LatencyRow[] }>('metrics.latency', { groupBy: 'server' });
    expect(byServer.rows.find((row) => row.key === 'fy')?.calls).toBeGreaterThanOrEqual(4);

    const again = await connectClient(`${second.url}/mcp/dev`);
    clients.push(again);
    const names = (await again.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('fx__echo');
    expect(names).toContain('y__echo');
    expect(names).toContain('y__filler_2');
    // Upstreams come back at start (or shortly after): then their tool counts match the first run.
    await until(async () => {
      const items = (await second.api<{ items: ServerItem[] }>('servers.list')).items;
      return JSON.stringify(toolCounts(items)) === JSON.stringify(toolCounts(serversBefore.items));
    }, 15_000, 'the same tool counts as before the restart');
    expect(textOf(await again.callTool({ name: 'y__echo', arguments: { text: 'after restart' } }))).toBe('after restart');
    const narrow = await connectClient(`${second.url}/mcp/narrow`, { token: second.token });
    clients.push(narrow);
    expect((await narrow.listTools()).tools.map((tool) => tool.name)).toEqual(['fx__echo']);
  }, 120_000);

  it('after a crash (SIGKILL) the next serve takes over the stale lock and runtime.json; the data is intact', async () => {
    const crashed = gateways.at(-1) as GatewayProcess;
    expect(await stopWith(crashed.proc, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exists(join(dataDir, 'gateway.lock'))).toBe(true);
    expect(exists(join(dataDir, 'runtime.json'))).toBe(true);

    const next = await startGateway({ dataDir });
    gateways.push(next);
    const runtime = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8')) as { url: string; pid: number };
    expect(runtime).toEqual({ url: next.url, pid: next.proc.pid });
    const presets = await runCli(['presets', 'list', '--json', '--data-dir', dataDir]);
    expect(presets.code, presets.stderr).toBe(0);
    expect((JSON.parse(presets.stdout) as Array<{ slug: string }>).map((p) => p.slug).sort()).toEqual(['dev', 'narrow']);
    const client = await connectClient(`${next.url}/mcp/dev`);
    clients.push(client);
    expect(textOf(await client.callTool({ name: 'fx__echo', arguments: { text: 'after a crash' } }))).toBe('after a crash');
    expect(await stopWith(next.proc, 'SIGTERM')).toEqual({ code: 0, signal: null });
  }, 90_000);
});
