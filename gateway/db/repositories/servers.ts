import { and, asc, eq } from 'drizzle-orm';
import { GatewayError } from '../../contract/errors.js';
import type { ServerSpec, UpstreamTransport } from '../../contract/declarative.js';
import { UNIQUE_VIOLATION, sqlState, type DbRunner } from '../executor.js';
import type { ServerFields, ServerRecord } from '../records.js';
import { mcpServers } from '../schema.js';
import { decryptJson, encryptJson } from '../secret-box.js';

export interface ServersRepository {
  list(ownerId: string): Promise<ServerRecord[]>;
  getByName(ownerId: string, name: string): Promise<ServerRecord | null>;
  getById(id: string): Promise<ServerRecord | null>;
  /** Throws GatewayError 'conflict' when the owner already has a server of that name. */
  create(ownerId: string, name: string, fields: ServerFields): Promise<ServerRecord>;
  /** Replaces every user field; throws GatewayError 'not_found' when there is no such server. */
  update(ownerId: string, name: string, fields: ServerFields): Promise<ServerRecord>;
  /** Also removes the server from every preset (cascade). */
  delete(ownerId: string, name: string): Promise<boolean>;
}

type ServerRow = typeof mcpServers.$inferSelect;

export function createServersRepository(runner: DbRunner, secretKey: Buffer): ServersRepository {
  const { db } = runner;
  const toRecord = (row: ServerRow): ServerRecord => ({
    ...row,
    env: decryptJson<Record<string, string>>(row.env, secretKey),
    headers: decryptJson<Record<string, string>>(row.headers, secretKey),
  });
  const toColumns = (f: ServerFields) => ({
    transport: f.transport,
    command: f.command,
    args: f.args,
    env: encryptJson(f.env, secretKey),
    cwd: f.cwd,
    url: f.url,
    headers: encryptJson(f.headers, secretKey),
    enabled: f.enabled,
    timeoutMs: f.timeoutMs,
  });
  const byName = (ownerId: string, name: string) => and(eq(mcpServers.ownerId, ownerId), eq(mcpServers.name, name));

  return {
    async list(ownerId) {
      const rows = await db.select().from(mcpServers).where(eq(mcpServers.ownerId, ownerId)).orderBy(asc(mcpServers.name));
      return rows.map(toRecord);
    },

    async getByName(ownerId, name) {
      const [row] = await db.select().from(mcpServers).where(byName(ownerId, name));
      return row ? toRecord(row) : null;
    },

    async getById(id) {
      const [row] = await db.select().from(mcpServers).where(eq(mcpServers.id, id));
      return row ? toRecord(row) : null;
    },

    async create(ownerId, name, fields) {
      try {
        const [row] = await db
          .insert(mcpServers)
          .values({ ownerId, name, ...toColumns(fields) })
          .returning();
        return toRecord(row!);
      } catch (err) {
        if (sqlState(err) === UNIQUE_VIOLATION) throw new GatewayError('conflict', `server "${name}" already exists`);
        throw err;
      }
    },

    async update(ownerId, name, fields) {
      const [row] = await db
        .update(mcpServers)
        .set({ ...toColumns(fields), updatedAt: new Date() })
        .where(byName(ownerId, name))
        .returning();
      if (!row) throw new GatewayError('not_found', `server "${name}" not found`);
      return toRecord(row);
    },

    async delete(ownerId, name) {
      const rows = await db.delete(mcpServers).where(byName(ownerId, name)).returning({ id: mcpServers.id });
      return rows.length > 0;
    },
  };
}

const transportByType: Record<string, UpstreamTransport> = {
  stdio: 'stdio',
  http: 'http',
  'streamable-http': 'http',
  streamableHttp: 'http',
  sse: 'sse',
};

/** A spec as users write it (VS Code / Cursor spellings included) → the stored fields. */
export function serverFieldsFromSpec(spec: ServerSpec): ServerFields {
  const transport: UpstreamTransport =
    spec.transport ?? (spec.type !== undefined ? transportByType[spec.type] : undefined) ?? (spec.command ? 'stdio' : 'http');
  return {
    transport,
    command: spec.command ?? null,
    args: spec.args ?? [],
    env: spec.env ?? {},
    cwd: spec.cwd ?? null,
    url: spec.url ?? null,
    headers: spec.headers ?? {},
    enabled: spec.enabled ?? true,
    timeoutMs: spec.timeoutMs ?? null,
  };
}
