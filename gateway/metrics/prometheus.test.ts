import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { MetricEvent, MetricStatus } from '../db/records.js';
import { GatewayMetrics, httpRoute } from './prometheus.js';

const PRESET = '11111111-1111-4111-8111-111111111111';
const SERVER = '22222222-2222-4222-8222-222222222222';

const call = (tool: string, status: MetricStatus, latencyMs: number, over: Partial<MetricEvent> = {}): MetricEvent => ({
  ts: new Date(),
  presetId: PRESET,
  serverId: SERVER,
  toolName: tool,
  eventType: 'tools/call',
  status,
  latencyMs,
  errorMessage: null,
  sessionId: null,
  metadata: null,
  ...over,
});

function sample(): GatewayMetrics {
  const m = new GatewayMetrics({ maxToolLabelSets: 4 });
  m.setSources({
    names: async () => ({ presets: new Map([[PRESET, 'dev']]), servers: new Map([[SERVER, 'fx']]) }),
    upstreams: () => [
      { server: 'fx', state: 'ready', restarts: 2, breaker: 'closed' },
      { server: 'web "quoted"', state: 'failed', restarts: 7 },
    ],
    caches: () => [{ cache: 'preset_views', hits: 40, misses: 3, entries: 2 }],
    recorder: () => ({
      queueDepth: 12,
      inFlight: 3,
      maxBuffered: 100_000,
      recorded: 120,
      written: 100,
      dropped: 5,
      failedWrites: 1,
      flushes: 9,
      lastFlushMs: 4,
      lastFlushAt: new Date(),
    }),
    rollup: () => ({ pending: 42, lastRunAt: new Date() }),
  });
  m.observeEvent(call('fx__echo', 'ok', 0.3));
  m.observeEvent(call('fx__echo', 'ok', 3));
  m.observeEvent(call('fx__echo', 'error', 700));
  m.observeEvent(call('fx__slow', 'timeout', 30_000));
  m.observeEvent(call('fx__gone', 'rejected', 0, { serverId: null }));
  m.observeEvent(call('', 'ok', 0.01, { eventType: 'tools/list', toolName: null, serverId: null }));
  m.observeHttp('/mcp/:slug', 'POST', 200, 0.0012);
  m.observeHttp('/api/events', 'GET', 200, null);
  m.observeHttp('/mcp/:slug', 'BREW', 405, 0.0001);
  m.observeDbQuery('insert', 3, true);
  m.observeDbQuery('vacuum', 30, false);
  m.observeFlush({ events: 100, ms: 5, ok: true });
  m.observeRollup(120, true, 1000);
  return m;
}

const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

describe('Prometheus exposition', () => {
  it('exposes tool calls by preset/server/tool/status with names, as a counter and a histogram', async () => {
    const text = await sample().text();
    expect(line(text, 'mcp_gateway_tool_calls_total{preset="dev",server="fx",tool="fx__echo",status="ok"}')).toMatch(/ 2$/);
    expect(line(text, 'mcp_gateway_tool_calls_total{preset="dev",server="none",tool="fx__gone",status="rejected"}')).toMatch(/ 1$/);
    // cumulative buckets: 0.3 ms and 3 ms are <= 5 ms; the 700 ms error is its own series
    expect(line(text, 'mcp_gateway_tool_calls_duration_seconds_bucket{preset="dev",server="fx",tool="fx__echo",status="ok",le="0.0005"}')).toMatch(/ 1$/);
    expect(line(text, 'mcp_gateway_tool_calls_duration_seconds_bucket{preset="dev",server="fx",tool="fx__echo",status="ok",le="0.005"}')).toMatch(/ 2$/);
    expect(line(text, 'mcp_gateway_tool_calls_duration_seconds_bucket{preset="dev",server="fx",tool="fx__echo",status="ok",le="+Inf"}')).toMatch(/ 2$/);
    expect(line(text, 'mcp_gateway_tool_calls_duration_seconds_count{preset="dev",server="fx",tool="fx__slow",status="timeout"}')).toMatch(/ 1$/);
    expect(line(text, 'mcp_gateway_tool_calls_duration_seconds_sum{preset="dev",server="fx",tool="fx__slow",status="timeout"}')).toMatch(/ 30$/);
    expect(line(text, 'mcp_gateway_mcp_requests_total{preset="dev",method="tools/list",status="ok"}')).toMatch(/ 1$/);
    expect(text).toContain('mcp_gateway_http_requests_total{route="/mcp/:slug",method="POST",status="200"} 1');
    expect(text).toContain('mcp_gateway_http_requests_total{route="/mcp/:slug",method="other",status="405"} 1');
    expect(text).toContain('mcp_gateway_http_request_duration_seconds_count{route="/mcp/:slug",method="POST",status="200"} 1');
    expect(text).not.toContain('mcp_gateway_http_request_duration_seconds_count{route="/api/events"');
    expect(text).toContain('mcp_gateway_db_query_duration_seconds_count{op="insert",result="ok"} 1');
    expect(text).toContain('mcp_gateway_db_query_duration_seconds_count{op="other",result="error"} 1');
    expect(text).toContain('mcp_gateway_metrics_recorder_queue_depth 15');
    expect(text).toContain('mcp_gateway_metrics_recorder_dropped_total 5');
    expect(text).toContain('mcp_gateway_metrics_rollup_pending_events 42');
    expect(text).toContain('mcp_gateway_metrics_rolled_events_total 1000');
    expect(text).toContain('mcp_gateway_upstream_up{server="fx"} 1');
    expect(text).toContain('mcp_gateway_upstream_state{server="web \\"quoted\\"",state="failed"} 1');
    expect(text).toContain('mcp_gateway_upstream_restarts_total{server="web \\"quoted\\""} 7');
    expect(text).toContain('mcp_gateway_upstream_breaker_state{server="fx",state="closed"} 1');
    expect(text).not.toContain('mcp_gateway_upstream_breaker_state{server="web');
    expect(text).toContain('mcp_gateway_cache_hits_total{cache="preset_views"} 40');
    expect(text).toContain('mcp_gateway_cache_entries{cache="preset_views"} 2');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('bounds label cardinality: label sets beyond the cap fold into "other"', async () => {
    const m = new GatewayMetrics({ maxToolLabelSets: 3, processMetrics: false });
    for (let i = 0; i < 50; i++) {
      m.observeEvent(call(`tool_${i}`, 'ok', 1));
      m.observeEvent(call(`tool_${i}`, 'error', 1));
    }
    const text = await m.text();
    const series = text.split('\n').filter((l) => l.startsWith('mcp_gateway_tool_calls_total{'));
    expect(series).toHaveLength(4 * 2); // 3 tools + "other", each ok and error
    expect(text).toContain('mcp_gateway_tool_calls_total{preset="other",server="other",tool="other",status="ok"} 47');
    expect(text).toContain('mcp_gateway_metrics_tool_label_sets 3');
  });

  it('maps request paths to bounded route labels', () => {
    expect(httpRoute('/mcp/dev?x=1')).toBe('/mcp/:slug');
    expect(httpRoute('/api/servers.list')).toBe('/api/:method');
    expect(httpRoute('/api/events')).toBe('/api/events');
    expect(httpRoute('/messages/dev?sessionId=1')).toBe('/messages/:slug');
    expect(httpRoute('/metrics')).toBe('/metrics');
    expect(httpRoute('/wp-admin/../../etc/passwd')).toBe('other');
  });

  it('passes promtool check metrics (Debian package "prometheus")', async () => {
    const text = await sample().text();
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (result.error) throw new Error(`promtool is not installed (apt-get install -y prometheus): ${result.error.message}`);
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
    // And it can fail: a counter without _total is a lint error.
    const bad = spawnSync('promtool', ['check', 'metrics'], { input: '# HELP x_requests Requests.\n# TYPE x_requests counter\nx_requests 1\n', encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });
});
