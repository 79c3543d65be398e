/**
 * Metrics pipeline benchmark (not a test): `npm run bench:metrics`. Bounded to a few minutes.
 *
 *   1. ingest: events/s through the recorder's insert path into PGlite (worker thread, on disk)
 *   2. rollup of one hour holding 1M events (incremental by id, and the idempotent re-roll)
 *   3. dashboard queries over 30 days of 10M raw events (generated inside the database with
 *      generate_series, within a time budget: the size reached is reported)
 *   4. table and index sizes
 *   5. the write test: 1,000 calls/s through the recorder for a couple of minutes while the
 *      rollup runs every minute and a dashboard query every 15 s; flush latency per window and
 *      the main thread's event-loop delay show whether anything slows down over time
 *
 * Knobs (env): BENCH_EVENTS (10000000), BENCH_GEN_BUDGET_S (300), BENCH_WRITE_SECONDS (120),
 * BENCH_WRITE_RATE (1000), BENCH_HOUR_EVENTS (1000000).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../gateway/db/database.js';
import { executeRows } from '../../gateway/db/executor.js';
import type { MetricEvent } from '../../gateway/db/records.js';
import { MetricsRecorder, type FlushInfo } from '../../gateway/metrics/recorder.js';

const env = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const TARGET_EVENTS = env('BENCH_EVENTS', 10_000_000);
const GEN_BUDGET_MS = env('BENCH_GEN_BUDGET_S', 300) * 1000;
const WRITE_SECONDS = env('BENCH_WRITE_SECONDS', 120);
const WRITE_RATE = env('BENCH_WRITE_RATE', 1000);
const HOUR_EVENTS = env('BENCH_HOUR_EVENTS', 1_000_000);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TOOLS = 24;
const SERVERS = 8;
const PRESETS = 3;

type Row = [string, string];
const rows: Row[] = [];
const section = (title: string) => rows.push([`— ${title}`, '']);
const add = (label: string, value: string) => {
  rows.push([label, value]);
  process.stderr.write(`  ${label}: ${value}\n`);
};
const ms = (v: number) => (v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`);
const num = (v: number) => Math.round(v).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function quantile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

async function timeIt(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return quantile(samples, 0.5);
}

/** Inserts `n` tool calls spread evenly over [from, from + spanMs), inside the database. */
async function generate(db: Database, ids: { presets: string[]; servers: string[] }, from: number, spanMs: number, n: number): Promise<void> {
  await db.db.execute(sql`insert into metrics_events (ts, preset_id, server_id, tool_name, event_type, status, latency_ms, error_message)
    select ${new Date(from).toISOString()}::timestamptz + (i * ${spanMs / n}::float8) * interval '1 millisecond',
           (string_to_array(${ids.presets.join(',')}, ',')::uuid[])[i % ${PRESETS} + 1],
           (string_to_array(${ids.servers.join(',')}, ',')::uuid[])[t % ${SERVERS} + 1],
           's' || (t % ${SERVERS}) || '__tool' || t, 'tools/call',
           case when u < 0.02 then 'error' when u < 0.025 then 'timeout' else 'ok' end,
           exp(ln(1 + t * t) + 0.6 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())),
           case when u < 0.02 then 'upstream error ' || (i % 5) when u < 0.025 then 'timed out' end
    from (select i, ((i::bigint * 7919) % ${TOOLS})::int as t, random() as u from generate_series(0, ${n - 1}) as i) g`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-gw-metrics-bench-'));
  const db = await openDatabase({ dataDir: dir, secretKey: randomBytes(32) });
  const benchStart = performance.now();
  try {
    const end = Math.floor(Date.now() / HOUR) * HOUR;
    await db.partitions.ensure(new Date(end - 45 * DAY), 'monthly', 3);
    const ids = { presets: [] as string[], servers: [] as string[] };
    for (let s = 0; s < SERVERS; s++) {
      const [row] = await executeRows<{ id: string }>(
        db.db,
        sql`insert into mcp_servers (owner_id, name, transport, command, env, headers) values ('bench', ${`s${s}`}, 'stdio', 'node', 'v1.x', 'v1.x') returning id`,
      );
      ids.servers.push(row!.id);
    }
    for (let p = 0; p < PRESETS; p++) {
      const [row] = await executeRows<{ id: string }>(db.db, sql`insert into presets (owner_id, slug, name) values ('bench', ${`p${p}`}, ${`P${p}`}) returning id`);
      ids.presets.push(row!.id);
    }

    // 1. Ingest through the recorder's path (json_populate_recordset, 1,000 rows a statement).
    section('ingest (PGlite in a worker thread, on disk)');
    const ingestN = 200_000;
    const events: MetricEvent[] = Array.from({ length: ingestN }, (_, i) => ({
      ts: new Date(end - 35 * DAY + i * 10),
      presetId: ids.presets[i % PRESETS]!,
      serverId: ids.servers[i % SERVERS]!,
      toolName: `s${i % SERVERS}__tool${i % TOOLS}`,
      eventType: 'tools/call',
      status: i % 50 === 0 ? 'error' : 'ok',
      latencyMs: 1 + (i % 997) / 10,
      errorMessage: i % 50 === 0 ? 'boom' : null,
      sessionId: 'bench-session',
      metadata: null,
    }));
    let t = performance.now();
    for (let i = 0; i < ingestN; i += 1000) await db.metrics.insertBatch(events.slice(i, i + 1000));
    add('insertBatch, 200k events in 1,000-event batches', `${num(ingestN / ((performance.now() - t) / 1000))} events/s`);
    const recorder = new MetricsRecorder({ flushMs: 1000, flushEvents: 1000, maxBuffered: 1_000_000, write: (b) => db.metrics.insertBatch(b) });
    t = performance.now();
    for (const e of events) recorder.record({ ...e, ts: new Date(e.ts.getTime() + 1) });
    const recordMs = performance.now() - t;
    await recorder.stop();
    add('MetricsRecorder.record (the call path), per event', `${((recordMs * 1000) / ingestN).toFixed(3)} µs`);
    add('MetricsRecorder: 200k recorded → all written', `${num(ingestN / ((performance.now() - t) / 1000))} events/s`);
    await db.rollups.run({ now: new Date(end) });

    // 2. One hour with 1M events.
    section(`rollup of one hour with ${num(HOUR_EVENTS)} events`);
    const hourStart = end - 40 * DAY;
    t = performance.now();
    for (let done = 0; done < HOUR_EVENTS; done += 250_000) {
      await generate(db, ids, hourStart + (done / HOUR_EVENTS) * HOUR, (Math.min(250_000, HOUR_EVENTS - done) / HOUR_EVENTS) * HOUR, Math.min(250_000, HOUR_EVENTS - done));
    }
    add('generate (INSERT … SELECT generate_series)', `${ms(performance.now() - t)} (${num(HOUR_EVENTS / ((performance.now() - t) / 1000))} rows/s)`);
    t = performance.now();
    const run = await db.rollups.run({ now: new Date(end), chunkIds: 250_000 });
    add('incremental rollup (id watermark, 250k-id transactions)', `${ms(performance.now() - t)} for ${num(run.events)} events, ${run.chunks} chunks`);
    t = performance.now();
    await db.rollups.rerollHours(new Date(hourStart), new Date(hourStart + HOUR));
    add('re-roll of that hour from raw (idempotent overwrite)', ms(performance.now() - t));
    const [hourRows] = await executeRows<{ n: number }>(db.db, sql`select count(*)::int as n from metrics_hourly where hour = ${new Date(hourStart).toISOString()}::timestamptz`);
    add('hourly rows for that hour (preset × server × tool)', String(hourRows?.n));

    // 3. 30 days of raw events, generated day by day within the time budget.
    section('30 days of raw events');
    const perDay = Math.ceil(TARGET_EVENTS / 30);
    let generated = 0;
    let days = 0;
    t = performance.now();
    // Newest day first: if the budget runs out, the oldest days are the ones missing.
    while (days < 30 && performance.now() - t < GEN_BUDGET_MS) {
      await generate(db, ids, end - (days + 1) * DAY, DAY, perDay);
      generated += perDay;
      days++;
      process.stderr.write(`  generated day ${days}/30 (${num(generated)} events, ${((performance.now() - t) / 1000).toFixed(0)} s)\n`);
    }
    const genMs = performance.now() - t;
    add('raw events generated', `${num(generated)} over the last ${days} days${days < 30 ? ` (budget of ${GEN_BUDGET_MS / 1000} s reached)` : ''}`);
    add('generation rate (inside the database)', `${num(generated / (genMs / 1000))} rows/s`);
    t = performance.now();
    const bigRun = await db.rollups.run({ now: new Date(end) });
    const rollMs = performance.now() - t;
    add('rollup of all of it (incremental, 200k-id chunks)', `${ms(rollMs)} (${num(bigRun.events / (rollMs / 1000))} events/s)`);
    t = performance.now();
    await db.rollups.vacuum();
    await db.partitions.analyzeRecent(new Date(end));
    for (const p of await db.partitions.list()) await db.db.execute(sql.raw(`analyze "${p.name}"`));
    add('vacuum + analyze (maintenance)', ms(performance.now() - t));

    section('dashboard queries over 30 days (median of 5; rollups + raw edges)');
    const now = new Date(end);
    const from30 = new Date(end - 30 * DAY);
    // Some events in the current hour, as in real life (the raw tail above the watermark).
    await generate(db, ids, end, 20 * 60_000, 20_000);
    const q = db.metricsQueries;
    add('p95 of one tool, last 30 days', ms(await timeIt(() => q.summary({ groupBy: 'tool', toolName: 's3__tool11', from: from30, to: now }))));
    add('all tools (p50/p95/p99, calls, errors), 30 days', ms(await timeIt(() => q.summary({ groupBy: 'tool', from: from30, to: now }))));
    add('by preset, 30 days', ms(await timeIt(() => q.summary({ groupBy: 'preset', from: from30, to: now }))));
    add('same, range not hour-aligned (raw edges)', ms(await timeIt(() => q.summary({ groupBy: 'preset', from: new Date(from30.getTime() + 1_234_567), to: new Date(end - 987_654) }))));
    add('time series: daily step, by tool (24 × 30 points)', ms(await timeIt(() => q.timeseries({ groupBy: 'tool', from: from30, to: now, stepSeconds: 86_400 }))));
    add('time series: hourly step, one preset (720 points)', ms(await timeIt(() => q.timeseries({ groupBy: 'none', presetId: ids.presets[1], from: from30, to: now, stepSeconds: 3600 }))));
    add('time series: hourly step, by tool, last 24 h', ms(await timeIt(() => q.timeseries({ groupBy: 'tool', from: new Date(end - DAY), to: now, stepSeconds: 3600 }))));
    add('time series: minute step from raw, last 2 h', ms(await timeIt(() => q.timeseries({ groupBy: 'none', from: new Date(end - 2 * HOUR), to: now, stepSeconds: 60 }))));
    add('slowest tools, 30 days', ms(await timeIt(() => q.slowest({ from: from30, to: now, limit: 10, by: 'p95', minCalls: 1 }))));
    add('error breakdown incl. top messages (raw, partial index), 30 days', ms(await timeIt(() => q.errors({ groupBy: 'tool', from: from30, to: now, limit: 20 }), 3)));
    t = performance.now();
    await executeRows(
      db.db,
      sql`select percentile_cont(0.95) within group (order by latency_ms) from metrics_events
          where tool_name = 's3__tool11' and ts >= ${from30.toISOString()}::timestamptz and ts < ${now.toISOString()}::timestamptz`,
    );
    add('for comparison: exact percentile_cont, one tool, 30 days raw', ms(performance.now() - t));

    // 4. Sizes.
    section('table and index sizes');
    const [sizes] = await executeRows<{ heap: number; idx: number; n: number }>(
      db.db,
      sql`select sum(pg_table_size(c.oid))::float8 as heap, sum(pg_indexes_size(c.oid))::float8 as idx, sum(c.reltuples)::float8 as n
          from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'metrics_events'::regclass`,
    );
    add('metrics_events (all partitions): table', `${mb(sizes!.heap)} (${(sizes!.heap / sizes!.n).toFixed(0)} B/event, ~${num(sizes!.n)} rows)`);
    add('metrics_events: 5 indexes', `${mb(sizes!.idx)} (${(sizes!.idx / sizes!.n).toFixed(0)} B/event)`);
    for (const table of ['metrics_hourly', 'metrics_daily']) {
      const [r] = await executeRows<{ heap: number; idx: number; n: number; avg: number }>(
        db.db,
        sql`select pg_table_size(${table}::regclass)::float8 as heap, pg_indexes_size(${table}::regclass)::float8 as idx,
                   (select count(*) from ${sql.raw(table)})::float8 as n,
                   (select avg(length(histogram)) from ${sql.raw(table)})::float8 as avg`,
      );
      add(`${table}: table / indexes`, `${mb(r!.heap)} / ${mb(r!.idx)} (${num(r!.n)} rows, histogram avg ${r!.avg.toFixed(0)} B)`);
    }

    // 5. The write test.
    section(`write test: ${num(WRITE_RATE)} calls/s for ${WRITE_SECONDS} s (rollup every 60 s, a dashboard query every 15 s)`);
    await writeTest(db, ids);
    add('total bench time', `${((performance.now() - benchStart) / 1000).toFixed(0)} s`);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
  printTable('Metrics pipeline (PGlite 0.5.17 in a worker thread; 2 shared cores)', rows);
}

async function writeTest(db: Database, ids: { presets: string[]; servers: string[] }): Promise<void> {
  const flushes: Array<FlushInfo & { at: number }> = [];
  const recorder = new MetricsRecorder({
    flushMs: 1000,
    flushEvents: 1000,
    maxBuffered: 100_000,
    write: (batch) => db.metrics.insertBatch(batch),
    onFlush: (info) => flushes.push({ ...info, at: performance.now() }),
  });
  recorder.start();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const windowS = 15;
  const windows: Array<{ loopP99: number; loopMax: number; maxQueue: number }> = [];
  let started = performance.now();
  let sent = 0;
  let maxQueue = 0;
  let busy = false;
  let queries = 0;
  let queryMs = 0;
  const background: Array<Promise<unknown>> = [];
  const rollupRuns: string[] = [];
  // The noise floor: the main thread's event-loop delay with nothing of ours running.
  const idle = monitorEventLoopDelay({ resolution: 10 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  idle.disable();
  add('main-thread loop delay p99 while idle (noise floor of this machine)', ms(idle.percentile(99) / 1e6));
  loop.enable();
  started = performance.now();
  await new Promise<void>((resolve) => {
    // Calls are recorded in 10 ms slices at the target rate, as a steady stream of requests would.
    const producer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(WRITE_RATE * WRITE_SECONDS, Math.floor((elapsed / 1000) * WRITE_RATE));
      for (; sent < due; sent++) {
        recorder.record({
          ts: new Date(),
          presetId: ids.presets[sent % PRESETS]!,
          serverId: ids.servers[sent % SERVERS]!,
          toolName: `s${sent % SERVERS}__tool${sent % TOOLS}`,
          eventType: 'tools/call',
          status: sent % 100 === 0 ? 'error' : 'ok',
          latencyMs: 0.5 + (sent % 200) / 10,
          errorMessage: sent % 100 === 0 ? 'boom' : null,
          sessionId: null,
          metadata: null,
        });
      }
      const s = recorder.stats();
      maxQueue = Math.max(maxQueue, s.queueDepth + s.inFlight);
      if (elapsed >= (windows.length + 1) * windowS * 1000) {
        windows.push({ loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, maxQueue });
        loop.reset();
        maxQueue = 0;
      }
      if (sent >= WRITE_RATE * WRITE_SECONDS) {
        clearInterval(producer);
        clearInterval(rollup);
        clearInterval(dashboard);
        resolve();
      }
    }, 10);
    const rollup = setInterval(() => {
      if (busy) return;
      busy = true;
      const t = performance.now();
      background.push(
        db.rollups
          .run({ now: new Date() })
          .then((r) => rollupRuns.push(`${num(r.events)} events in ${ms(performance.now() - t)}`))
          .finally(() => (busy = false)),
      );
    }, 60_000);
    const dashboard = setInterval(() => {
      const t = performance.now();
      background.push(
        db.metricsQueries.summary({ groupBy: 'tool', from: new Date(Date.now() - 30 * DAY), to: new Date() }).then(() => {
          queries++;
          queryMs += performance.now() - t;
        }),
      );
    }, 15_000);
  });
  loop.disable();
  await Promise.allSettled(background);
  const stopT = performance.now();
  await recorder.stop();
  const stats = recorder.stats();
  add('events recorded / written / dropped', `${num(stats.recorded)} / ${num(stats.written)} / ${num(stats.dropped)}`);
  add('final flush on stop', ms(performance.now() - stopT));
  windows.forEach((w, i) => {
    const inWindow = flushes.filter((f) => f.at - started >= i * windowS * 1000 && f.at - started < (i + 1) * windowS * 1000);
    const lat = inWindow.map((f) => f.ms);
    add(
      `  ${String(i * windowS).padStart(3)}–${String((i + 1) * windowS).padEnd(3)} s`,
      `${inWindow.length} flushes of ~${num(quantile(inWindow.map((f) => f.events), 0.5))} events; flush p50 ${ms(quantile(lat, 0.5))}, max ${ms(Math.max(...lat))}; queue max ${num(w.maxQueue)}; main-thread loop delay p99 ${ms(w.loopP99)}`,
    );
  });
  const firstHalf = flushes.filter((f) => f.at - started < (WRITE_SECONDS * 1000) / 2).map((f) => f.ms);
  const secondHalf = flushes.filter((f) => f.at - started >= (WRITE_SECONDS * 1000) / 2).map((f) => f.ms);
  add('flush p50, first half → second half', `${ms(quantile(firstHalf, 0.5))} → ${ms(quantile(secondHalf, 0.5))}`);
  add('dashboard query during the test (30-day summary)', queries > 0 ? `${queries} runs, avg ${ms(queryMs / queries)}` : 'none');
  add('rollup runs during the test', rollupRuns.join('; ') || 'none');
}

function printTable(title: string, table: Row[]): void {
  const width = Math.max(...table.map(([label]) => label.length));
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
  for (const [label, value] of table) process.stdout.write(value === '' ? `\n${label}\n` : `${label.padEnd(width)}  ${value}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
