import { z } from 'zod';

const RETENTION = /^\s*(forever|never|\d+\s*(d|day|days|m|mo|month|months))\s*$/i;

/** Runtime settings of one gateway process. Precedence: defaults < config file < env < flags. */
export const gatewayConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(7337),
  /** null: in-memory database (tests); otherwise a folder holding db/, admin-token, lock. */
  dataDir: z.string().nullable(),
  /** Declarative servers/presets file applied at start (upsert, no prune). */
  configFile: z.string().nullable().default(null),
  defaultToolTimeoutMs: z.number().int().positive().default(30_000),
  maxBodyBytes: z.number().int().positive().default(4 * 1024 * 1024),
  metricsFlushMs: z.number().int().positive().default(1000),
  metricsFlushEvents: z.number().int().positive().default(1000),
  /** Metric events held in memory at most (buffered + being written); beyond: dropped and counted. */
  metricsMaxBuffered: z.number().int().positive().default(100_000),
  /** Width of one metrics_events partition (UTC). Switching later lets existing partitions run out. */
  metricsPartitionGranularity: z.enum(['monthly', 'daily']).default('monthly'),
  /** How long raw metric events are kept ("<n> days", "<n> months", "forever"); whole partitions are dropped. */
  metricsRawRetention: z.string().regex(RETENTION, 'expected "<n> days", "<n> months" or "forever"').default('3 months'),
  /** How long hourly/daily rollups are kept (same format). */
  metricsRollupRetention: z.string().regex(RETENTION, 'expected "<n> days", "<n> months" or "forever"').default('forever'),
  /** How often new metric events are rolled up (ms). */
  metricsRollupIntervalMs: z.number().int().positive().default(60_000),
  /** Hours after its end an hour is re-checked against raw events (late data on a shared Postgres). */
  metricsLateWindowHours: z.number().int().min(0).max(168).default(2),
  /** Distinct (preset, server, tool) label sets on /metrics before the rest fold into "other". */
  metricsMaxLabelSets: z.number().int().positive().default(500),
  /** Upstream restart policy. */
  restartBaseMs: z.number().int().positive().default(500),
  restartMaxMs: z.number().int().positive().default(30_000),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** Circuit breaker per upstream: consecutive failures that open it, and the first open period. */
  breakerFailureThreshold: z.number().int().positive().default(5),
  breakerCooldownMs: z.number().int().positive().default(5_000),
  /** Idle upstreams are pinged this often (0 disables). */
  pingIntervalMs: z.number().int().min(0).default(30_000),
  /** Preset view cache bounds (entries and approximate bytes). */
  cacheMaxEntries: z.number().int().positive().default(2_000),
  cacheMaxBytes: z.number().int().positive().default(64 * 1024 * 1024),
  /** Extra Host names (besides loopback) and Origins accepted; DNS rebinding and cross-site guards. */
  allowedHosts: z.array(z.string()).default([]),
  allowedOrigins: z.array(z.string()).default([]),
  /** Where the embedded database runs: a child process (default: its memory and crashes stay out of the gateway) or a worker thread. */
  dbIsolation: z.enum(['process', 'thread']).default('process'),
  /** Hostile-input limits. */
  maxJsonDepth: z.number().int().positive().default(64),
  maxToolInputBytes: z.number().int().positive().default(1024 * 1024),
  /** Upstream tools whose definition is larger are left out of views with a warning. */
  maxToolSchemaBytes: z.number().int().positive().default(10 * 1024),
  /** Requests per second (and burst) per client token on /mcp; 0 disables. */
  rateLimitPerSecond: z.number().min(0).default(200),
  rateLimitBurst: z.number().int().positive().default(400),
  /** Concurrent sessions one token may hold. */
  maxSessionsPerToken: z.number().int().positive().default(100),
  /** Team mode: a real PostgreSQL (15+) instead of the embedded PGlite (postgres://…). */
  databaseUrl: z.string().nullable().default(null),
  /** Team mode: a read replica for lag-tolerant reads (metrics queries). */
  readReplicaUrl: z.string().nullable().default(null),
  /** node-postgres pool: size, idle timeout and connect timeout. */
  dbPoolMax: z.number().int().positive().default(10),
  dbIdleTimeoutMs: z.number().int().min(0).default(30_000),
  dbConnectTimeoutMs: z.number().int().positive().default(5_000),
  /** Team mode: Redis (7+) for cross-instance invalidation and shared rate limits (redis://…). */
  redisUrl: z.string().nullable().default(null),
  /** Prefix of every Redis key and channel: one per cluster of gateways sharing a database. */
  redisKeyPrefix: z.string().min(1).default('mcpgw:'),
  /** While Redis is unreachable, presets and servers changed in the database are polled this often (ms). */
  resyncPollMs: z.number().int().positive().default(2_000),
  /** Desktop sync: a team PostgreSQL to share presets and push rollups to (saved like the UI's setting). */
  syncUrl: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').nullable().default(null),
  /** How this machine is named in the team (default: user@host). */
  syncMember: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/).nullable().default(null),
  /** Pause between sync cycles while all is well, and the longest backoff while offline (ms). */
  syncIntervalMs: z.number().int().positive().default(15_000),
  syncMaxBackoffMs: z.number().int().positive().default(60_000),
  /** A team database that does not answer within these fails the attempt (ms). */
  syncConnectTimeoutMs: z.number().int().positive().default(5_000),
  syncQueryTimeoutMs: z.number().int().positive().default(15_000),
});
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
