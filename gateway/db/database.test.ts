import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { executeRows } from './executor.js';
import { mcpServers } from './schema.js';
import { loadOrCreateSecretKey } from './secret-box.js';
import type { ServerFields } from './records.js';

const stdio = (over: Partial<ServerFields> = {}): ServerFields => ({
  transport: 'stdio',
  command: 'node',
  args: ['server.js'],
  env: {},
  cwd: null,
  url: null,
  headers: {},
  enabled: true,
  timeoutMs: null,
  ...over,
});

// One data dir for the whole file: initdb costs seconds, so every test shares this database and
// the last one closes and reopens it.
describe('database on a data dir', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mcpgw-db-'));
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ dataDir, secretKey: loadOrCreateSecretKey(dataDir) });
    console.log(`first open (initdb) ${db.startup.openMs.toFixed(0)} ms, migrate ${db.startup.migrateMs.toFixed(0)} ms`);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies the migrations and stores secrets encrypted', async () => {
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    const tables = await executeRows<{ relname: string; relkind: string }>(
      db.db,
      sql`select relname, relkind::text from pg_class where relnamespace = 'public'::regnamespace and relkind in ('r', 'p') order by relname`,
    );
    expect(tables).toEqual(
      expect.arrayContaining([
        { relname: 'mcp_servers', relkind: 'r' },
        { relname: 'presets', relkind: 'r' },
        { relname: 'preset_servers', relkind: 'r' },
        { relname: 'preset_acl', relkind: 'r' },
        { relname: 'access_tokens', relkind: 'r' },
        { relname: 'metrics_events', relkind: 'p' },
        { relname: 'metrics_events_default', relkind: 'r' },
        { relname: 'metrics_hourly', relkind: 'r' },
      ]),
    );
    await db.servers.create('local', 'fx', stdio({ env: { API_KEY: 'sk-very-secret' }, headers: { Authorization: 'Bearer hush' } }));
    const [raw] = await db.db.select({ env: mcpServers.env, headers: mcpServers.headers }).from(mcpServers);
    expect(raw!.env).toMatch(/^v1\./);
    expect(raw!.env).not.toContain('sk-very-secret');
    expect(raw!.headers).not.toContain('hush');
  });

  it('runs a slow query without blocking the main thread', async () => {
    let ticks = 0;
    let last = performance.now();
    let maxGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 10);
    try {
      const t0 = performance.now();
      await db.db.execute(sql`select pg_sleep(1)`);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(990);
    } finally {
      clearInterval(timer);
    }
    console.log(`main thread during pg_sleep(1): ${ticks} ticks, max gap ${maxGap.toFixed(0)} ms`);
    expect(ticks).toBeGreaterThan(40);
    expect(maxGap).toBeLessThan(250);
  });

  it('commits a transaction atomically and rolls it back on error', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(mcpServers).values({ ownerId: 'tx', name: 'a', transport: 'stdio', env: 'x', headers: 'x' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.servers.getByName('tx', 'a')).toBeNull();

    // A statement failing inside the transaction aborts all of it, even if fn swallows the error.
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(mcpServers).values({ ownerId: 'tx', name: 'b', transport: 'stdio', env: 'x', headers: 'x' });
        await tx.execute(sql`select 1/0`).catch(() => undefined);
      }),
    ).rejects.toThrow();
    expect(await db.servers.getByName('tx', 'b')).toBeNull();

    const id = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(mcpServers)
        .values({ ownerId: 'tx', name: 'c', transport: 'stdio', env: 'x', headers: 'x' })
        .returning({ id: mcpServers.id });
      return row!.id;
    });
    expect((await executeRows<{ id: string }>(db.db, sql`select id from mcp_servers where name = 'c'`))[0]?.id).toBe(id);
  });

  it('does not interleave other queries with an open transaction', async () => {
    let committed = false;
    const txDone = db.transaction(async (tx) => {
      await tx.insert(mcpServers).values({ ownerId: 'tx', name: 'd', transport: 'stdio', env: 'x', headers: 'x' });
      await new Promise((r) => setTimeout(r, 200));
      committed = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    // Issued while the transaction is open: it waits for the commit and then sees the row.
    const rows = await executeRows<{ n: number }>(db.db, sql`select count(*)::int as n from mcp_servers where name = 'd'`);
    expect(committed).toBe(true);
    expect(rows[0]?.n).toBe(1);
    await txDone;
  });

  it('fails fast instead of deadlocking when fn uses the root db', async () => {
    const err = await db.transaction(async () => db.servers.list('tx')).catch((e: unknown) => e);
    expect((err as Error).cause).toBeInstanceOf(Error);
    expect(((err as Error).cause as Error).message).toMatch(/would deadlock/);
    await expect(db.transaction(async () => db.transaction(async () => 1))).rejects.toThrow(/not nestable/);
    const names = await executeRows<{ name: string }>(db.db, sql`select name from mcp_servers where owner_id = 'tx' order by name`);
    expect(names.map((r) => r.name)).toEqual(['c', 'd']);
  });

  it('surfaces SQL errors with their SQLSTATE', async () => {
    const err = await db.db.execute(sql`select * from no_such_table`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error & { cause?: { code?: string } }).cause?.code).toBe('42P01');
  });

  it('keeps its data across close and reopen', async () => {
    await db.close();
    await db.close(); // idempotent
    db = await openDatabase({ dataDir, secretKey: loadOrCreateSecretKey(dataDir) });
    console.log(`reopen ${db.startup.openMs.toFixed(0)} ms, migrate ${db.startup.migrateMs.toFixed(0)} ms`);
    const fx = await db.servers.getByName('local', 'fx');
    expect(fx?.env).toEqual({ API_KEY: 'sk-very-secret' });
    expect(fx?.headers).toEqual({ Authorization: 'Bearer hush' });
    const names = await executeRows<{ name: string }>(db.db, sql`select name from mcp_servers where owner_id = 'tx' order by name`);
    expect(names.map((r) => r.name)).toEqual(['c', 'd']); // committed rows kept, rolled-back ones never there
  });
});
