import type { Database } from '../db/database.js';
import type { RollupRunResult } from '../db/repositories/rollups.js';
import { parseRetention, retentionCutoff, type PartitionGranularity, type Retention } from '../db/repositories/partitions.js';

/**
 * The metrics upkeep jobs, on timers, in desktop, headless and team mode alike (PGlite has no
 * pg_cron): partitions ahead of time, the rollup, then retention (raw partitions and rollups).
 * Jobs never overlap one another; each runs in the database worker, so the main thread only
 * waits on messages. Errors are logged and retried on the next tick.
 */
export interface MetricsMaintenanceOptions {
  granularity: PartitionGranularity;
  /** e.g. "3 months", "90 days", "forever". */
  rawRetention: string;
  rollupRetention: string;
  rollupIntervalMs: number;
  lateWindowHours: number;
  /** How often partitions and retention are looked after (default hourly). */
  upkeepIntervalMs?: number;
  /** Partitions created ahead: months or days (default 2 months / 7 days). */
  ahead?: number;
  now?: () => Date;
  log?: (line: string) => void;
  onRollup?: (result: RollupRunResult | null, ms: number, error: unknown) => void;
}

export type MaintenanceDb = Pick<Database, 'partitions' | 'rollups'>;

export interface MaintenanceStatus {
  lastRollup: RollupRunResult | null;
  lastRollupError: string | null;
  lastUpkeepAt: Date | null;
  lastUpkeepError: string | null;
  droppedPartitions: string[];
}

export class MetricsMaintenance {
  private readonly rawRetention: Retention;
  private readonly rollupRetention: Retention;
  private readonly now: () => Date;
  private timers: NodeJS.Timeout[] = [];
  /** The job chain: every job waits for the previous one (one roller, one upkeep at a time). */
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private status_: MaintenanceStatus = {
    lastRollup: null,
    lastRollupError: null,
    lastUpkeepAt: null,
    lastUpkeepError: null,
    droppedPartitions: [],
  };

  constructor(
    private readonly db: MaintenanceDb,
    private readonly options: MetricsMaintenanceOptions,
  ) {
    this.rawRetention = parseRetention(options.rawRetention);
    this.rollupRetention = parseRetention(options.rollupRetention);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Creates the current and upcoming partitions (awaited: inserts must find them), then starts
   * the timers; the first rollup and retention pass run in the background right away.
   */
  async start(): Promise<void> {
    await this.ensurePartitions();
    void this.enqueue(() => this.rollupNow());
    void this.enqueue(() => this.retentionNow());
    const rollupTimer = setInterval(() => void this.enqueue(() => this.rollupNow()), this.options.rollupIntervalMs);
    const upkeepTimer = setInterval(
      () => void this.enqueue(async () => {
        await this.ensurePartitions();
        await this.retentionNow();
      }),
      this.options.upkeepIntervalMs ?? 3_600_000,
    );
    rollupTimer.unref();
    upkeepTimer.unref();
    this.timers.push(rollupTimer, upkeepTimer);
  }

  /** Runs one rollup now (after any running job); resolves with its result. */
  runRollup(): Promise<RollupRunResult | null> {
    return this.enqueue(() => this.rollupNow());
  }

  /** Runs partition upkeep and retention now (after any running job). */
  runUpkeep(): Promise<void> {
    return this.enqueue(async () => {
      await this.ensurePartitions();
      await this.retentionNow();
    });
  }

  status(): MaintenanceStatus {
    return { ...this.status_ };
  }

  /** Stops the timers and waits for a running job (the database closes after this). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.chain;
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.chain.then(job);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async ensurePartitions(): Promise<void> {
    const now = this.now();
    const ahead = this.options.ahead ?? (this.options.granularity === 'monthly' ? 2 : 7);
    try {
      const created = await this.db.partitions.ensure(now, this.options.granularity, ahead, retentionCutoff(now, this.rawRetention));
      if (created.length > 0) this.options.log?.(`metrics: created partitions ${created.join(', ')}`);
      this.status_.lastUpkeepAt = now;
      this.status_.lastUpkeepError = null;
    } catch (error) {
      this.status_.lastUpkeepError = errorText(error);
      this.options.log?.(`metrics: partition upkeep failed: ${errorText(error)}`);
    }
  }

  private async rollupNow(): Promise<RollupRunResult | null> {
    if (this.stopped) return null;
    const started = performance.now();
    try {
      const result = await this.db.rollups.run({ now: this.now(), lateWindowHours: this.options.lateWindowHours });
      this.status_.lastRollup = result;
      this.status_.lastRollupError = null;
      this.options.onRollup?.(result, performance.now() - started, null);
      return result;
    } catch (error) {
      this.status_.lastRollupError = errorText(error);
      this.options.log?.(`metrics: rollup failed: ${errorText(error)}`);
      this.options.onRollup?.(null, performance.now() - started, error);
      return null;
    }
  }

  /** Raw partitions past retention (after the rollup has taken their rows), then old rollups. */
  private async retentionNow(): Promise<void> {
    if (this.stopped) return;
    const now = this.now();
    try {
      const state = await this.db.rollups.state();
      if (state.lastId < state.maxEventId) await this.rollupNow(); // never drop rows not rolled yet
      const dropped = await this.db.partitions.dropOlderThan(now, this.rawRetention);
      if (dropped.length > 0) {
        this.status_.droppedPartitions = dropped;
        this.options.log?.(`metrics: dropped expired partitions ${dropped.join(', ')}`);
      }
      const rollupCutoff = retentionCutoff(now, this.rollupRetention);
      if (rollupCutoff) await this.db.rollups.dropBefore(rollupCutoff);
      // Statistics and dead rows: PGlite has no autovacuum (harmless on a real Postgres).
      await this.db.rollups.vacuum();
      await this.db.partitions.analyzeRecent(now);
      this.status_.lastUpkeepError = null;
    } catch (error) {
      this.status_.lastUpkeepError = errorText(error);
      this.options.log?.(`metrics: retention failed: ${errorText(error)}`);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
