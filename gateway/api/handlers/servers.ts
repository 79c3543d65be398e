import { GatewayError } from '../../contract/index.js';
import { serverFieldsFromSpec } from '../../db/repositories/servers.js';
import type { ServerRecord } from '../../db/records.js';
import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';
import { keepMaskedSecrets, toServerView } from './server-view.js';

type ServerHandlers = Pick<
  Handlers,
  'servers.list' | 'servers.get' | 'servers.create' | 'servers.update' | 'servers.delete' | 'servers.restart' | 'servers.tools'
>;

export function serverHandlers(ctx: ApiContext): ServerHandlers {
  const find = async (name: string): Promise<ServerRecord> => {
    const record = await ctx.db.servers.getByName(ctx.ownerId, name);
    if (!record) throw new GatewayError('not_found', `no server named "${name}"`);
    return record;
  };
  /** Brings the running pool and every cached preset view in line with a stored record. */
  const applyRecord = async (record: ServerRecord): Promise<void> => {
    await ctx.pool.upsert(record);
    await ctx.registry.serverRecordChanged(record.id);
  };

  return {
    'servers.list': async () => {
      const records = await ctx.db.servers.list(ctx.ownerId);
      return { items: records.map((record) => toServerView(record, ctx.pool)) };
    },
    'servers.get': async ({ name }) => {
      const record = await find(name);
      return { ...toServerView(record, ctx.pool), stderrTail: ctx.pool.get(record.id)?.stderr() ?? [] };
    },
    'servers.create': async ({ name, spec }) => {
      const record = await ctx.db.servers.create(ctx.ownerId, name, serverFieldsFromSpec(spec));
      await applyRecord(record);
      return toServerView(record, ctx.pool);
    },
    'servers.update': async ({ name, spec }) => {
      const previous = await find(name);
      const fields = serverFieldsFromSpec(spec);
      fields.env = keepMaskedSecrets(fields.env, previous.env);
      fields.headers = keepMaskedSecrets(fields.headers, previous.headers);
      const record = await ctx.db.servers.update(ctx.ownerId, name, fields);
      await applyRecord(record);
      return toServerView(record, ctx.pool);
    },
    'servers.delete': async ({ name }) => {
      const record = await find(name);
      await ctx.db.servers.delete(ctx.ownerId, name);
      await ctx.pool.remove(record.id);
      await ctx.registry.serverRecordChanged(record.id);
      return { deleted: true as const };
    },
    'servers.restart': async ({ name }) => {
      const record = await find(name);
      if (!ctx.pool.get(record.id)) await ctx.pool.upsert(record);
      else await ctx.pool.restart(record.id);
      return toServerView(record, ctx.pool);
    },
    'servers.tools': async ({ name }) => {
      const record = await find(name);
      const tools = ctx.pool.get(record.id)?.catalog.tools ?? [];
      return {
        tools: tools.map((tool) => ({
          name: String(tool.name),
          ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
          inputSchema: tool.inputSchema,
        })),
      };
    },
  };
}
