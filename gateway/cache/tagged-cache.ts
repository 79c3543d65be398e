import { LRUCache } from 'lru-cache';

export interface CacheStats {
  hits: number;
  misses: number;
  loads: number;
  evictions: number;
  invalidations: number;
  size: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
  hitRatio: number;
}

export interface CacheEntryOptions {
  ttlMs: number;
  /** Invalidation handles, e.g. `preset:dev`, `server:<id>`. */
  tags: string[];
}

export interface TaggedCacheOptions<V> {
  maxEntries: number;
  maxBytes: number;
  sizeOf(value: V): number;
}

/**
 * A bounded LRU (by entries and by bytes, with per-entry TTL) plus a tag index, so that
 * invalidating one preset or server costs O(its keys), never a scan of every key; and
 * single-flight loading, so N concurrent misses for one key cause one load.
 */
export class TaggedCache<V extends object> {
  private readonly lru: LRUCache<string, V>;
  private readonly keysByTag = new Map<string, Set<string>>();
  private readonly tagsByKey = new Map<string, string[]>();
  private readonly inflight = new Map<string, Promise<V | null>>();
  private readonly accesses = new Map<string, number>();
  private readonly ttls = new Map<string, number>();
  private counters = { hits: 0, misses: 0, loads: 0, evictions: 0, invalidations: 0 };

  constructor(private readonly options: TaggedCacheOptions<V>) {
    this.lru = new LRUCache<string, V>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (value) => Math.max(1, options.sizeOf(value)),
      ttlAutopurge: false,
      allowStale: false,
      dispose: (_value, key, reason) => {
        if (reason === 'evict') this.counters.evictions++;
        if (reason !== 'set') this.untag(key);
      },
    });
  }

  /** The hot-path read: counts a hit or a miss. */
  get(key: string): V | undefined {
    const value = this.lru.get(key);
    if (value === undefined) this.counters.misses++;
    else {
      this.counters.hits++;
      this.accesses.set(key, (this.accesses.get(key) ?? 0) + 1);
    }
    return value;
  }

  /** Reads without counting or refreshing recency (for invalidation and warming). */
  peek(key: string): V | undefined {
    return this.lru.peek(key);
  }

  /** get, or one shared load for every concurrent caller of the same key. Null is not cached. */
  getOrLoad(key: string, load: () => Promise<{ value: V; entry: CacheEntryOptions } | null>): Promise<V | null> {
    const cached = this.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.inflight.get(key);
    if (!pending) {
      this.counters.loads++;
      pending = load()
        .then((loaded) => {
          if (!loaded) return null;
          this.set(key, loaded.value, loaded.entry);
          return loaded.value;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  set(key: string, value: V, entry: CacheEntryOptions): void {
    this.untag(key);
    this.lru.set(key, value, { ttl: entry.ttlMs });
    if (!this.lru.has(key)) return; // larger than maxBytes: not stored
    this.ttls.set(key, entry.ttlMs);
    this.tagsByKey.set(key, entry.tags);
    for (const tag of entry.tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Keys carrying a tag (a copy: callers may delete or re-set while iterating). */
  keysWithTag(tag: string): string[] {
    return [...(this.keysByTag.get(tag) ?? [])];
  }

  delete(key: string): void {
    if (this.lru.delete(key)) this.counters.invalidations++;
    this.untag(key);
  }

  invalidateTag(tag: string): number {
    const keys = this.keysWithTag(tag);
    for (const key of keys) this.delete(key);
    return keys.length;
  }

  /** Fraction of its TTL a key has left (0 when absent). */
  remainingFraction(key: string): number {
    const ttl = this.ttls.get(key);
    if (!ttl || !this.lru.has(key)) return 0;
    return this.lru.getRemainingTTL(key) / ttl;
  }

  /** The most accessed keys since the last call; counts decay by half each call. */
  hottest(limit: number): string[] {
    const ranked = [...this.accesses.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([key]) => key);
    for (const [key, count] of this.accesses) {
      const next = Math.floor(count / 2);
      if (next === 0) this.accesses.delete(key);
      else this.accesses.set(key, next);
    }
    return ranked;
  }

  clear(): void {
    this.lru.clear();
    this.keysByTag.clear();
    this.tagsByKey.clear();
  }

  stats(): CacheStats {
    const { hits, misses } = this.counters;
    return {
      ...this.counters,
      size: this.lru.size,
      bytes: this.lru.calculatedSize,
      maxEntries: this.options.maxEntries,
      maxBytes: this.options.maxBytes,
      hitRatio: hits + misses === 0 ? 0 : hits / (hits + misses),
    };
  }

  private untag(key: string): void {
    const tags = this.tagsByKey.get(key);
    if (!tags) return;
    this.tagsByKey.delete(key);
    this.ttls.delete(key);
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
  }
}
