import type { MetricEvent } from '../db/records.js';

export interface RecorderOptions {
  /** Flush at least this often (ms). */
  flushMs: number;
  /** Flush as soon as this many events wait. */
  flushEvents: number;
  /**
   * Events held in memory at most, buffered plus being written; beyond that new events are
   * dropped and counted (the database fell behind). Default 100,000 (~30 MB).
   */
  maxBuffered?: number;
  /**
   * Writes a batch. A failed write's events are tried again with the next flush; an error with a
   * numeric `written` says how many of them were written before it failed.
   */
  write(events: MetricEvent[]): Promise<void>;
  /**
   * Sees every recorded event once (dropped ones too), in batches off the request path: on the
   * flush timer and before each write. Feeds the Prometheus tool-call metrics.
   */
  observe?: (event: MetricEvent) => void;
  /** After every write: how many events, how long it took, whether it succeeded. */
  onFlush?: (info: FlushInfo) => void;
  log?: (line: string) => void;
}

export interface FlushInfo {
  events: number;
  ms: number;
  ok: boolean;
}

export interface RecorderStats {
  queueDepth: number;
  inFlight: number;
  maxBuffered: number;
  recorded: number;
  written: number;
  dropped: number;
  failedWrites: number;
  flushes: number;
  lastFlushMs: number | null;
  lastFlushAt: Date | null;
}

/**
 * Collects one event per call/list/error in memory and writes them in batches off the request
 * path. `record` is O(1), never waits and never throws; a failing database's events wait for
 * the next flush, and a stopped or lagging one costs dropped events beyond maxBuffered (counted),
 * never a slower call.
 */
export class MetricsRecorder {
  private buffer: MetricEvent[] = [];
  /** How many events at the head of `buffer` were already passed to `observe`. */
  private observed = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private flushScheduled = false;
  private stopped = false;
  private readonly maxBuffered: number;
  private lastFlushMs: number | null = null;
  private lastFlushAt: Date | null = null;
  private lastFailureLog = 0;
  recorded = 0;
  dropped = 0;
  written = 0;
  failedWrites = 0;
  flushes = 0;

  constructor(private readonly options: RecorderOptions) {
    this.maxBuffered = Math.max(1, options.maxBuffered ?? 100_000);
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      this.drainObservations();
      void this.flush();
    }, this.options.flushMs);
    this.timer.unref();
  }

  get queueDepth(): number {
    return this.buffer.length;
  }

  stats(): RecorderStats {
    return {
      queueDepth: this.buffer.length,
      inFlight: this.inFlight,
      maxBuffered: this.maxBuffered,
      recorded: this.recorded,
      written: this.written,
      dropped: this.dropped,
      failedWrites: this.failedWrites,
      flushes: this.flushes,
      lastFlushMs: this.lastFlushMs,
      lastFlushAt: this.lastFlushAt,
    };
  }

  record(event: MetricEvent): void {
    if (this.stopped) return;
    this.recorded++;
    if (this.buffer.length + this.inFlight >= this.maxBuffered) {
      this.dropped++;
      try {
        this.options.observe?.(event);
      } catch {
        // never let an observer's bug reach the caller's request
      }
      return;
    }
    this.buffer.push(event);
    // The write starts on the next turn of the event loop, never inside the caller's request.
    if (this.buffer.length >= this.options.flushEvents && !this.flushing && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        void this.flush();
      });
    }
  }

  /** Writes everything buffered so far; concurrent callers share one write. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    this.drainObservations();
    const batch = this.buffer;
    this.buffer = [];
    this.observed = 0;
    this.inFlight = batch.length;
    const started = performance.now();
    this.flushing = this.options
      .write(batch)
      .then(
        () => {
          this.written += batch.length;
          this.finishFlush(batch.length, started, true);
        },
        (error: unknown) => {
          this.failedWrites++;
          const written = writtenBefore(error, batch.length);
          this.written += written;
          const kept = this.requeue(batch.slice(written));
          this.finishFlush(batch.length, started, false);
          // A database that is down fails every second: say so at most once a minute.
          if (Date.now() - this.lastFailureLog > 60_000) {
            this.lastFailureLog = Date.now();
            const lost = batch.length - written - kept;
            this.options.log?.(
              `metrics: writing ${batch.length} events failed (${kept} kept for the next try${lost ? `, ${lost} dropped` : ''}): ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        },
      )
      .finally(() => {
        this.inFlight = 0;
        this.flushing = null;
      });
    await this.flushing;
  }

  /** Flushes what is left (looping until the buffer is empty); nothing recorded before stop is lost. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.buffer.length > 0 || this.flushing) {
      const failures = this.failedWrites;
      await this.flush();
      if (this.failedWrites > failures && this.buffer.length > 0) {
        // The database is failing: stopping must not wait for it. What is left is counted as dropped.
        this.dropped += this.buffer.length;
        this.options.log?.(`metrics: stopping with the database failing: ${this.buffer.length} events not written`);
        this.buffer = [];
        this.observed = 0;
      }
    }
  }

  /**
   * Puts the events of a failed write back at the front of the buffer for the next flush, keeping
   * the newest within maxBuffered (a database outage costs memory up to the bound, then the
   * oldest events). Returns how many were kept.
   */
  private requeue(events: MetricEvent[]): number {
    const room = Math.max(0, this.maxBuffered - this.buffer.length);
    const kept = events.length <= room ? events : events.slice(events.length - room);
    this.dropped += events.length - kept.length;
    this.buffer = kept.concat(this.buffer);
    this.observed += kept.length; // already shown to the observer
    return kept.length;
  }

  private finishFlush(events: number, started: number, ok: boolean): void {
    const ms = performance.now() - started;
    this.flushes++;
    this.lastFlushMs = ms;
    this.lastFlushAt = new Date();
    try {
      this.options.onFlush?.({ events, ms, ok });
    } catch {
      // an observer's bug must not break the recorder
    }
  }

  private drainObservations(): void {
    const observe = this.options.observe;
    if (!observe) return;
    const buffer = this.buffer;
    try {
      while (this.observed < buffer.length) observe(buffer[this.observed++]!);
    } catch {
      this.observed = buffer.length;
    }
  }
}

/** How many events of a failed batch the database did take (a partial write says so), else none. */
function writtenBefore(error: unknown, batchLength: number): number {
  const written = (error as { written?: unknown } | null)?.written;
  return typeof written === 'number' && written > 0 ? Math.min(written, batchLength) : 0;
}
