import { GatewayError } from '../../contract/index.js';
import type { MetricStatus } from '../../db/records.js';
import { RpcError, TimeoutError, toRpcError } from '../../upstream/json-rpc-peer.js';
import type { CallOrigin } from '../../upstream/connection.js';
import type { Handlers } from '../dispatcher.js';
import type { ApiContext } from '../context.js';

/** The Playground runs requests one at a time from a person: no sampling or elicitation there. */
const playgroundOrigin: CallOrigin = {
  onServerRequest: (method) =>
    Promise.reject(new RpcError(-32601, `the Playground cannot answer "${method}" requests; use an MCP client for this tool`)),
};

/**
 * `tools.call`: the Playground's call, routed exactly like an MCP client's `tools/call` on the
 * preset (same routing table, timeout and shared upstream connection) and recorded the same way,
 * so it shows on the Dashboard.
 */
export function toolHandlers(ctx: ApiContext): Pick<Handlers, 'tools.call'> {
  return {
    'tools.call': async ({ slug, name, arguments: args }) => {
      const view = await ctx.registry.get(slug);
      if (!view) throw new GatewayError('not_found', `no preset with slug "${slug}"`);
      const record = (serverId: string | null, status: MetricStatus, latencyMs: number, errorMessage: string | null): void =>
        ctx.recorder.record({
          ts: new Date(),
          presetId: view.preset.id,
          serverId,
          toolName: name,
          eventType: 'tools/call',
          status,
          latencyMs,
          errorMessage,
          sessionId: null,
          metadata: { source: 'playground' },
        });
      const route = view.toolRoutes.get(name);
      if (!route) {
        const server = view.unavailableTools.get(name);
        const error = server
          ? new GatewayError('unavailable', `tool "${name}" is unavailable: server "${server}" is ${view.unavailable.get(server) ?? 'down'}`)
          : new GatewayError('not_found', `preset "${slug}" has no tool "${name}"`);
        record(null, 'rejected', 0, error.message);
        throw error;
      }
      const { connection, upstreamName, timeoutMs } = route;
      const started = performance.now();
      const base = { serverName: connection.name, upstreamName };
      try {
        const result = await connection.request('tools/call', { name: upstreamName, arguments: args ?? {} }, { timeoutMs }, playgroundOrigin);
        const latencyMs = performance.now() - started;
        const isError = result['isError'] === true;
        record(connection.server.id, isError ? 'error' : 'ok', latencyMs, null);
        return { ...base, status: isError ? ('error' as const) : ('ok' as const), latencyMs, result, error: null };
      } catch (caught) {
        const latencyMs = performance.now() - started;
        const timedOut = caught instanceof TimeoutError;
        const rpc = toRpcError(caught);
        const message = timedOut ? `timed out after ${timeoutMs} ms (the call was cancelled upstream)` : rpc.message;
        record(connection.server.id, timedOut ? 'timeout' : 'error', latencyMs, message);
        return { ...base, status: timedOut ? ('timeout' as const) : ('error' as const), latencyMs, result: null, error: { code: rpc.code, message } };
      }
    },
  };
}
