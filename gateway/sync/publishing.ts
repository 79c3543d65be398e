import type { ApiContext } from '../api/context.js';
import type { Database } from '../db/database.js';
import type { Dispatch } from '../api/dispatcher.js';
import type { Invalidation, InvalidationTarget } from './redis-sync.js';

/**
 * The single hook between admin writes and the invalidation bus: the admin handlers get a
 * context whose registry, pool and token cache publish what they were told to change after
 * applying it locally. Handlers stay unaware of team mode.
 */
export interface ChangeBus {
  /** Before the local change is applied (moves the shared cache tier's generation on). */
  bump(change: Invalidation): Promise<void>;
  /** After it is applied locally: tells the other instances. */
  publish(change: Invalidation): void;
}

export function publishingContext(ctx: ApiContext, bus: ChangeBus): ApiContext {
  const around = async <T>(change: Invalidation, apply: () => Promise<T>): Promise<T> => {
    await bus.bump(change);
    const result = await apply();
    bus.publish(change);
    return result;
  };
  const registry = intercept(ctx.registry, {
    presetChanged: (original) => (slug: string) => around({ kind: 'preset', slug }, () => original(slug)),
    serverRecordChanged: (original) => (serverId: string) => around({ kind: 'server', serverId }, () => original(serverId)),
  });
  const pool = intercept(ctx.pool, {
    // config.apply upserts and removes servers without serverRecordChanged.
    upsert: (original) => (record: Parameters<ApiContext['pool']['upsert']>[0]) =>
      around({ kind: 'server', serverId: record.id }, () => original(record)),
    remove: (original) => (serverId: string) => around({ kind: 'server', serverId }, () => original(serverId)),
  });
  const access = {
    invalidate: (tokenId: string): void => {
      ctx.access.invalidate(tokenId);
      bus.publish({ kind: 'token', tokenId });
    },
  };
  return { ...ctx, registry, pool, access };
}

/** What another instance's change means here: reload from the database and apply. */
export function invalidationTarget(ctx: Pick<ApiContext, 'db' | 'pool' | 'registry' | 'access' | 'events'>): InvalidationTarget {
  return {
    presetChanged: async (slug) => {
      await ctx.registry.presetChanged(slug);
      ctx.events.emit('preset.changed', { slug });
    },
    serverChanged: async (serverId) => {
      const record = await ctx.db.servers.getById(serverId);
      if (record) await ctx.pool.upsert(record);
      else await ctx.pool.remove(serverId);
      await ctx.registry.serverRecordChanged(serverId);
    },
    tokenChanged: (tokenId) => ctx.access.invalidate(tokenId),
    serverIds: () => ctx.pool.all().map((connection) => connection.server.id),
  };
}

/**
 * On a remote Postgres, an admin call that failed because the database cannot be reached
 * answers `unavailable` (HTTP 503) instead of `internal`; cached views keep serving meanwhile.
 */
export function databaseAwareDispatch(dispatch: Dispatch, db: Database, timeoutMs: number): Dispatch {
  return async (method, input) => {
    const result = await dispatch(method, input);
    if (result.ok || result.error.code !== 'internal') return result;
    const reachable = await Promise.race([
      db.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
    ]);
    if (reachable) return result;
    return { ok: false, error: { code: 'unavailable', message: 'the database is unreachable; try again shortly (cached presets keep serving)' } };
  };
}

type Wrappers<T> = { [K in keyof T]?: T[K] extends (...args: never[]) => unknown ? (original: T[K]) => T[K] : never };

/** A view of `target` with some methods wrapped; everything else is the target's own, bound to it. */
function intercept<T extends object>(target: T, wrappers: Wrappers<T>): T {
  const wrapped = new Map<PropertyKey, unknown>();
  for (const [key, wrap] of Object.entries(wrappers) as Array<[keyof T, ((original: unknown) => unknown) | undefined]>) {
    if (!wrap) continue;
    const original = (target[key] as (...args: unknown[]) => unknown).bind(target);
    wrapped.set(key, wrap(original));
  }
  return new Proxy(target, {
    get(obj, key) {
      if (wrapped.has(key)) return wrapped.get(key);
      const value: unknown = Reflect.get(obj, key, obj);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(obj) : value;
    },
  });
}
