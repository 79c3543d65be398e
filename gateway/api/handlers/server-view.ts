import type { ServerView } from '../../contract/index.js';
import type { ServerRecord } from '../../db/records.js';
import type { UpstreamPool } from '../../upstream/pool.js';

export const SECRET_MASK = '••••••';

function mask(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(values).map((key) => [key, SECRET_MASK]));
}

/** The API's picture of a server: live status from the pool, secret values never included. */
export function toServerView(record: ServerRecord, pool: UpstreamPool): ServerView {
  const connection = pool.get(record.id);
  return {
    id: record.id,
    name: record.name,
    transport: record.transport,
    command: record.command,
    args: record.args,
    env: mask(record.env),
    cwd: record.cwd,
    url: record.url,
    headers: mask(record.headers),
    enabled: record.enabled,
    timeoutMs: record.timeoutMs,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    status: connection?.status() ?? {
      state: 'stopped',
      lastError: null,
      restarts: 0,
      toolCount: 0,
      pid: null,
      nextRetryAt: null,
      breaker: 'closed',
      consecutiveFailures: 0,
    },
  };
}

/** A value sent back masked (the UI echoes what it was shown) keeps the stored secret. */
export function keepMaskedSecrets(next: Record<string, string>, previous: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(next).map(([key, value]) => [key, value === SECRET_MASK ? (previous[key] ?? '') : value]),
  );
}
