import { describe, expect, it } from 'vitest';
import { TaggedCache } from './tagged-cache.js';

interface Item {
  id: string;
  bytes: number;
}

const cache = (maxEntries = 100, maxBytes = 10_000): TaggedCache<Item> =>
  new TaggedCache<Item>({ maxEntries, maxBytes, sizeOf: (item) => item.bytes });
const entry = (tags: string[] = [], ttlMs = 60_000) => ({ ttlMs, tags });

describe('TaggedCache', () => {
  it('counts hits and misses', () => {
    const c = cache();
    expect(c.get('a')).toBeUndefined();
    c.set('a', { id: 'a', bytes: 10 }, entry());
    expect(c.get('a')?.id).toBe('a');
    expect(c.stats()).toMatchObject({ hits: 1, misses: 1, size: 1, bytes: 10, hitRatio: 0.5 });
  });

  it('bounds by entries and by bytes, counting evictions', () => {
    const byCount = cache(3);
    for (const id of ['a', 'b', 'c', 'd']) byCount.set(id, { id, bytes: 1 }, entry());
    expect(byCount.stats()).toMatchObject({ size: 3, evictions: 1 });
    expect(byCount.peek('a')).toBeUndefined();

    const byBytes = cache(100, 100);
    for (const id of ['a', 'b', 'c']) byBytes.set(id, { id, bytes: 40 }, entry());
    expect(byBytes.stats().bytes).toBeLessThanOrEqual(100);
    expect(byBytes.peek('a')).toBeUndefined();
    byBytes.set('huge', { id: 'huge', bytes: 1_000 }, entry(['t']));
    expect(byBytes.peek('huge')).toBeUndefined();
    expect(byBytes.keysWithTag('t')).toEqual([]);
  });

  it('invalidates by tag touching only that tag’s keys', () => {
    const c = cache();
    for (let i = 0; i < 50; i++) c.set(`p${i}`, { id: `p${i}`, bytes: 1 }, entry([`preset:p${i}`, i % 2 ? 'server:odd' : 'server:even']));
    expect(c.invalidateTag('server:odd')).toBe(25);
    expect(c.stats().size).toBe(25);
    expect(c.keysWithTag('server:odd')).toEqual([]);
    expect(c.keysWithTag('preset:p1')).toEqual([]);
    expect(c.keysWithTag('preset:p2')).toEqual(['p2']);
  });

  it('expires by TTL', async () => {
    const c = cache();
    c.set('a', { id: 'a', bytes: 1 }, entry(['t'], 30));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(c.get('a')).toBeUndefined();
  });

  it('loads once for 100 concurrent misses of one key', async () => {
    const c = cache();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { value: { id: 'x', bytes: 1 }, entry: entry() };
    };
    const results = await Promise.all(Array.from({ length: 100 }, () => c.getOrLoad('x', load)));
    expect(loads).toBe(1);
    expect(results.every((item) => item?.id === 'x')).toBe(true);
    expect(c.stats()).toMatchObject({ loads: 1, misses: 100 });
  });

  it('does not cache a failed or empty load', async () => {
    const c = cache();
    await expect(c.getOrLoad('x', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await c.getOrLoad('y', async () => null)).toBeNull();
    expect(c.stats().size).toBe(0);
  });

  it('ranks the hottest keys with decaying counts', () => {
    const c = cache();
    c.set('a', { id: 'a', bytes: 1 }, entry());
    c.set('b', { id: 'b', bytes: 1 }, entry());
    for (let i = 0; i < 5; i++) c.get('b');
    c.get('a');
    expect(c.hottest(1)).toEqual(['b']);
    expect(c.remainingFraction('a')).toBeGreaterThan(0.9);
  });
});
