import { ConnectionLostError, JSONRPC, RpcError, TimeoutError } from './json-rpc-peer.js';
import type { CircuitBreaker } from './circuit-breaker.js';

/** How the supervisor and the breaker read the errors of an upstream call. */

/**
 * The spec answers an unknown session with 404; some popular servers answer 400 "No valid
 * session ID", so both count as "our upstream session is gone".
 */
/** The server is starting, restarting, failed or stopped: the supervisor's business, not the breaker's. */
export class NotReadyError extends RpcError {
  constructor(message: string, data: unknown) {
    super(JSONRPC.UPSTREAM_UNAVAILABLE, message, data);
  }
}

/**
 * Timeouts and transport errors (an HTTP upstream that does not answer) count; a JSON-RPC error
 * answer does not, and neither does a stdio process dying mid-call: the supervisor restarts
 * it, and an open breaker would only delay the calls that the fresh process could serve.
 */
export function countsAgainstBreaker(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  return !(error instanceof RpcError);
}

/** The server answered (with an error): it is alive. */
export function isAnswer(error: unknown): boolean {
  return (
    error instanceof RpcError &&
    !(error instanceof NotReadyError) &&
    !(error instanceof ConnectionLostError) &&
    error.code !== JSONRPC.REQUEST_CANCELLED
  );
}

export function isSessionExpired(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 404 || (code === 400 && typeof message === 'string' && /session/i.test(message));
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a call to a server with an open breaker gets at once, instead of waiting for a timeout. */
export function openCircuitError(server: string, breaker: CircuitBreaker): RpcError {
  const retryAt = breaker.retryAt;
  const wait = retryAt ? `; next try in ${Math.max(0, Math.ceil((retryAt - Date.now()) / 1000))} s` : '';
  return new RpcError(
    JSONRPC.UPSTREAM_UNAVAILABLE,
    `upstream server "${server}" is failing (circuit open after ${breaker.consecutiveFailures} consecutive failures${wait})`,
    { server, breaker: breaker.state },
  );
}
