/** The downstream call behind an upstream request: where the upstream's own requests go back to. */
export interface CallOrigin {
  /** Handles a server→client request (sampling, elicitation, roots) raised during this call. */
  onServerRequest(method: string, params: Record<string, unknown> | undefined, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Whether this call's client can answer `method` at all (it declared the capability). */
  canAnswer?(method: string): boolean;
  /** Whether this call already waits on a server request (a tool asks one thing at a time). */
  busy?(): boolean;
}

/**
 * A shared stdio connection carries no hint of which call a sampling or elicitation request
 * belongs to. The best evidence, in order: the most recent in-flight call (`calls` is oldest
 * first) that is not already waiting on a server request and whose client can answer it; else
 * the most recent one not waiting (it will refuse what its client cannot answer); else the most
 * recent. Exact when one call is in flight.
 */
export function pickOrigin(calls: readonly CallOrigin[], method: string): CallOrigin | undefined {
  const free = calls.filter((call) => !(call.busy?.() ?? false));
  return free.findLast((call) => call.canAnswer?.(method) ?? true) ?? free.at(-1) ?? calls.at(-1);
}
