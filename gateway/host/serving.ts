import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Database } from '../db/database.js';
import { bearerToken } from '../http/guards.js';
import type { createHttpServer } from '../http/server.js';
import { JSONRPC, RpcError } from '../upstream/json-rpc-peer.js';
import type { UpstreamPool } from '../upstream/pool.js';

/** The composition root's request-side helpers: who a request speaks for, rate limits, readiness, listening. */

/** A hash of the request's bearer token: sessions and rate limits are counted per token. */
export function principalOf(req: IncomingMessage): string | null {
  const token = bearerToken(req);
  return token ? createHash('sha256').update(token).digest('base64url').slice(0, 22) : null;
}

/** Calls per second per token; anonymous local clients of public presets are not limited. */
export async function rateLimited(take: (key: string) => number | Promise<number>, req: IncomingMessage) {
  const principal = principalOf(req);
  if (!principal) return null;
  const retryAfter = await take(principal);
  if (retryAfter === 0) return null;
  return {
    status: 429,
    error: new RpcError(JSONRPC.INVALID_REQUEST, `Too many requests for this token; retry in ${retryAfter} s`),
    headers: { 'retry-after': String(retryAfter) },
  };
}

/** Ready when the database answers; per-server state is reported, not required (a preset survives a down server). */
export async function readiness(pool: UpstreamPool, db: Database): Promise<{ ok: boolean; detail: unknown }> {
  const servers = Object.fromEntries(
    pool.all().map((connection) => {
      const status = connection.status();
      return [connection.name, { state: status.state, breaker: status.breaker, lastError: status.lastError }];
    }),
  );
  try {
    const ms = await Promise.race([
      db.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2_000).unref()),
    ]);
    return { ok: true, detail: { database: { ok: true, latencyMs: Math.round(ms * 100) / 100 }, servers } };
  } catch (error) {
    return { ok: false, detail: { database: { ok: false, error: error instanceof Error ? error.message : String(error) }, servers } };
  }
}

export function listen(server: ReturnType<typeof createHttpServer>, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new Error(`port ${port} on ${host} is already in use (pass --port to pick another)`));
      else if (error.code === 'EACCES') reject(new Error(`not allowed to listen on ${host}:${port}`));
      else reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
