import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, probes once after the cooldown, closes on success', () => {
    let now = 0;
    const states: string[] = [];
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, maxCooldownMs: 4_000 }, (s) => states.push(s), () => now);
    breaker.failure();
    breaker.failure();
    breaker.success(); // a success in between resets the count
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryPass()).toBe(false);
    now = 1_000;
    expect(breaker.tryPass()).toBe(true); // the probe
    expect(breaker.state).toBe('half_open');
    expect(breaker.tryPass()).toBe(false); // only one probe at a time
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('doubles the cooldown when the probe fails, up to the cap', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1_000, maxCooldownMs: 3_000 }, undefined, () => now);
    breaker.failure();
    now = 1_000;
    expect(breaker.tryPass()).toBe(true);
    breaker.failure();
    expect(breaker.retryAt).toBe(3_000);
    now = 3_000;
    expect(breaker.tryPass()).toBe(true);
    breaker.failure();
    expect(breaker.retryAt).toBe(6_000); // capped at 3 s
    breaker.reset();
    expect(breaker.state).toBe('closed');
  });
});
