import { and, desc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import { GatewayError } from '../../contract/errors.js';
import { UNIQUE_VIOLATION, sqlState, type Db, type DbRunner } from '../executor.js';
import type { Page, PresetFields, PresetRecord, PresetWithServers } from '../records.js';
import { mcpServers, presetAcl, presets, presetServers } from '../schema.js';
import { decodePresetCursor, encodePresetCursor } from './preset-cursor.js';
import { normalizeAcl } from './preset-fields.js';
import { selectPresetsWithServers } from './preset-queries.js';

export interface PresetListOptions {
  cursor?: string;
  limit?: number;
  /** Case-insensitive substring of the slug or the name. */
  search?: string;
}

export interface PresetsRepository {
  /** The hot-path lookup for anonymous access: only public, active presets. */
  findPublicPresetBySlug(slug: string): Promise<PresetRecord | null>;
  findBySlugWithServers(slug: string): Promise<PresetWithServers | null>;
  findAllForOwnerWithServers(ownerId: string): Promise<PresetWithServers[]>;
  /** Newest first, keyset-paginated on (created_at, id). */
  listPage(ownerId: string, options?: PresetListOptions): Promise<Page<PresetRecord>>;
  create(ownerId: string, slug: string, fields: PresetFields): Promise<PresetWithServers>;
  /**
   * Creates many presets with a few multi-row statements (config.apply of a large file, a sync
   * pull): the same checks as create, without reading each one back.
   */
  createMany(ownerId: string, items: Array<{ slug: string; fields: PresetFields }>): Promise<void>;
  /** Replaces fields, bindings and ACL, and bumps the version. */
  update(ownerId: string, slug: string, fields: PresetFields): Promise<PresetWithServers>;
  delete(ownerId: string, slug: string): Promise<boolean>;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export function createPresetsRepository(runner: DbRunner): PresetsRepository {
  const { db } = runner;

  const findBySlugWithServers = async (tx: Db, slug: string) =>
    (await selectPresetsWithServers(tx, eq(presets.slug, slug)))[0] ?? null;

  return {
    async findPublicPresetBySlug(slug) {
      const [row] = await db
        .select()
        .from(presets)
        .where(and(eq(presets.slug, slug), eq(presets.visibility, 'public'), eq(presets.status, 'active')));
      return row ?? null;
    },

    findBySlugWithServers: (slug) => findBySlugWithServers(db, slug),

    findAllForOwnerWithServers: (ownerId) => selectPresetsWithServers(db, eq(presets.ownerId, ownerId)),

    async listPage(ownerId, options = {}) {
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? DEFAULT_PAGE_LIMIT), 1), MAX_PAGE_LIMIT);
      const after = options.cursor !== undefined ? decodePresetCursor(options.cursor) : null;
      const search = options.search?.trim();
      const pattern = search ? `%${search.replace(/[\\%_]/g, '\\$&')}%` : null;
      const rows = await db
        .select()
        .from(presets)
        .where(
          and(
            eq(presets.ownerId, ownerId),
            pattern ? or(ilike(presets.slug, pattern), ilike(presets.name, pattern)) : undefined,
            after
              ? sql`(${presets.createdAt}, ${presets.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(desc(presets.createdAt), desc(presets.id))
        .limit(limit + 1);
      const hasMore = rows.length > limit;
      const items = hasMore ? rows.slice(0, limit) : rows;
      const last = items.at(-1);
      return {
        items,
        pagination: { nextCursor: hasMore && last ? encodePresetCursor(last) : null, hasMore, limit },
      };
    },

    create: (ownerId, slug, fields) =>
      runner.transaction(async (tx) => {
        let id: string;
        try {
          const [row] = await tx
            .insert(presets)
            .values({ ownerId, slug, ...presetColumns(fields) })
            .returning({ id: presets.id });
          id = row!.id;
        } catch (err) {
          if (sqlState(err) === UNIQUE_VIOLATION) throw new GatewayError('conflict', `preset "${slug}" already exists`);
          throw err;
        }
        await writeBindingsAndAcl(tx, ownerId, id, fields);
        return (await findBySlugWithServers(tx, slug))!;
      }),

    createMany: (ownerId, items) =>
      runner.transaction(async (tx) => {
        if (items.length === 0) return;
        const serverIds = await serverIdsByName(tx, ownerId, [...new Set(items.flatMap((i) => i.fields.servers.map((b) => b.serverName)))]);
        const bindings: Array<typeof presetServers.$inferInsert> = [];
        const acls: Array<typeof presetAcl.$inferInsert> = [];
        for (const batch of chunks(items, BULK_ROWS)) {
          let rows: Array<{ id: string; slug: string }>;
          try {
            rows = await tx
              .insert(presets)
              .values(batch.map(({ slug, fields }) => ({ ownerId, slug, ...presetColumns(fields) })))
              .returning({ id: presets.id, slug: presets.slug });
          } catch (err) {
            if (sqlState(err) === UNIQUE_VIOLATION) throw new GatewayError('conflict', 'a preset with one of these slugs already exists');
            throw err;
          }
          const idBySlug = new Map(rows.map((r) => [r.slug, r.id]));
          for (const { slug, fields } of batch) {
            const presetId = idBySlug.get(slug)!;
            bindings.push(...bindingRows(presetId, fields, serverIds));
            acls.push(...normalizeAcl(fields.acl).map((e) => ({ presetId, principalType: e.type, principalValue: e.value })));
          }
        }
        for (const batch of chunks(bindings, BULK_ROWS)) await tx.insert(presetServers).values(batch);
        for (const batch of chunks(acls, BULK_ROWS)) await tx.insert(presetAcl).values(batch);
      }),

    update: (ownerId, slug, fields) =>
      runner.transaction(async (tx) => {
        const [row] = await tx
          .update(presets)
          .set({ ...presetColumns(fields), version: sql`${presets.version} + 1`, updatedAt: new Date() })
          .where(and(eq(presets.ownerId, ownerId), eq(presets.slug, slug)))
          .returning({ id: presets.id });
        if (!row) throw new GatewayError('not_found', `preset "${slug}" not found`);
        await tx.delete(presetServers).where(eq(presetServers.presetId, row.id));
        await tx.delete(presetAcl).where(eq(presetAcl.presetId, row.id));
        await writeBindingsAndAcl(tx, ownerId, row.id, fields);
        return (await findBySlugWithServers(tx, slug))!;
      }),

    async delete(ownerId, slug) {
      const rows = await db
        .delete(presets)
        .where(and(eq(presets.ownerId, ownerId), eq(presets.slug, slug)))
        .returning({ id: presets.id });
      return rows.length > 0;
    },
  };
}

function presetColumns(f: PresetFields) {
  return { name: f.name, description: f.description, visibility: f.visibility, status: f.status };
}

/** Rows per multi-row INSERT: well under PostgreSQL's 65,535 bind parameters at 8 columns. */
const BULK_ROWS = 1000;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The owner's server ids by name, or invalid_input naming the servers that do not exist. */
async function serverIdsByName(tx: Db, ownerId: string, names: string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const found = await tx
    .select({ id: mcpServers.id, name: mcpServers.name })
    .from(mcpServers)
    .where(and(eq(mcpServers.ownerId, ownerId), inArray(mcpServers.name, names)));
  const idByName = new Map(found.map((s) => [s.name, s.id]));
  const missing = names.filter((n) => !idByName.has(n));
  if (missing.length > 0) {
    throw new GatewayError(
      'invalid_input',
      `unknown server${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}: create ${missing.length > 1 ? 'them' : 'it'} first`,
      { unknownServers: missing },
    );
  }
  return idByName;
}

/** A preset's binding rows, in list order (position), refusing a server listed twice. */
function bindingRows(presetId: string, fields: PresetFields, idByName: Map<string, string>): Array<typeof presetServers.$inferInsert> {
  if (new Set(fields.servers.map((b) => b.serverName)).size !== fields.servers.length) {
    throw new GatewayError('invalid_input', 'a preset lists the same server twice');
  }
  return fields.servers.map((b, position) => ({
    presetId,
    serverId: idByName.get(b.serverName)!,
    enabled: b.enabled,
    allowedTools: b.allowedTools,
    toolTimeouts: b.toolTimeouts,
    toolOverrides: b.toolOverrides,
    prefix: b.prefix,
    position,
  }));
}

async function writeBindingsAndAcl(tx: Db, ownerId: string, presetId: string, fields: PresetFields): Promise<void> {
  const names = [...new Set(fields.servers.map((b) => b.serverName))];
  if (names.length !== fields.servers.length) {
    throw new GatewayError('invalid_input', 'a preset lists the same server twice');
  }
  const rows = bindingRows(presetId, fields, await serverIdsByName(tx, ownerId, names));
  if (rows.length > 0) await tx.insert(presetServers).values(rows);
  const acl = normalizeAcl(fields.acl);
  if (acl.length > 0) {
    await tx
      .insert(presetAcl)
      .values(acl.map((e) => ({ presetId, principalType: e.type, principalValue: e.value })));
  }
}
