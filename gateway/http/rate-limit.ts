import { LRUCache } from 'lru-cache';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets per key (a client's token): `perSecond` sustained with bursts of `burst`.
 * Keys live in a bounded LRU, so a flood of distinct keys cannot grow memory without limit.
 */
export class RateLimiter {
  private readonly buckets = new LRUCache<string, Bucket>({ max: 10_000 });

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.perSecond > 0;
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string): number {
    if (!this.enabled) return 0;
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    return 0;
  }
}

/** Depth of nested arrays/objects, stopping early once past `limit`. */
export function exceedsDepth(value: unknown, limit: number): boolean {
  const walk = (node: unknown, depth: number): boolean => {
    if (depth > limit) return true;
    if (typeof node !== 'object' || node === null) return false;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null && walk(child, depth + 1)) return true;
    }
    return false;
  };
  return walk(value, 1);
}
