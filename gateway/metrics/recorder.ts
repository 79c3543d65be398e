import type { MetricEvent } from '../db/records.js';

export interface RecorderOptions {
  flushMs: number;
  flushEvents: number;
  /** Events kept in memory at most; beyond that new events are dropped and counted. */
  maxBuffered?: number;
  write(events: MetricEvent[]): Promise<void>;
  log?: (line: string) => void;
}

/**
 * Collects one event per call/list/error in memory and writes them in batches off the request
 * path. `record` never waits and never throws; a stopped or lagging database costs dropped
 * events (counted), never a slower call.
 */
export class MetricsRecorder {
  private buffer: MetricEvent[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;
  dropped = 0;
  written = 0;
  failedWrites = 0;

  constructor(private readonly options: RecorderOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushMs);
    this.timer.unref();
  }

  get queueDepth(): number {
    return this.buffer.length;
  }

  record(event: MetricEvent): void {
    if (this.stopped) return;
    if (this.buffer.length >= (this.options.maxBuffered ?? 100_000)) {
      this.dropped++;
      return;
    }
    this.buffer.push(event);
    if (this.buffer.length >= this.options.flushEvents && !this.flushing) void this.flush();
  }

  /** Writes everything buffered so far; concurrent callers share one write. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.options
      .write(batch)
      .then(() => {
        this.written += batch.length;
      })
      .catch((error: unknown) => {
        this.failedWrites++;
        this.dropped += batch.length;
        this.options.log?.(`metrics: dropped ${batch.length} events: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }

  /** Flushes what is left; nothing recorded before stop is lost. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
