import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { removeDir, startGatewayWithConfig, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { fixturePath } from './support/paths.js';

/** The metrics pipeline through the real CLI: recorder → rollups → admin reports and GET /metrics. */
describe('metrics pipeline', () => {
  let gw: GatewayProcess;
  let client: Client;

  beforeAll(async () => {
    gw = await startGatewayWithConfig({
      gateway: { metricsFlushMs: 100, metricsRollupIntervalMs: 300, metricsPartitionGranularity: 'daily', metricsRawRetention: '30 days' },
      servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } },
      presets: { mdev: { name: 'Metrics', visibility: 'public', servers: { fx: { toolTimeouts: { slow: 300 } } } } },
    });
    client = await connectClient(`${gw.url}/mcp/mdev`);
    for (let i = 0; i < 20; i++) await client.callTool({ name: 'fx__echo', arguments: { text: `hi ${i}` } });
    for (let i = 0; i < 3; i++) await client.callTool({ name: 'fx__slow', arguments: { ms: 40 } });
    await expect(client.callTool({ name: 'fx__slow', arguments: { ms: 5_000 } })).rejects.toThrow(/timed out/);
  });

  afterAll(async () => {
    await client?.close();
    expect(await gw?.stop()).toBe(0);
    await removeDir(gw.dataDir);
  });

  it('rolls the calls up and reports them over a range, by step, slowest first, with errors', async () => {
    // The last call's event may still be in the recorder's buffer (flushed every second).
    await expect
      .poll(async () => (await gw.api<{ recorder: { written: number } }>('metrics.recorderStats')).recorder.written, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(24);
    await expect
      .poll(async () => (await gw.api<{ rollup: { pendingEvents: number; lastId: number } }>('metrics.recorderStats')).rollup, { timeout: 10_000 })
      .toMatchObject({ pendingEvents: 0, lastId: expect.any(Number) });
    const stats = await gw.api<{ recorder: { written: number; dropped: number }; partitions: Array<{ name: string }> }>('metrics.recorderStats');
    expect(stats.recorder.written).toBeGreaterThanOrEqual(24);
    expect(stats.recorder.dropped).toBe(0);
    expect(stats.partitions.some((p) => /^metrics_events_\d{4}_\d{2}_\d{2}$/.test(p.name))).toBe(true);

    const series = await gw.api<{ stepSeconds: number; source: string; series: Array<{ key: string; points: Array<{ calls: number; p50: number | null }> }> }>(
      'metrics.timeseries',
      { groupBy: 'tool', from: new Date(Date.now() - 6 * 3600_000).toISOString(), stepSeconds: 3600 },
    );
    expect(series.source).toBe('rollups');
    const echo = series.series.find((s) => s.key === 'fx__echo');
    expect(echo?.points.reduce((n, p) => n + p.calls, 0)).toBe(20);

    const slowest = await gw.api<{ rows: Array<{ key: string; p95: number }> }>('metrics.slowest', { limit: 5 });
    expect(slowest.rows[0]?.key).toBe('fx__slow');
    expect(slowest.rows[0]!.p95).toBeGreaterThan(40);

    const errors = await gw.api<{ totals: { timeouts: number }; messages: Array<{ toolName: string; status: string; count: number }> }>('metrics.errors', {});
    expect(errors.totals.timeouts).toBe(1);
    expect(errors.messages).toEqual([expect.objectContaining({ toolName: 'fx__slow', status: 'timeout', count: 1 })]);

    const latency = await gw.api<{ rows: Array<{ key: string; calls: number }> }>('metrics.latency', { groupBy: 'tool' });
    expect(latency.rows.find((r) => r.key === 'fx__echo')?.calls).toBe(20);
  });

  it('serves GET /metrics in the Prometheus text format with named, bounded labels', async () => {
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^mcp_gateway_tool_calls_total\{preset="mdev",server="fx",tool="fx__echo",status="ok"\} 20$/m);
    expect(text).toMatch(/^mcp_gateway_tool_calls_total\{preset="mdev",server="fx",tool="fx__slow",status="timeout"\} 1$/m);
    expect(text).toMatch(/^mcp_gateway_http_requests_total\{route="\/mcp\/:slug",method="POST",status="200"\} \d+$/m);
    expect(text).toMatch(/^mcp_gateway_upstream_up\{server="fx"\} 1$/m);
    expect(text).toMatch(/^mcp_gateway_db_query_duration_seconds_count\{op="insert",result="ok"\} \d+$/m);
    expect(text).toMatch(/^mcp_gateway_cache_entries\{cache="preset_views"\} 1$/m);
    expect(text).toMatch(/^mcp_gateway_metrics_recorder_dropped_total 0$/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (check.error) throw new Error(`promtool is not installed (apt-get install -y prometheus): ${check.error.message}`);
    expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
    expect(check.status).toBe(0);
  });
});
