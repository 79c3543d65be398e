import type { Database } from '../db/database.js';
import type { EventHub } from '../http/event-hub.js';
import type { PresetRegistry } from '../mcp/preset-registry.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { UpstreamPool } from '../upstream/pool.js';
import type { DesktopSync } from '../sync/desktop-sync.js';
import type { Queryable } from '../sync/team-store.js';

/** What admin handlers work with; built once by the composition root. */
export interface ApiContext {
  db: Database;
  pool: UpstreamPool;
  registry: PresetRegistry;
  recorder: MetricsRecorder;
  events: EventHub;
  ownerId: string;
  /** e.g. http://127.0.0.1:7337 (known only once the server listens). */
  baseUrl(): string;
  dataDir: string;
  startedAt: Date;
  version: string;
  defaultTimeoutMs: number;
  /** Clears cached token verdicts (revocation takes effect on the next request). */
  access: { invalidate(tokenId: string): void };
  audit: { flush(): Promise<void> };
  /** Desktop sync with a team PostgreSQL (disabled until configured). */
  sync: DesktopSync;
  /** The team database for team-wide reports: the sync target, or this gateway's own in team mode. */
  teamDatabase(): Promise<Queryable | null>;
}
