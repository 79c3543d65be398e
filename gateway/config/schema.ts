import { z } from 'zod';

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
});
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
