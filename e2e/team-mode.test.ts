import { randomBytes } from 'node:crypto';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { createScratchDatabase, openPostgresDatabase } from '../gateway/db/postgres.js';
import { startGateway, tempDataDir, removeDir, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { CuttableProxy } from './support/cuttable-proxy.js';
import { fixturePath } from './support/paths.js';
import { freePort, startProcess, stopProcess } from './support/processes.js';

/**
 * Team mode against the machines' PostgreSQL 15 (127.0.0.1:5432, trust, database `test`) and
 * Redis 7 (127.0.0.1:6379): a fresh database per file, a random key prefix per test, never
 * FLUSHALL. The Redis that is killed mid-run is this file's own redis-server child.
 */
const ADMIN_URL = process.env['MCP_GATEWAY_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SHARED_REDIS = process.env['MCP_GATEWAY_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

type Text = { type: string; text?: string };
const textOf = (result: unknown): string => (result as { content: Text[] }).content[0]?.text ?? '';

interface Team {
  a: GatewayProcess;
  b: GatewayProcess;
  dir: string;
  /** This test's Redis key prefix. */
  prefix: string;
}

/** Two real `serve --database-url … --redis-url …` processes sharing the admin token and secret key. */
async function startTeam(databaseUrl: string, redisUrl: string, settingsExtra: Record<string, unknown> = {}): Promise<Team> {
  const dir = await tempDataDir();
  const tokenFile = join(dir, 'team-token');
  const keyFile = join(dir, 'team-key');
  await writeFile(tokenFile, randomBytes(24).toString('hex'), { mode: 0o600 });
  await writeFile(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const settings = join(dir, 'team.json');
  const prefix = `mcpgw-test-${randomBytes(6).toString('hex')}:`;
  await writeFile(settings, JSON.stringify({ gateway: { redisKeyPrefix: prefix, resyncPollMs: 500, ...settingsExtra } }));
  const args = ['--database-url', databaseUrl, '--redis-url', redisUrl, '--admin-token-file', tokenFile, '--secret-key-file', keyFile, '--config', settings];
  const a = await startGateway({ args });
  await a.api('config.apply', {
    config: {
      servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } },
      presets: { team: { servers: { fx: { tools: ['echo'] } } } },
    },
  });
  const b = await startGateway({ args });
  return { a, b, dir, prefix };
}

async function stopTeam(team: Team | undefined, redisUrl = SHARED_REDIS): Promise<void> {
  if (!team) return;
  for (const gw of [team.a, team.b]) {
    await gw.stop();
    await removeDir(gw.dataDir);
  }
  await removeDir(team.dir);
  // Only this test's keys (never FLUSHALL on the shared Redis).
  try {
    const keys = execFileSync('redis-cli', ['-u', redisUrl, '--scan', '--pattern', `${team.prefix}*`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (keys.length > 0) execFileSync('redis-cli', ['-u', redisUrl, 'del', ...keys]);
  } catch {
    // that Redis is gone (the test's own, already stopped)
  }
}

/** Updates the preset's tool allowlist through `via`, and measures until `client` sees it. */
async function measureInvalidation(via: GatewayProcess, client: Client, tools: string[]): Promise<number> {
  let notified: () => void = () => undefined;
  const notification = new Promise<void>((resolve) => (notified = resolve));
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => notified());
  const started = performance.now();
  await via.api('config.apply', { config: { presets: { team: { servers: { fx: { tools } } } } } });
  await Promise.race([notification, new Promise((_, reject) => setTimeout(() => reject(new Error('no tools/list_changed within 5 s')), 5_000))]);
  const expected = tools.map((tool) => `fx__${tool}`).sort();
  for (;;) {
    const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
    if (JSON.stringify(names) === JSON.stringify(expected)) break;
    if (performance.now() - started > 5_000) throw new Error(`tools/list still ${names.join(',')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

describe('team mode: migrations on PostgreSQL', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  beforeAll(async () => {
    scratch = await createScratchDatabase(ADMIN_URL, 'mcpgw_team');
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('two instances starting at once migrate once (advisory lock) and get the same schema and partitions', async () => {
    const secretKey = randomBytes(32);
    const [one, two] = await Promise.all([
      openPostgresDatabase({ connectionString: scratch.url, secretKey, maxConnections: 2, connectTimeoutMs: 5_000, idleTimeoutMs: 1_000 }),
      // The second one reads metrics through a "replica" (the same database here).
      openPostgresDatabase({ connectionString: scratch.url, secretKey, maxConnections: 2, replicaConnectionString: scratch.url }),
    ]);
    try {
      await Promise.all([one.ensurePartitions(new Date(), 1), two.ensurePartitions(new Date(), 1)]);
      const client = new pg.Client({ connectionString: scratch.url });
      await client.connect();
      try {
        const applied = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
        expect(applied.rows[0].n).toBeGreaterThan(0);
        const parts = await client.query(
          `select count(*)::int as n from pg_inherits i join pg_class p on p.oid = i.inhparent where p.relname = 'metrics_events'`,
        );
        expect(parts.rows[0].n).toBeGreaterThanOrEqual(3); // default + this month + next
      } finally {
        await client.end();
      }
      expect((await one.ping()) >= 0).toBe(true);
      expect(await two.metricsQueries.names()).toBeTruthy();
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

describe('team mode: two gateways sharing one PostgreSQL and Redis', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let team: Team | undefined;
  let clientB: Client;

  beforeAll(async () => {
    scratch = await createScratchDatabase(ADMIN_URL, 'mcpgw_team');
    team = await startTeam(scratch.url, SHARED_REDIS, { rateLimitPerSecond: 2, rateLimitBurst: 6 });
    clientB = await connectClient(`${team.b.url}/mcp/team`);
  });

  afterAll(async () => {
    await clientB?.close();
    await stopTeam(team);
    await scratch?.drop();
  });

  it('a preset changed through A reaches B and its clients within 1 s', async () => {
    const { a, b } = team!;
    expect(a.token).toBe(b.token);
    expect((await clientB.listTools()).tools.map((tool) => tool.name)).toEqual(['fx__echo']);
    const ms = await measureInvalidation(a, clientB, ['echo', 'add']);
    console.log(`team invalidation latency A -> B (tools/list_changed + tools/list): ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1_000);
    expect(textOf(await clientB.callTool({ name: 'fx__add', arguments: { a: 2, b: 3 } }))).toBe('5');
    // And back, the other way round: B's write reaches A's clients.
    const clientA = await connectClient(`${a.url}/mcp/team`);
    try {
      const back = await measureInvalidation(b, clientA, ['echo']);
      console.log(`team invalidation latency B -> A: ${back.toFixed(1)} ms`);
      expect(back).toBeLessThan(1_000);
    } finally {
      await clientA.close();
    }
    // The preset records went through the shared Redis tier (under this test's prefix only).
    const keys = execFileSync('redis-cli', ['-u', SHARED_REDIS, '--scan', '--pattern', `${team!.prefix}preset:team:*`], { encoding: 'utf8' });
    expect(keys.trim()).not.toBe('');
  });

  it('a 2025 session id from A is unknown on B: 404, so the client re-initialises', async () => {
    const { a, b } = team!;
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(`${a.url}/mcp/team`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'lb-test', version: '1' } },
      }),
    });
    await init.arrayBuffer();
    const session = init.headers.get('mcp-session-id');
    expect(session).toBeTruthy();
    const elsewhere = await fetch(`${b.url}/mcp/team`, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': session!, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    await elsewhere.arrayBuffer();
    expect(elsewhere.status).toBe(404);
  });

  it('rate limits are counted in Redis across instances', async () => {
    const { a, b } = team!;
    const { token } = await a.api<{ token: string }>('tokens.create', {});
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${(i % 2 ? b : a).url}/mcp/team`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'ping' }),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    const limited = statuses.filter((status) => status === 429).length;
    // One bucket of 6 (+ refill at 2/s) shared by both; two in-process buckets would allow all 12.
    expect(limited).toBeGreaterThanOrEqual(4);
    expect(statuses.slice(0, 6).every((status) => status !== 429)).toBe(true);
  });

  it('a server created through A starts on B too', async () => {
    const { a, b } = team!;
    await a.api('config.apply', {
      config: {
        servers: { fx2: { command: process.execPath, args: [fixturePath, 'stdio'] } },
        presets: { second: { servers: { fx2: { tools: ['echo'] } } } },
      },
    });
    const client = await connectClient(`${b.url}/mcp/second`);
    try {
      // B starts its own connection to the new upstream: its tools join B's view once it is up.
      await expect.poll(async () => (await client.listTools()).tools.map((tool) => tool.name), { timeout: 10_000 }).toEqual(['fx2__echo']);
      expect(textOf(await client.callTool({ name: 'fx2__echo', arguments: { text: 'from B' } }))).toBe('from B');
    } finally {
      await client.close();
    }
  });
});

describe('team mode: Redis killed mid-run', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let redis: ChildProcess | undefined;
  let redisPort: number;
  let team: Team | undefined;
  const clients: Client[] = [];

  const startRedis = async (): Promise<ChildProcess> =>
    startProcess('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], /Ready to accept connections/i);

  beforeAll(async () => {
    scratch = await createScratchDatabase(ADMIN_URL, 'mcpgw_team');
    redisPort = await freePort();
    redis = await startRedis();
    team = await startTeam(scratch.url, `redis://127.0.0.1:${redisPort}`);
    clients.push(await connectClient(`${team.a.url}/mcp/team`), await connectClient(`${team.b.url}/mcp/team`));
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await stopTeam(team);
    await stopProcess(redis, 'SIGKILL');
    await scratch?.drop();
  });

  it('keeps serving without Redis, falls back to polling, and invalidates through Redis again once it is back', async () => {
    const { a, b } = team!;
    const [clientA, clientB] = clients as [Client, Client];
    await stopProcess(redis, 'SIGKILL');
    redis = undefined;
    await expect.poll(() => b.output(), { timeout: 5_000 }).toContain('redis: connection lost');

    // Both instances keep serving tools/call from their caches and upstreams.
    expect(textOf(await clientA.callTool({ name: 'fx__echo', arguments: { text: 'a' } }))).toBe('a');
    expect(textOf(await clientB.callTool({ name: 'fx__echo', arguments: { text: 'b' } }))).toBe('b');
    // Admin writes still work (the database is up); B picks the change up by polling.
    const polled = await measureInvalidation(a, clientB, ['echo', 'add']);
    console.log(`invalidation A -> B while Redis is down (database poll): ${polled.toFixed(1)} ms`);

    const connects = (gw: GatewayProcess): number => gw.output().split('redis: connected').length - 1;
    const before = [connects(a), connects(b)] as const;
    redis = await startRedis();
    await expect.poll(() => connects(a), { timeout: 10_000 }).toBeGreaterThan(before[0]);
    await expect.poll(() => connects(b), { timeout: 10_000 }).toBeGreaterThan(before[1]);
    const ms = await measureInvalidation(a, clientB, ['echo']);
    console.log(`invalidation A -> B after Redis came back: ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1_000);
    expect(textOf(await clientB.callTool({ name: 'fx__echo', arguments: { text: 'again' } }))).toBe('again');
  });
});

describe('team mode: PostgreSQL briefly unreachable', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let proxy: CuttableProxy;
  let team: Team | undefined;
  let client: Client;

  beforeAll(async () => {
    scratch = await createScratchDatabase(ADMIN_URL, 'mcpgw_team');
    const direct = new URL(scratch.url);
    proxy = new CuttableProxy(await freePort(), { host: direct.hostname, port: Number(direct.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(scratch.url);
    viaProxy.port = String(proxy.port);
    team = await startTeam(viaProxy.toString(), SHARED_REDIS, { dbConnectTimeoutMs: 1_000 });
    client = await connectClient(`${team.a.url}/mcp/team`);
  });

  afterAll(async () => {
    await client?.close();
    await proxy?.cut();
    await stopTeam(team);
    await scratch?.drop();
  });

  it('keeps serving cached presets, answers admin writes with 503, and recovers', async () => {
    const { a } = team!;
    const update = async (): Promise<{ status: number; body: { ok: boolean; error?: { code: string; message: string } } }> => {
      const res = await fetch(`${a.url}/api/config.apply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ config: { presets: { team: { servers: { fx: { tools: ['echo', 'add'] } } } } } }),
      });
      return { status: res.status, body: (await res.json()) as { ok: boolean; error?: { code: string; message: string } } };
    };
    await proxy.cut();
    expect(textOf(await client.callTool({ name: 'fx__echo', arguments: { text: 'offline db' } }))).toBe('offline db');
    const failed = await update();
    expect(failed.status).toBe(503);
    expect(failed.body.error?.code).toBe('unavailable');
    expect(failed.body.error?.message).toMatch(/database is unreachable/);
    expect(textOf(await client.callTool({ name: 'fx__echo', arguments: { text: 'still here' } }))).toBe('still here');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a metrics flush (every second) fails meanwhile

    await proxy.open();
    await expect.poll(async () => (await update()).status, { timeout: 10_000, interval: 200 }).toBe(200);
    await expect.poll(async () => (await client.listTools()).tools.map((tool) => tool.name).sort(), { timeout: 5_000 }).toEqual(['fx__add', 'fx__echo']);
    // The latency of the calls made during the outage was kept and written once the database was back.
    type Recent = { items: Array<{ toolName: string | null; status: string }> };
    await expect
      .poll(async () => (await a.api<Recent>('metrics.recentCalls', { slug: 'team', limit: 50 })).items.filter((c) => c.toolName === 'fx__echo' && c.status === 'ok').length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(2);
  });
});
