import type { MetricEvent } from '../db/records.js';
import { IdLabeledCalls, NONE, type Names } from './prometheus-labels.js';

/**
 * Tool-call and MCP-request metrics, fed from the recorder's events (observed in batches on its
 * flush timer, never on the request path).
 */
/** Seconds: 0.5 ms … 60 s, the span of tool calls from a local stdio server to a slow remote one. */
export const TOOL_CALL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface CallMetrics {
  toolCalls: IdLabeledCalls;
  mcpRequests: IdLabeledCalls;
}

export function createCallMetrics(
  options: { maxToolLabelSets?: number | undefined; maxMethodLabelSets?: number | undefined },
  names: () => Promise<Names>,
): CallMetrics {
  const toolCalls = new IdLabeledCalls(
    'mcp_gateway_tool_calls',
    'Tool calls (tools/call)',
    ['preset', 'server', 'tool', 'status'],
    ['p', 's', 't', 't'],
    3,
    options.maxToolLabelSets ?? 500,
    TOOL_CALL_BUCKETS,
    names,
  );
  const mcpRequests = new IdLabeledCalls(
    'mcp_gateway_mcp_requests',
    'MCP requests other than tools/call (lists, prompts, resources)',
    ['preset', 'method', 'status'],
    ['p', 't', 't'],
    2,
    options.maxMethodLabelSets ?? 200,
    TOOL_CALL_BUCKETS,
    names,
  );
  return { toolCalls, mcpRequests };
}

/** One recorded MCP event (the recorder's `observe` hook). */
export function observeMetricEvent(calls: CallMetrics, event: MetricEvent): void {
  const seconds = event.latencyMs > 0 ? event.latencyMs / 1000 : 0;
  if (event.eventType === 'tools/call') {
    calls.toolCalls.observe([event.presetId ?? NONE, event.serverId ?? NONE, event.toolName ?? NONE, event.status], seconds);
  } else {
    calls.mcpRequests.observe([event.presetId ?? NONE, event.eventType, event.status], seconds);
  }
}
