import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';

/**
 * Applies a declarative file in one database transaction, then brings the running pool and
 * the cached preset views in line with what changed: each touched server is (re)started or
 * stopped once, and each affected preset view rebuilt once.
 */
export function configHandlers(ctx: ApiContext): Pick<Handlers, 'config.apply'> {
  return {
    'config.apply': async ({ config, prune }) => {
      const before = new Map((await ctx.db.servers.list(ctx.ownerId)).map((server) => [server.name, server.id]));
      const diff = await ctx.db.applyConfig(ctx.ownerId, config, prune ?? false);
      const changed = [...diff.created, ...diff.updated, ...diff.deleted];
      const serverNames = new Set(changed.filter((key) => key.startsWith('server:')).map((key) => key.slice('server:'.length)));
      const slugs = new Set(changed.filter((key) => key.startsWith('preset:')).map((key) => key.slice('preset:'.length)));

      const after = await ctx.db.servers.list(ctx.ownerId);
      const touchedIds = new Set<string>();
      await Promise.all(
        after
          .filter((server) => serverNames.has(server.name) || !ctx.pool.get(server.id))
          .map((server) => {
            touchedIds.add(server.id);
            return ctx.pool.upsert(server);
          }),
      );
      const remaining = new Set(after.map((server) => server.id));
      for (const id of before.values()) {
        if (remaining.has(id)) continue;
        touchedIds.add(id);
        await ctx.pool.remove(id);
      }
      for (const id of touchedIds) for (const slug of ctx.registry.slugsUsingServer(id)) slugs.add(slug);
      for (const slug of slugs) {
        await ctx.registry.presetChanged(slug);
        ctx.events.emit('preset.changed', { slug });
      }
      return diff;
    },
  };
}
