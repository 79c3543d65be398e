import { GatewayError } from '../../contract/index.js';
import type { AccessTokenRecord } from '../../db/records.js';
import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function view(record: AccessTokenRecord) {
  return {
    id: record.id,
    principal: record.principal,
    presetScope: record.presetScope,
    createdAt: record.createdAt.toISOString(),
    expiresAt: record.expiresAt?.toISOString() ?? null,
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}

/** Access tokens: created (shown once), listed (never shown again), revoked at once. */
export function tokenHandlers(ctx: ApiContext): Pick<Handlers, 'tokens.create' | 'tokens.list' | 'tokens.revoke'> {
  return {
    'tokens.create': async ({ principal, presets, expiresInDays }) => {
      for (const slug of presets ?? []) {
        const preset = await ctx.db.presets.findBySlugWithServers(slug);
        if (!preset) throw new GatewayError('invalid_input', `no preset with slug "${slug}" to scope the token to`);
      }
      const { token, record } = await ctx.db.tokens.create({
        principal: principal ?? ctx.ownerId,
        presetScope: presets ?? null,
        expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * DAY_MS) : null,
      });
      return { token, record: view(record) };
    },
    'tokens.list': async () => ({ items: (await ctx.db.tokens.list()).map(view) }),
    'tokens.revoke': async ({ id }) => {
      const record = await ctx.db.tokens.revoke(id);
      if (!record) throw new GatewayError('not_found', `no token with id ${id}`);
      ctx.access.invalidate(id);
      return view(record);
    },
  };
}
