import { GatewayError, type PresetDetail, type PresetSummary } from '../../contract/index.js';
import { presetFieldsFromSpec, presetFieldsOf } from '../../db/repositories/preset-fields.js';
import type { PresetRecord, PresetWithServers } from '../../db/records.js';
import { estimateTokens } from '../../mcp/naming.js';
import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';
import { assertNoNameCollisions } from './collisions.js';

type PresetHandlers = Pick<
  Handlers,
  'presets.list' | 'presets.get' | 'presets.create' | 'presets.update' | 'presets.delete' | 'presets.toolView'
>;

export function presetHandlers(ctx: ApiContext): PresetHandlers {
  const summary = (preset: PresetRecord): PresetSummary => ({
    id: preset.id,
    slug: preset.slug,
    name: preset.name,
    description: preset.description,
    visibility: preset.visibility,
    status: preset.status,
    version: preset.version,
    createdAt: preset.createdAt.toISOString(),
    updatedAt: preset.updatedAt.toISOString(),
    url: `${ctx.baseUrl()}/mcp/${preset.slug}`,
  });
  const detail = (preset: PresetWithServers): PresetDetail => ({
    ...summary(preset),
    servers: preset.servers.map(({ serverId: _id, ...binding }) => binding),
    acl: preset.acl,
  });
  const find = async (slug: string): Promise<PresetWithServers> => {
    const preset = await ctx.db.presets.findBySlugWithServers(slug);
    if (!preset || preset.ownerId !== ctx.ownerId) throw new GatewayError('not_found', `no preset with slug "${slug}"`);
    return preset;
  };

  return {
    'presets.list': async (input) => {
      const page = await ctx.db.presets.listPage(ctx.ownerId, input);
      return { items: page.items.map(summary), pagination: page.pagination };
    },
    'presets.get': async ({ slug }) => detail(await find(slug)),
    'presets.create': async ({ slug, spec }) => {
      const fields = presetFieldsFromSpec(spec, undefined, slug);
      assertNoNameCollisions(fields, await ctx.db.servers.list(ctx.ownerId), ctx.pool);
      const preset = await ctx.db.presets.create(ctx.ownerId, slug, fields);
      await ctx.registry.presetChanged(slug);
      ctx.events.emit('preset.changed', { slug });
      return detail(preset);
    },
    'presets.update': async ({ slug, spec }) => {
      const existing = await find(slug);
      const fields = presetFieldsFromSpec(spec, presetFieldsOf(existing), slug);
      assertNoNameCollisions(fields, await ctx.db.servers.list(ctx.ownerId), ctx.pool);
      const preset = await ctx.db.presets.update(ctx.ownerId, slug, fields);
      await ctx.registry.presetChanged(slug);
      ctx.events.emit('preset.changed', { slug });
      return detail(preset);
    },
    'presets.delete': async ({ slug }) => {
      await find(slug);
      await ctx.db.presets.delete(ctx.ownerId, slug);
      await ctx.registry.presetChanged(slug);
      ctx.events.emit('preset.changed', { slug });
      return { deleted: true as const };
    },
    'presets.toolView': async ({ slug }) => {
      const preset = await find(slug);
      const view = await ctx.registry.get(slug);
      const exposedByUpstream = new Map<string, string>();
      for (const [exposed, route] of view?.toolRoutes ?? []) exposedByUpstream.set(`${route.connection.server.id}\u0000${route.upstreamName}`, exposed);
      const tools = preset.servers.flatMap((binding) => {
        const connection = ctx.pool.get(binding.serverId);
        const state = connection?.status().state ?? 'stopped';
        const serverTimeout = connection?.server.timeoutMs ?? ctx.defaultTimeoutMs;
        return (connection?.catalog.tools ?? []).map((tool) => {
          const upstreamName = String(tool.name);
          const exposedName = exposedByUpstream.get(`${binding.serverId}\u0000${upstreamName}`) ?? null;
          const allowed = binding.enabled && (binding.allowedTools.length === 0 || binding.allowedTools.includes(upstreamName));
          return {
            serverName: binding.serverName,
            serverState: state,
            upstreamName,
            exposedName,
            ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
            allowed,
            timeoutMs: binding.toolTimeouts[upstreamName] ?? serverTimeout,
            estimatedTokens: estimateTokens(tool),
          };
        });
      });
      const estimatedTokens = (view?.tools ?? []).reduce((sum, tool) => sum + estimateTokens(tool), 0);
      return { tools, estimatedTokens };
    },
  };
}
