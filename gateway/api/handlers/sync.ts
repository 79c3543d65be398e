import { GatewayError } from '../../contract/index.js';
import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';
import { teamLatency, teamMembers } from '../../sync/team-store.js';
import { unavailableOnError } from '../../sync/sync-support.js';

const DAY_MS = 86_400_000;

/** Desktop sync (gateway/sync/desktop-sync.ts) and the team-wide latency report. */
export function syncHandlers(ctx: ApiContext): Pick<
  Handlers,
  'sync.status' | 'sync.configure' | 'sync.now' | 'sync.share' | 'sync.unshare' | 'sync.conflicts' | 'sync.resolve' | 'sync.history' | 'sync.restore' | 'sync.teamLatency'
> {
  return {
    'sync.status': () => ctx.sync.status(),
    'sync.configure': (input) => ctx.sync.configure(input),
    'sync.now': () => ctx.sync.syncNow(),
    'sync.share': ({ slug, includeSecrets }) => ctx.sync.share(slug, includeSecrets ?? false),
    'sync.unshare': ({ slug }) => ctx.sync.unshare(slug),
    'sync.conflicts': async () => ({ items: await ctx.sync.conflicts() }),
    'sync.resolve': ({ id, keep }) => ctx.sync.resolve(id, keep),
    'sync.history': async ({ slug, limit }) => ({ items: await ctx.sync.history(slug, limit ?? 50) }),
    'sync.restore': ({ slug, version }) => ctx.sync.restore(slug, version),
    'sync.teamLatency': async ({ groupBy, from, to }) => {
      const end = to ? new Date(to) : new Date();
      const start = from ? new Date(from) : new Date(end.getTime() - DAY_MS);
      if (!(start < end)) throw new GatewayError('invalid_input', '"from" must be before "to"');
      const team = await unavailableOnError(ctx.teamDatabase());
      if (!team) throw new GatewayError('bad_request', 'no team database: configure sync (sync.configure) to see the team');
      const [rows, members] = await unavailableOnError(Promise.all([teamLatency(team, groupBy, start, end), teamMembers(team)]));
      return { rows, members };
    },
  };
}
