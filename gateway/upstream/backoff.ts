/** Exponential backoff with full jitter in [delay/2, delay], capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(delay / 2 + random() * (delay / 2));
}

/** Counts restarts in a sliding window so a crash loop gives up instead of spinning forever. */
export class RestartBudget {
  private readonly times: number[] = [];
  constructor(
    private readonly maxRestarts: number,
    private readonly windowMs: number,
  ) {}

  /** Records one restart at `now`; false when the window's budget is used up. */
  take(now: number): boolean {
    while (this.times.length > 0 && now - (this.times[0] ?? 0) > this.windowMs) this.times.shift();
    if (this.times.length >= this.maxRestarts) return false;
    this.times.push(now);
    return true;
  }

  reset(): void {
    this.times.length = 0;
  }
}
