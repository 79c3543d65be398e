/**
 * Hot-path benchmark (not a test): the same fixture upstream served directly over the SDK's
 * Streamable HTTP transport, and over stdio behind the gateway, driven by one lean client in
 * one run. Prints p50/p95/p99, calls/s and RSS, and the ratio gateway ÷ direct.
 */
import type { ChildProcess } from 'node:child_process';
import { startGateway, removeDir, type GatewayProcess } from '../support/gateway-process.js';
import { fixturePath } from '../support/paths.js';
import { freePort, startProcess, stopProcess } from '../support/processes.js';
import { LeanSession, keepAliveAgent } from './lean-client.js';
import { dbChildRssMb, runLoad, rssMb, type LoadResult } from './stats.js';

const FILLER_TOOLS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const MAX_CALLS = 200_000;

export interface BenchTarget {
  label: string;
  url: string;
  pid: () => number[];
}

async function sessions(url: string, count: number): Promise<LeanSession[]> {
  const agent = keepAliveAgent(count);
  const list = Array.from({ length: count }, () => new LeanSession(new URL(url), agent));
  for (const session of list) await session.initialize();
  return list;
}

async function measure(url: string, concurrency: number, method: string, params: unknown): Promise<LoadResult> {
  const list = await sessions(url, concurrency);
  return runLoad(
    list.map((session) => async () => {
      const answer = await session.rpc(method, params);
      return answer.result !== undefined;
    }),
    { maxSeconds: SECONDS, maxCalls: MAX_CALLS },
  );
}

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function row(label: string, direct: LoadResult, gateway: LoadResult): string[] {
  return [
    label,
    `${fmt(direct.p50, 3)} / ${fmt(direct.p95)} / ${fmt(direct.p99)}`,
    `${fmt(gateway.p50, 3)} / ${fmt(gateway.p95)} / ${fmt(gateway.p99)}`,
    fmt(direct.callsPerSecond, 0),
    fmt(gateway.callsPerSecond, 0),
    `${fmt(gateway.callsPerSecond / direct.callsPerSecond)}x`,
    `${fmt(gateway.p50 - direct.p50, 3)} ms`,
    `${direct.errors}/${gateway.errors}`,
  ];
}

export function printRows(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

export async function runProxyBench(): Promise<void> {
  let direct: ChildProcess | undefined;
  let gw: GatewayProcess | undefined;
  try {
    const port = await freePort();
    direct = await startProcess(process.execPath, [fixturePath, 'http', String(port), '--tools', String(FILLER_TOOLS)], /listening/);
    const directUrl = `http://127.0.0.1:${port}/mcp`;
    gw = await startGateway();
    await gw.api('config.apply', {
      config: {
        servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio', '--tools', String(FILLER_TOOLS)] } },
        presets: { bench: { servers: { fx: { prefix: '' } } } },
      },
    });
    const gatewayUrl = `${gw.url}/mcp/bench`;
    const [probe] = await sessions(gatewayUrl, 1);
    const listBytes = JSON.stringify((await probe!.rpc('tools/list')).result).length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleRss = rssMb(gw.proc.pid ?? 0);
    const idleDbRss = dbChildRssMb(gw.proc.pid ?? 0);

    const echo = { name: 'echo', arguments: { text: 'hello' } };
    const rows: string[][] = [];
    for (const concurrency of [1, 10, 50]) {
      const d = await measure(directUrl, concurrency, 'tools/call', echo);
      const g = await measure(gatewayUrl, concurrency, 'tools/call', echo);
      rows.push(row(`tools/call echo, C=${concurrency}`, d, g));
    }
    for (const concurrency of [1, 10]) {
      const d = await measure(directUrl, concurrency, 'tools/list', {});
      const g = await measure(gatewayUrl, concurrency, 'tools/list', {});
      rows.push(row(`tools/list (${Math.round(listBytes / 1024)} KB), C=${concurrency}`, d, g));
    }
    printRows(
      `Gateway vs direct (${SECONDS}s per cell, latency ms p50 / p95 / p99)`,
      ['scenario', 'direct', 'gateway', 'direct/s', 'gateway/s', 'ratio', 'p50 added', 'errors d/g'],
      rows,
    );
    process.stdout.write(
      `\nRSS: gateway process idle ${fmt(idleRss, 0)} MB, after load ${fmt(rssMb(gw.proc.pid ?? 0), 0)} MB; ` +
        `its embedded-database process idle ${fmt(idleDbRss, 0)} MB, after load ${fmt(dbChildRssMb(gw.proc.pid ?? 0), 0)} MB; ` +
        `direct server after load ${fmt(rssMb(direct.pid ?? 0), 0)} MB\n`,
    );
  } finally {
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
    await stopProcess(direct);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runProxyBench();
