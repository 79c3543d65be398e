import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';
import { serverHandlers } from './servers.js';
import { presetHandlers } from './presets.js';
import { configHandlers } from './config.js';
import { metricsHandlers } from './metrics.js';
import { tokenHandlers } from './tokens.js';
import { toolHandlers } from './tools.js';
import { clientHandlers } from './clients.js';
import { syncHandlers } from './sync.js';

/** The complete handler map for the contract (a missing method fails to compile). */
export function createHandlers(ctx: ApiContext): Handlers {
  return {
    'gateway.status': async () => {
      const connections = ctx.pool.all();
      const page = await ctx.db.presets.listPage(ctx.ownerId, { limit: 200 });
      return {
        version: ctx.version,
        url: ctx.baseUrl(),
        dataDir: ctx.dataDir,
        startedAt: ctx.startedAt.toISOString(),
        servers: {
          total: connections.length,
          ready: connections.filter((c) => c.status().state === 'ready').length,
          failed: connections.filter((c) => c.status().state === 'failed').length,
        },
        presets: page.items.length,
      };
    },
    'cache.stats': async () => ({ views: ctx.registry.stats() }),
    'audit.list': async ({ limit, beforeId, action }) => {
      await ctx.audit.flush(); // refusals of a moment ago should be listed
      const rows = await ctx.db.audit.list({ limit: limit ?? 100, beforeId, action });
      return { items: rows.map((row) => ({ ...row, ts: row.ts.toISOString() })) };
    },
    ...serverHandlers(ctx),
    ...presetHandlers(ctx),
    ...configHandlers(ctx),
    ...metricsHandlers(ctx),
    ...tokenHandlers(ctx),
    ...toolHandlers(ctx),
    ...clientHandlers(ctx),
    ...syncHandlers(ctx),
  };
}
