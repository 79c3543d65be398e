import { sql } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declarativeConfigSchema, type DeclarativeConfigInput } from '../contract/declarative.js';
import { GatewayError } from '../contract/errors.js';
import { openDatabase, type Database } from './database.js';
import { executeRows } from './executor.js';
import type { PresetFields, ServerFields } from './records.js';
import { presetFieldsFromSpec } from './repositories/preset-fields.js';
import { loadOrCreateSecretKey } from './secret-box.js';

const server = (over: Partial<ServerFields> = {}): ServerFields => ({
  transport: 'stdio',
  command: 'node',
  args: [],
  env: {},
  cwd: null,
  url: null,
  headers: {},
  enabled: true,
  timeoutMs: null,
  ...over,
});

const preset = (servers: string[], over: Partial<PresetFields> = {}): PresetFields => ({
  ...presetFieldsFromSpec({ servers: Object.fromEntries(servers.map((s) => [s, true])) }, undefined, 'p'),
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

let db: Database;
let queries = 0;
const countingLogger: Logger = { logQuery: () => void queries++ };

beforeAll(async () => {
  db = await openDatabase({ dataDir: null, secretKey: loadOrCreateSecretKey(null), logger: countingLogger });
});
afterAll(() => db?.close());

describe('servers', () => {
  it('creates, reads, updates and deletes per owner', async () => {
    const created = await db.servers.create('o1', 'fx', server({ env: { K: 'v' }, timeoutMs: 5000 }));
    expect(created).toMatchObject({ ownerId: 'o1', name: 'fx', env: { K: 'v' }, timeoutMs: 5000 });
    expect(created.createdAt).toBeInstanceOf(Date);
    await db.servers.create('o2', 'fx', server()); // same name, other owner: fine
    expect((await rejection(db.servers.create('o1', 'fx', server()))).code).toBe('conflict');

    expect((await db.servers.getById(created.id))?.name).toBe('fx');
    const updated = await db.servers.update('o1', 'fx', server({ transport: 'http', command: null, url: 'http://127.0.0.1:1/mcp' }));
    expect(updated).toMatchObject({ id: created.id, transport: 'http', url: 'http://127.0.0.1:1/mcp', env: {} });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect((await rejection(db.servers.update('o1', 'nope', server()))).code).toBe('not_found');

    expect((await db.servers.list('o1')).map((s) => s.name)).toEqual(['fx']);
    expect(await db.servers.delete('o1', 'fx')).toBe(true);
    expect(await db.servers.delete('o1', 'fx')).toBe(false);
    expect(await db.servers.getByName('o1', 'fx')).toBeNull();
    expect(await db.servers.getByName('o2', 'fx')).not.toBeNull();
  });
});

describe('presets', () => {
  beforeAll(async () => {
    await db.servers.create('p', 'alpha', server());
    await db.servers.create('p', 'beta', server());
  });

  it('creates many presets in batches, with their bindings in order and their ACLs', async () => {
    const items = Array.from({ length: 1_500 }, (_, i) => ({
      slug: `bulk-${i}`,
      fields: preset(i % 2 ? ['beta', 'alpha'] : ['alpha'], { acl: [{ type: 'email', value: `u${i}@x.test` }] }),
    }));
    await db.presets.createMany('p', items);
    const bulk = (await db.presets.findAllForOwnerWithServers('p')).filter((p) => p.slug.startsWith('bulk-'));
    expect(bulk).toHaveLength(1_500);
    const one = bulk.find((p) => p.slug === 'bulk-1201');
    expect(one?.servers.map((b) => b.serverName)).toEqual(['beta', 'alpha']);
    expect(one?.acl).toEqual([{ type: 'email', value: 'u1201@x.test' }]);
    const refused = await rejection(db.presets.createMany('p', [{ slug: 'bulk-new', fields: preset(['ghost']) }]));
    expect(refused.code).toBe('invalid_input');
    expect((await rejection(db.presets.createMany('p', [{ slug: 'bulk-7', fields: preset([]) }]))).code).toBe('conflict');
    for (const { slug } of items) await db.presets.delete('p', slug);
  });

  it('creates with bindings and ACL, updates (version bump) and deletes', async () => {
    const fields = preset(['beta', 'alpha'], {
      name: 'Dev',
      visibility: 'private',
      acl: [{ type: 'email', value: 'a@x.test' }],
    });
    fields.servers[0] = { ...fields.servers[0]!, allowedTools: ['t'], toolTimeouts: { t: 100 }, toolOverrides: { t: { name: 'tt' } }, prefix: '' };
    const created = await db.presets.create('p', 'dev', fields);
    expect(created).toMatchObject({ slug: 'dev', name: 'Dev', version: 1, visibility: 'private', acl: fields.acl });
    expect(created.servers.map((b) => b.serverName)).toEqual(['beta', 'alpha']); // file order kept
    expect(created.servers[0]).toMatchObject({ allowedTools: ['t'], toolTimeouts: { t: 100 }, toolOverrides: { t: { name: 'tt' } }, prefix: '' });
    expect(created.servers[1]?.prefix).toBeNull();
    expect((await rejection(db.presets.create('other-owner', 'dev', preset([])))).code).toBe('conflict');

    const unknown = await rejection(db.presets.create('p', 'broken', preset(['alpha', 'ghost'])));
    expect(unknown.code).toBe('invalid_input');
    expect(unknown.message).toContain('"ghost"');
    expect(await db.presets.findBySlugWithServers('broken')).toBeNull(); // the preset row rolled back too

    const updated = await db.presets.update('p', 'dev', preset(['alpha'], { name: 'Dev 2', acl: [] }));
    expect(updated).toMatchObject({ id: created.id, name: 'Dev 2', version: 2, acl: [] });
    expect(updated.servers.map((b) => b.serverName)).toEqual(['alpha']);
    expect((await rejection(db.presets.update('p', 'missing', preset([])))).code).toBe('not_found');
    expect((await rejection(db.presets.update('someone-else', 'dev', preset([])))).code).toBe('not_found');

    // Bad update leaves the preset as it was.
    await rejection(db.presets.update('p', 'dev', preset(['ghost'])));
    expect((await db.presets.findBySlugWithServers('dev'))?.servers.map((b) => b.serverName)).toEqual(['alpha']);

    // Deleting a server removes its bindings.
    await db.servers.delete('p', 'alpha');
    expect((await db.presets.findBySlugWithServers('dev'))?.servers).toEqual([]);
    await db.servers.create('p', 'alpha', server());

    expect(await db.presets.delete('p', 'dev')).toBe(true);
    expect(await db.presets.delete('p', 'dev')).toBe(false);
  });

  it('finds public active presets only', async () => {
    await db.presets.create('p', 'pub', preset(['alpha'], { visibility: 'public' }));
    await db.presets.create('p', 'priv', preset(['alpha'], { visibility: 'private' }));
    await db.presets.create('p', 'off', preset(['alpha'], { visibility: 'public', status: 'disabled' }));
    expect((await db.presets.findPublicPresetBySlug('pub'))?.slug).toBe('pub');
    expect(await db.presets.findPublicPresetBySlug('priv')).toBeNull();
    expect(await db.presets.findPublicPresetBySlug('off')).toBeNull();
    expect(await db.presets.findPublicPresetBySlug('none')).toBeNull();
  });

  it('loads 1,000 presets × 10 servers for an owner in one query', async () => {
    const owner = 'bulk';
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into mcp_servers (owner_id, name, transport, command, env, headers)
        select ${owner}, 's' || lpad(i::text, 2, '0'), 'stdio', 'node', ${'v1.x.x.x'}, ${'v1.x.x.x'} from generate_series(0, 9) i`);
      await tx.execute(sql`insert into presets (owner_id, slug, name)
        select ${owner}, 'bulk-' || lpad(i::text, 4, '0'), 'Bulk ' || i from generate_series(0, 999) i`);
      await tx.execute(sql`insert into preset_servers (preset_id, server_id, position, allowed_tools)
        select p.id, s.id, 9 - substr(s.name, 2)::int, jsonb_build_array(p.slug)
        from presets p cross join mcp_servers s where p.owner_id = ${owner} and s.owner_id = ${owner}`);
      await tx.execute(sql`insert into preset_acl (preset_id, principal_type, principal_value)
        select id, 'user', slug from presets where owner_id = ${owner}`);
    });
    queries = 0;
    const t0 = performance.now();
    const all = await db.presets.findAllForOwnerWithServers(owner);
    const ms = performance.now() - t0;
    console.log(`findAllForOwnerWithServers: 1000 presets x 10 servers in ${ms.toFixed(0)} ms, ${queries} query`);
    expect(queries).toBe(1);
    expect(all).toHaveLength(1000);
    expect(all[0]?.slug).toBe('bulk-0000');
    for (const p of [all[0]!, all[517]!, all[999]!]) {
      expect(p.createdAt).toBeInstanceOf(Date);
      expect(p.servers.map((b) => b.serverName)).toEqual(['s09', 's08', 's07', 's06', 's05', 's04', 's03', 's02', 's01', 's00']);
      expect(p.servers.every((b) => b.allowedTools[0] === p.slug && b.enabled && b.prefix === null)).toBe(true);
      expect(p.acl).toEqual([{ type: 'user', value: p.slug }]);
    }
    queries = 0;
    const one = await db.presets.findBySlugWithServers('bulk-0517');
    expect(queries).toBe(1);
    expect(one).toEqual(all[517]);
  });

  it('pages with keyset cursors, ties on created_at included', async () => {
    const owner = 'pager';
    // 45 presets share one created_at: the id breaks the tie.
    await db.db.execute(sql`insert into presets (owner_id, slug, name, created_at)
      select ${owner}, 'pg-' || lpad(i::text, 3, '0'), case when i % 10 = 0 then 'Needle ' || i else 'Hay ' || i end,
        timestamptz '2025-01-01' + (case when i < 45 then 0 else i end) * interval '1 second'
      from generate_series(0, 119) i`);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await db.presets.listPage(owner, { limit: 50, ...(cursor ? { cursor } : {}) });
      pages++;
      seen.push(...page.items.map((p) => p.slug));
      expect(page.pagination.limit).toBe(50);
      expect(page.pagination.hasMore).toBe(page.pagination.nextCursor !== null);
      cursor = page.pagination.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(120);
    expect(seen.slice(0, 3)).toEqual(['pg-119', 'pg-118', 'pg-117']); // newest first

    // 12 names contain "Needle": pages of 6 and 6, the second one last.
    const needles = await db.presets.listPage(owner, { search: 'needle', limit: 6 });
    expect(needles.items).toHaveLength(6);
    expect(needles.items.every((p) => p.name.startsWith('Needle'))).toBe(true);
    const rest = await db.presets.listPage(owner, { search: 'needle', limit: 6, cursor: needles.pagination.nextCursor! });
    expect(rest.items).toHaveLength(6);
    expect(rest.pagination).toEqual({ nextCursor: null, hasMore: false, limit: 6 });
    expect((await db.presets.listPage(owner, { search: '%' })).items).toHaveLength(0); // LIKE wildcards are literal

    const bad = await rejection(db.presets.listPage(owner, { cursor: 'bogus!' }));
    expect(bad.code).toBe('invalid_cursor');
    expect(bad.message).toMatch(/cursor/);
  });
});

describe('applyConfig', () => {
  const owner = 'cfg';
  const parse = (c: DeclarativeConfigInput) => declarativeConfigSchema.parse(c);
  const base: DeclarativeConfigInput = {
    mcpServers: {
      fx: { command: 'node', args: ['fx.js'], env: { TOKEN: 'secret', A: '1' } },
      web: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer x' } },
    },
    presets: {
      dev: {
        name: 'Dev',
        servers: { fx: { tools: ['echo'], toolTimeouts: { echo: 1000, add: 2000 } }, web: true },
        acl: [{ type: 'user', value: 'b' }, { type: 'user', value: 'a' }],
      },
      ops: { servers: { web: false } },
    },
  };

  it('creates everything, then is idempotent', async () => {
    expect(await db.applyConfig(owner, parse(base), false)).toEqual({
      created: ['server:fx', 'server:web', 'preset:dev', 'preset:ops'],
      updated: [],
      deleted: [],
      unchanged: [],
    });
    expect(await db.applyConfig(owner, parse(base), false)).toEqual({
      created: [],
      updated: [],
      deleted: [],
      unchanged: ['server:fx', 'server:web', 'preset:dev', 'preset:ops'],
    });
    const dev = await db.presets.findBySlugWithServers('dev');
    expect(dev).toMatchObject({ name: 'Dev', version: 1 });
    expect(dev?.servers.map((b) => b.serverName)).toEqual(['fx', 'web']);
    expect((await db.presets.findBySlugWithServers('ops'))?.name).toBe('ops');
  });

  it('reports changes, and prunes only with prune', async () => {
    const changed = parse({
      servers: { fx: { command: 'node', args: ['fx.js'], env: { TOKEN: 'rotated', A: '1' } } },
      presets: { dev: { name: 'Dev', servers: { fx: true } } },
    });
    expect(await db.applyConfig(owner, changed, false)).toEqual({
      created: [],
      updated: ['server:fx', 'preset:dev'],
      deleted: [],
      unchanged: [],
    });
    expect((await db.servers.getByName(owner, 'fx'))?.env.TOKEN).toBe('rotated');
    expect((await db.presets.findBySlugWithServers('dev'))?.version).toBe(2);

    expect(await db.applyConfig(owner, changed, true)).toEqual({
      created: [],
      updated: [],
      deleted: ['preset:ops', 'server:web'],
      unchanged: ['server:fx', 'preset:dev'],
    });
    expect((await db.servers.list(owner)).map((s) => s.name)).toEqual(['fx']);
    expect((await db.presets.findAllForOwnerWithServers(owner)).map((p) => p.slug)).toEqual(['dev']);
  });

  it('is all or nothing', async () => {
    const broken = parse({
      servers: { fx: { command: 'node' }, extra: { command: 'node' } },
      presets: { dev: { servers: { ghost: true } } },
    });
    const err = await rejection(db.applyConfig(owner, broken, true));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toContain('"ghost"');
    expect((await db.servers.list(owner)).map((s) => s.name)).toEqual(['fx']);
    expect((await db.servers.getByName(owner, 'fx'))?.args).toEqual(['fx.js']);
    const count = await executeRows<{ n: number }>(db.db, sql`select count(*)::int as n from presets where owner_id = ${owner}`);
    expect(count[0]?.n).toBe(1);
  });
});
