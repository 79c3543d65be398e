import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';

/**
 * Applies a declarative file in one database transaction, then brings the running pool and
 * the cached preset views in line with what is stored.
 */
export function configHandlers(ctx: ApiContext): Pick<Handlers, 'config.apply'> {
  return {
    'config.apply': async ({ config, prune }) => {
      const before = new Map((await ctx.db.servers.list(ctx.ownerId)).map((server) => [server.name, server.id]));
      const diff = await ctx.db.applyConfig(ctx.ownerId, config, prune ?? false);
      await syncPoolWithDatabase(ctx, before);
      const touched = [...diff.created, ...diff.updated, ...diff.deleted].filter((key) => key.startsWith('preset:'));
      for (const key of touched) {
        const slug = key.slice('preset:'.length);
        await ctx.registry.presetChanged(slug);
        ctx.events.emit('preset.changed', { slug });
      }
      return diff;
    },
  };
}

/** Starts new servers, restarts changed ones, stops deleted ones; returns once all have settled. */
export async function syncPoolWithDatabase(ctx: ApiContext, before: Map<string, string>): Promise<void> {
  const servers = await ctx.db.servers.list(ctx.ownerId);
  const now = new Set(servers.map((server) => server.id));
  await Promise.all(servers.map((server) => ctx.pool.upsert(server)));
  for (const id of before.values()) {
    if (!now.has(id)) await ctx.pool.remove(id);
  }
  for (const server of servers) await ctx.registry.serverRecordChanged(server.id);
  for (const id of before.values()) if (!now.has(id)) await ctx.registry.serverRecordChanged(id);
}
