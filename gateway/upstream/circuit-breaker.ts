export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** First open period; doubles on each failed probe, up to maxCooldownMs. */
  cooldownMs: number;
  maxCooldownMs: number;
}

export const defaultBreakerOptions: BreakerOptions = { failureThreshold: 5, cooldownMs: 5_000, maxCooldownMs: 60_000 };

/**
 * closed → open after `failureThreshold` consecutive failures → half_open once the cooldown
 * has passed, letting ONE probe through → closed on its success, open again (longer) on failure.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private cooldown: number;
  private probeInFlight = false;

  constructor(
    private readonly options: BreakerOptions = defaultBreakerOptions,
    private readonly onChange: (state: BreakerState) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.cooldown = options.cooldownMs;
  }

  get state(): BreakerState {
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** When an open breaker lets the next probe through (ms epoch), else null. */
  get retryAt(): number | null {
    return this.current === 'open' ? this.openedAt + this.cooldown : null;
  }

  /** May a call go upstream now? In half_open only one probe at a time. */
  tryPass(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') {
      if (this.now() < this.openedAt + this.cooldown) return false;
      this.transition('half_open');
    }
    if (this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.probeInFlight = false;
    if (this.current !== 'closed') {
      this.cooldown = this.options.cooldownMs;
      this.transition('closed');
    }
  }

  failure(): void {
    this.failures++;
    if (this.current === 'half_open') {
      this.probeInFlight = false;
      this.cooldown = Math.min(this.options.maxCooldownMs, this.cooldown * 2);
      this.open();
    } else if (this.current === 'closed' && this.failures >= this.options.failureThreshold) {
      this.open();
    }
  }

  /** A call that ended without a verdict (cancelled by the client): frees the probe slot. */
  release(): void {
    this.probeInFlight = false;
  }

  reset(): void {
    this.failures = 0;
    this.probeInFlight = false;
    this.cooldown = this.options.cooldownMs;
    if (this.current !== 'closed') this.transition('closed');
  }

  private open(): void {
    this.openedAt = this.now();
    this.transition('open');
  }

  private transition(state: BreakerState): void {
    if (this.current === state) return;
    this.current = state;
    this.onChange(state);
  }
}
