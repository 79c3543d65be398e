import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { gt, sql } from 'drizzle-orm';
import { executeRows } from '../db/executor.js';
import type { Database } from '../db/database.js';
import type { PresetWithServers } from '../db/records.js';
import { schema } from '../db/schema.js';
import type { RateLimiter } from '../http/rate-limit.js';

/**
 * Team mode over Redis (7+): an invalidation bus between gateway instances sharing one
 * Postgres, and shared per-token rate-limit buckets. Degrades, never breaks: while Redis is
 * unreachable, rate limits fall back to the in-process limiter and changes made through other
 * instances are found by polling presets/servers `updated_at` (plus the view TTLs); ioredis
 * reconnects by itself and a last poll runs when it is back.
 */

/** What changed: each instance reloads it from the database. */
export type Invalidation = { kind: 'preset'; slug: string } | { kind: 'server'; serverId: string } | { kind: 'token'; tokenId: string };

/** Applies an invalidation locally (registry, pool, token cache). */
export interface InvalidationTarget {
  presetChanged(slug: string): Promise<void>;
  /** Reload the server record from the database (upsert or remove it in the pool), then its views. */
  serverChanged(serverId: string): Promise<void>;
  tokenChanged(tokenId: string): void;
  /** Server ids running in this process (to notice deletions while polling). */
  serverIds(): string[];
}

export interface RedisSyncOptions {
  url: string;
  keyPrefix: string;
  db: Database;
  ownerId: string;
  target: InvalidationTarget;
  /** The in-process limiter used while Redis is down. */
  localLimiter: RateLimiter;
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  resyncPollMs: number;
  log: (line: string) => void;
}

// Token bucket per key: KEYS[1] hash {t: tokens, u: updated ms}; ARGV rate, burst. Redis's own
// clock, so instances with skewed clocks share one bucket fairly. Returns 0 when a token was
// taken, else the seconds to wait.
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(b[1])
local updated = tonumber(b[2])
if tokens == nil or updated == nil then tokens = burst; updated = now end
tokens = math.min(burst, tokens + math.max(0, now - updated) / 1000 * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.max(1, math.ceil((1 - tokens) / rate)) end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait
`;

// Shared preset records: KEYS[1] per-preset generation, KEYS[2] cluster generation; ARGV[1] the
// record key's stem, ARGV[2] the generations' lifetime (ms). Returns {key, value|false}. Writers
// bump a generation BEFORE reloading and publishing, so a record stored under an old generation
// is never read again. Generations outlive every record stored under them (each use refreshes
// them), so one that expires and restarts at 0 cannot meet an old record.
const PRESET_GET_SCRIPT = `
local p = redis.call('GET', KEYS[1]) or '0'
local c = redis.call('GET', KEYS[2]) or '0'
if p ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if c ~= '0' then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
local key = ARGV[1] .. ':' .. p .. ':' .. c
return {key, redis.call('GET', key)}
`;

/** How long a shared preset record lives in Redis (generations make it exact before that). */
const PRESET_TIER_TTL_MS = 5 * 60_000;
const GENERATION_TTL_MS = 60 * 60_000;

export class RedisSync {
  private readonly instanceId = randomBytes(8).toString('hex');
  private readonly channel: string;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private up = false;
  private downSince: number | null = Date.now();
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;
  /** DB clock of the last poll (changes after it are looked at, with a small overlap). */
  private watermark: Date | null = null;
  private readonly seenPresets = new Map<string, number>();
  private readonly seenServers = new Map<string, number>();
  private stopped = false;
  /** Changes made while our publishing connection was down: sent once it is back (deduplicated). */
  private readonly unsent = new Map<string, Invalidation>();
  /** The shared preset tier is bypassed until then (a generation bump could not be confirmed). */
  private tierOffUntil = 0;

  constructor(private readonly options: RedisSyncOptions) {
    this.channel = `${options.keyPrefix}invalidate`;
    const common: RedisOptions = {
      lazyConnect: true,
      connectTimeout: 2_000,
      commandTimeout: 500,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(100 * times, 2_000),
    };
    // Commands fail at once while disconnected (callers fall back) instead of queueing.
    this.pub = new Redis(options.url, { ...common, enableOfflineQueue: false });
    this.sub = new Redis(options.url, { ...common, commandTimeout: undefined, enableOfflineQueue: true });
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    this.sub.on('message', (channel: string, message: string) => {
      if (channel === this.channel) void this.onMessage(message);
    });
    this.sub.on('ready', () => this.onUp());
    this.pub.on('ready', () => {
      // Whatever was written while this instance could not bump generations (or before it
      // started) must not be served from the shared tier: start a new cluster generation.
      this.incrGeneration(`${this.options.keyPrefix}gen:cluster`).catch(() => {
        this.tierOffUntil = Date.now() + PRESET_TIER_TTL_MS;
      });
      this.flushUnsent();
    });
    this.sub.on('close', () => this.onDown());
  }

  /** Connects (never throws: a Redis that is down at start is retried in the background). */
  async start(): Promise<void> {
    await this.resync(); // seeds the watermark
    this.startPolling();
    await Promise.all([
      this.pub.connect().catch(() => undefined),
      this.sub.connect().catch(() => undefined),
    ]);
    if (!this.up) this.options.log(`redis: ${redacted(this.options.url)} unreachable; serving from local cache, retrying in the background`);
  }

  get connected(): boolean {
    return this.up && this.pub.status === 'ready';
  }

  /** Tells the other instances (fire and forget; while Redis is down they poll the database). */
  publish(change: Invalidation): void {
    if (this.pub.status !== 'ready') {
      // Instances that are connected do not poll: tell them once we are back.
      if (this.unsent.size < 10_000) this.unsent.set(JSON.stringify(change), change);
      return;
    }
    this.pub.publish(this.channel, JSON.stringify({ from: this.instanceId, ...change })).catch((error: unknown) => {
      this.options.log(`redis: publish failed: ${message(error)}`);
      if (this.unsent.size < 10_000) this.unsent.set(JSON.stringify(change), change);
    });
  }

  private flushUnsent(): void {
    const pending = [...this.unsent.values()];
    this.unsent.clear();
    for (const change of pending) this.publish(change);
  }

  /** Shared token bucket per key; the in-process limiter when Redis is not reachable. */
  async take(key: string): Promise<number> {
    if (this.options.rateLimitPerSecond <= 0) return 0;
    if (this.pub.status !== 'ready') return this.options.localLimiter.take(key);
    try {
      const wait = await this.pub.eval(
        TAKE_SCRIPT,
        1,
        `${this.options.keyPrefix}rl:${key}`,
        this.options.rateLimitPerSecond,
        this.options.rateLimitBurst,
      );
      return Number(wait) || 0;
    } catch {
      return this.options.localLimiter.take(key);
    }
  }

  /**
   * A preset record through the shared Redis tier (behind each instance's in-process views):
   * one round trip on a hit, the database on a miss or whenever Redis is not usable.
   */
  async cachedPreset(slug: string, load: (slug: string) => Promise<PresetWithServers | null>): Promise<PresetWithServers | null> {
    if (!this.tierUsable()) return load(slug);
    let key: string;
    try {
      const [stem, cached] = (await this.pub.eval(
        PRESET_GET_SCRIPT,
        2,
        `${this.options.keyPrefix}gen:preset:${slug}`,
        `${this.options.keyPrefix}gen:cluster`,
        `${this.options.keyPrefix}preset:${slug}`,
        GENERATION_TTL_MS,
      )) as [string, string | null];
      key = stem;
      if (typeof cached === 'string') return reviveRecord(JSON.parse(cached) as PresetWithServers | null);
    } catch {
      return load(slug);
    }
    const record = await load(slug);
    if (this.tierUsable()) this.pub.set(key, JSON.stringify(record), 'PX', PRESET_TIER_TTL_MS).catch(() => undefined);
    return record;
  }

  /**
   * Called before a local change is applied: moves the shared tier's generation on, so neither
   * this instance nor any other reads the record from before the write. If Redis cannot confirm
   * it, the tier is not used until the old records expire.
   */
  async bump(change: Invalidation): Promise<void> {
    if (change.kind === 'token') return;
    const key = change.kind === 'preset' ? `${this.options.keyPrefix}gen:preset:${change.slug}` : `${this.options.keyPrefix}gen:cluster`;
    if (this.pub.status === 'ready') {
      try {
        await this.incrGeneration(key);
        return;
      } catch {
        // fall through
      }
    }
    this.tierOffUntil = Date.now() + PRESET_TIER_TTL_MS;
  }

  private async incrGeneration(key: string): Promise<void> {
    const results = await this.pub.multi().incr(key).pexpire(key, GENERATION_TTL_MS).exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('redis: transaction aborted');
  }

  private tierUsable(): boolean {
    return this.pub.status === 'ready' && this.up && Date.now() >= this.tierOffUntil;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private async onMessage(text: string): Promise<void> {
    let change: Invalidation & { from?: string };
    try {
      change = JSON.parse(text) as Invalidation & { from?: string };
    } catch {
      return;
    }
    if (change.from === this.instanceId) return;
    try {
      if (change.kind === 'preset' && typeof change.slug === 'string') await this.options.target.presetChanged(change.slug);
      else if (change.kind === 'server' && typeof change.serverId === 'string') await this.options.target.serverChanged(change.serverId);
      else if (change.kind === 'token' && typeof change.tokenId === 'string') this.options.target.tokenChanged(change.tokenId);
    } catch (error) {
      this.options.log(`redis: applying ${change.kind} invalidation failed: ${message(error)}`);
    }
  }

  private onUp(): void {
    // Subscribe on every connection (a SUBSCRIBE queued while Redis was down at start may have
    // been dropped; subscribing twice on one connection is a no-op).
    this.sub.subscribe(this.channel).catch((error: unknown) => this.options.log(`redis: subscribe failed: ${message(error)}`));
    if (this.up) return;
    this.up = true;
    const wasDown = this.downSince;
    this.downSince = null;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    if (wasDown !== null) {
      this.options.log(`redis: connected to ${redacted(this.options.url)}`);
      // Catch up on what changed while we could not hear about it.
      void this.resync();
    }
  }

  private onDown(): void {
    if (!this.up || this.stopped) return;
    this.up = false;
    this.downSince = Date.now();
    // Poll from shortly before the drop (messages in flight then may be lost), not from the last poll.
    this.watermark = new Date(this.downSince - 5_000);
    this.options.log('redis: connection lost; rate limits are per instance and changes are polled from the database until it is back');
    this.startPolling();
  }

  private startPolling(): void {
    if (this.pollTimer || this.stopped) return;
    this.pollTimer = setInterval(() => {
      if (!this.up) void this.resync();
    }, this.options.resyncPollMs);
    this.pollTimer.unref();
  }

  /** Applies presets and servers whose updated_at moved since the last poll, and deleted servers. */
  private async resync(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const db = this.options.db.db;
      const first = this.watermark === null;
      const [row] = await executeRows<{ now: string | Date }>(db, sql`select now() as now`);
      const now = row ? new Date(row.now) : new Date();
      // Overlap of a few seconds: clocks of instances and the DB differ; seen maps dedupe.
      const since = new Date((this.watermark ?? now).getTime() - 5_000);
      const presets = await db
        .select({ slug: schema.presets.slug, updatedAt: schema.presets.updatedAt })
        .from(schema.presets)
        .where(gt(schema.presets.updatedAt, since));
      const servers = await this.options.db.servers.list(this.options.ownerId);
      this.watermark = now;
      const stamp = (value: unknown): number => new Date(value as string | Date).getTime();
      for (const server of servers) {
        const at = stamp(server.updatedAt);
        const known = this.seenServers.get(server.id);
        this.seenServers.set(server.id, at);
        if (!first && known !== at) await this.options.target.serverChanged(server.id);
      }
      const present = new Set(servers.map((server) => server.id));
      for (const id of this.options.target.serverIds()) {
        if (!present.has(id)) {
          this.seenServers.delete(id);
          if (!first) await this.options.target.serverChanged(id);
        }
      }
      for (const preset of presets) {
        const at = stamp(preset.updatedAt);
        if (this.seenPresets.get(preset.slug) === at) continue;
        this.seenPresets.set(preset.slug, at);
        if (!first) await this.options.target.presetChanged(preset.slug);
      }
    } catch (error) {
      this.options.log(`resync: ${message(error)}`);
    } finally {
      this.polling = false;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** JSON turns Dates into strings: the record's own timestamps come back as Dates. */
function reviveRecord(record: PresetWithServers | null): PresetWithServers | null {
  if (!record) return null;
  return { ...record, createdAt: new Date(record.createdAt), updatedAt: new Date(record.updatedAt) };
}

/** The URL without its password, for logs. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}
