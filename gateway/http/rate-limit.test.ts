import { describe, expect, it } from 'vitest';
import { exceedsDepth, RateLimiter } from './rate-limit.js';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the sustained rate', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0); // keys are independent
    now = 100; // 0.1 s at 10/s refills one token
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('is off at zero', () => {
    const limiter = new RateLimiter(0, 0);
    for (let i = 0; i < 100; i++) expect(limiter.take('a')).toBe(0);
  });
});

describe('exceedsDepth', () => {
  it('measures nesting of objects and arrays', () => {
    expect(exceedsDepth({ a: 1 }, 1)).toBe(false);
    expect(exceedsDepth({ a: { b: [1] } }, 2)).toBe(true);
    expect(exceedsDepth({ a: { b: [1] } }, 3)).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(exceedsDepth(deep, 64)).toBe(true);
  });
});
