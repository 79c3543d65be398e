import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface LoadResult {
  calls: number;
  errors: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  callsPerSecond: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/**
 * Runs `concurrency` workers, each calling `once` back to back, until `maxSeconds` or `maxCalls`
 * (bounded both ways). Latencies in ms.
 */
export async function runLoad(
  workers: Array<() => Promise<boolean>>,
  options: { maxSeconds: number; maxCalls: number; warmupCalls?: number },
): Promise<LoadResult> {
  for (const once of workers) for (let i = 0; i < (options.warmupCalls ?? 20); i++) await once();
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  await Promise.all(
    workers.map(async (once) => {
      while (issued < options.maxCalls && performance.now() < deadline) {
        issued++;
        const t0 = performance.now();
        const ok = await once().catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    calls: latencies.length,
    errors,
    seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    callsPerSecond: latencies.length / seconds,
  };
}

export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** RSS of the gateway's embedded-database child process (PGlite runs out of the gateway process). */
export function dbChildRssMb(gatewayPid: number): number {
  try {
    const out = execFileSync('pgrep', ['-P', String(gatewayPid), '-f', 'pglite-worker'], { encoding: 'utf8' }).trim();
    const pid = Number(out.split('\n')[0]);
    return Number.isFinite(pid) && pid > 0 ? rssMb(pid) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
