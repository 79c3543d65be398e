import { GatewayError } from '../../contract/index.js';
import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function metricsHandlers(ctx: ApiContext): Pick<Handlers, 'metrics.recentCalls' | 'metrics.latency'> {
  const presetId = async (slug: string | undefined): Promise<string | undefined> => {
    if (!slug) return undefined;
    const preset = await ctx.db.presets.findBySlugWithServers(slug);
    if (!preset) throw new GatewayError('not_found', `no preset with slug "${slug}"`);
    return preset.id;
  };
  return {
    'metrics.recentCalls': async ({ slug, limit }) => {
      await ctx.recorder.flush(); // what the user just did should be on screen
      const rows = await ctx.db.metrics.recent({ presetId: await presetId(slug), limit: limit ?? 50 });
      return {
        items: rows.map((row) => ({
          ts: row.ts.toISOString(),
          presetSlug: row.presetSlug,
          serverName: row.serverName,
          toolName: row.toolName,
          eventType: row.eventType,
          status: row.status,
          latencyMs: row.latencyMs,
          errorMessage: row.errorMessage,
        })),
      };
    },
    'metrics.latency': async ({ groupBy, from, to, slug }) => {
      await ctx.recorder.flush();
      const end = to ? new Date(to) : new Date();
      const start = from ? new Date(from) : new Date(end.getTime() - DAY_MS);
      if (start >= end) throw new GatewayError('invalid_input', '"from" must be before "to"');
      // Per-tool latency means tool calls; lists and prompts would skew the percentiles.
      const eventType = groupBy === 'tool' ? 'tools/call' : undefined;
      const rows = await ctx.db.metrics.latency({ groupBy, from: start, to: end, presetId: await presetId(slug), eventType });
      return { rows };
    },
  };
}
