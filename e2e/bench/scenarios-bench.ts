/**
 * The assessment's load scenarios (§8) against one gateway process: a stress ramp, the cache
 * test (100 clients over 10 popular presets) and 1,000 presets × 10 servers.
 */
import { startGateway, removeDir, type GatewayProcess } from '../support/gateway-process.js';
import { fixturePath } from '../support/paths.js';
import { LeanSession, keepAliveAgent } from './lean-client.js';
import { percentile, runLoad, rssMb } from './stats.js';
import { printRows } from './proxy-bench.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

interface CacheStats {
  views: { hits: number; misses: number; loads: number; size: number; bytes: number; hitRatio: number };
}

async function openSessions(urls: string[]): Promise<LeanSession[]> {
  const agent = keepAliveAgent(Math.max(1, urls.length));
  const list = urls.map((url) => new LeanSession(new URL(url), agent));
  for (const session of list) await session.initialize();
  return list;
}

async function stressRamp(gw: GatewayProcess): Promise<string[][]> {
  const rows: string[][] = [];
  for (const concurrency of [1, 10, 25, 50, 100, 200]) {
    const list = await openSessions(Array.from({ length: concurrency }, () => `${gw.url}/mcp/one`));
    const result = await runLoad(
      list.map((session) => async () => (await session.rpc('tools/call', { name: 'fx__echo', arguments: { text: 'x' } })).result !== undefined),
      { maxSeconds: Math.max(2, SECONDS / 2), maxCalls: 200_000, warmupCalls: 2 },
    );
    rows.push([`C=${concurrency}`, fmt(result.callsPerSecond, 0), fmt(result.p50, 3), fmt(result.p95), fmt(result.p99), String(result.errors), fmt(rssMb(gw.proc.pid ?? 0), 0)]);
  }
  return rows;
}

/** Zipf-like popularity: preset i gets weight 1/(i+1). */
function popularPreset(random: number, count: number): number {
  const weights = Array.from({ length: count }, (_, i) => 1 / (i + 1));
  let target = random * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < count; i++) {
    target -= weights[i] as number;
    if (target <= 0) return i;
  }
  return count - 1;
}

async function cacheScenario(gw: GatewayProcess): Promise<string[][]> {
  const before = await gw.api<CacheStats>('cache.stats');
  const urls = Array.from({ length: 100 }, () => `${gw.url}/mcp/pop-${popularPreset(Math.random(), 10)}`);
  const list = await openSessions(urls);
  let flip = 0;
  const result = await runLoad(
    list.map((session) => async () => {
      const answer = flip++ % 2 === 0 ? await session.rpc('tools/list') : await session.rpc('tools/call', { name: 'fx__echo', arguments: { text: 'x' } });
      return answer.result !== undefined;
    }),
    { maxSeconds: SECONDS, maxCalls: 200_000, warmupCalls: 0 },
  );
  const after = await gw.api<CacheStats>('cache.stats');
  const hits = after.views.hits - before.views.hits;
  const misses = after.views.misses - before.views.misses;
  return [
    ['requests', String(result.calls + list.length * 2)],
    ['view cache hit ratio', fmt(hits / Math.max(1, hits + misses), 4)],
    ['view loads (single-flight)', String(after.views.loads - before.views.loads)],
    ['p50 / p95 / p99 ms', `${fmt(result.p50, 3)} / ${fmt(result.p95)} / ${fmt(result.p99)}`],
    ['calls/s', fmt(result.callsPerSecond, 0)],
  ];
}

async function thousandPresets(gw: GatewayProcess): Promise<string[][]> {
  const servers = Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [`s${i}`, { command: process.execPath, args: [fixturePath, 'stdio', '--name', `s${i}`] }]),
  );
  const presets = Object.fromEntries(
    Array.from({ length: 1000 }, (_, i) => [
      `many-${i}`,
      { servers: Object.fromEntries(Object.keys(servers).map((name, j) => [name, j % 2 === i % 2 ? true : { tools: ['echo', 'add'] }])) },
    ]),
  );
  const applyStarted = performance.now();
  await gw.api('config.apply', { config: { servers, presets } });
  const applyMs = performance.now() - applyStarted;
  const rssAfterApply = rssMb(gw.proc.pid ?? 0);

  // Cold: first use of 200 different presets (each a view build from one query).
  const coldUrls = Array.from({ length: 200 }, (_, i) => `${gw.url}/mcp/many-${i * 5}`);
  const cold: number[] = [];
  const coldAgent = keepAliveAgent(1);
  for (const url of coldUrls) {
    const session = new LeanSession(new URL(url), coldAgent);
    const t0 = performance.now();
    await session.initialize(); // the first request of a preset loads its view (one query)
    await session.rpc('tools/list');
    cold.push(performance.now() - t0);
  }
  cold.sort((a, b) => a - b);
  // Warm: 50 clients spread over all 1,000 presets.
  const list = await openSessions(Array.from({ length: 50 }, (_, i) => `${gw.url}/mcp/many-${(i * 37) % 1000}`));
  const warm = await runLoad(
    list.map((session) => async () => (await session.rpc('tools/call', { name: 's3__echo', arguments: { text: 'x' } })).result !== undefined),
    { maxSeconds: SECONDS, maxCalls: 200_000, warmupCalls: 2 },
  );
  const stats = await gw.api<CacheStats>('cache.stats');
  return [
    ['apply 10 servers + 1,000 presets (one transaction)', `${fmt(applyMs, 0)} ms`],
    ['initialize + tools/list on first use of a preset, p50 / p95 (view load)', `${fmt(percentile(cold, 50))} / ${fmt(percentile(cold, 95))} ms`],
    ['tools/call over 50 presets, C=50: calls/s, p95', `${fmt(warm.callsPerSecond, 0)}/s, ${fmt(warm.p95)} ms`],
    ['cached views / bytes', `${stats.views.size} / ${Math.round(stats.views.bytes / 1024)} KB`],
    ['gateway RSS after apply / after load', `${fmt(rssAfterApply, 0)} / ${fmt(rssMb(gw.proc.pid ?? 0), 0)} MB`],
  ];
}

export async function runScenariosBench(): Promise<void> {
  let gw: GatewayProcess | undefined;
  try {
    gw = await startGateway();
    await gw.api('config.apply', {
      config: {
        servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio', '--tools', '20'] } },
        presets: {
          one: { servers: { fx: true } },
          ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`pop-${i}`, { servers: { fx: { tools: ['echo', `filler_${i}`, `filler_${i + 10}`] } } }])),
        },
      },
    });
    printRows('Stress ramp: tools/call echo through the gateway', ['concurrency', 'calls/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'RSS MB'], await stressRamp(gw));
    printRows('Cache test: 100 clients over 10 popular presets (zipf)', ['measure', 'value'], await cacheScenario(gw));
    printRows('1,000 presets × 10 servers', ['measure', 'value'], await thousandPresets(gw));
  } finally {
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runScenariosBench();
