import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { CallOrigin } from '../upstream/connection.js';
import { JSONRPC, RpcError } from '../upstream/json-rpc-peer.js';

/**
 * Multi round-trip requests (2026-07-28) for stateless clients in front of upstreams that still
 * send server-initiated requests (sampling, elicitation, roots): the upstream call stays open in
 * the gateway, the client gets `resultType: "input_required"` with the requests and a sealed
 * `requestState`, and its retry carrying `inputResponses` answers the upstream and continues.
 * The state names an exchange held by this process (a retry reaching another instance is told
 * to call again); it is bound to the caller, the method and the target, and expires.
 */
export type Outcome = { kind: 'done'; result: Record<string, unknown> } | { kind: 'input'; requests: Record<string, { method: string; params?: Record<string, unknown> }> };

interface AskedRequest {
  method: string;
  params: Record<string, unknown> | undefined;
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

export class Exchange {
  readonly id = randomUUID();
  /** performance.now() of the first round: the call's latency counts from there. */
  readonly startedAt = performance.now();
  private readonly asked = new Map<string, AskedRequest>();
  private nextKey = 1;
  private outcome: { result: Record<string, unknown> } | { error: unknown } | null = null;
  private wake: (() => void) | null = null;
  readonly origin: CallOrigin;

  constructor(
    readonly binding: string,
    public expiresAt: number,
    readonly controller: AbortController,
    canAnswer: (method: string) => boolean,
  ) {
    this.origin = {
      onServerRequest: (method, params, signal) =>
        new Promise((resolve, reject) => {
          const key = `input-${this.nextKey++}`;
          this.asked.set(key, { method, params, resolve, reject });
          signal.addEventListener('abort', () => {
            this.asked.delete(key);
            reject(new RpcError(JSONRPC.REQUEST_CANCELLED, 'cancelled'));
          }, { once: true });
          this.poke();
        }),
      canAnswer,
    };
  }

  /** Follows the upstream call it was started with. */
  track(call: Promise<Record<string, unknown>>): void {
    call.then(
      (result) => (this.outcome = { result }),
      (error: unknown) => (this.outcome = { error }),
    ).finally(() => this.poke());
  }

  /** Answers the upstream's waiting requests with the client's responses (unknown keys are ignored). */
  answer(responses: Record<string, unknown>): void {
    for (const [key, response] of Object.entries(responses)) {
      const asked = this.asked.get(key);
      if (!asked || typeof response !== 'object' || response === null || Array.isArray(response)) continue;
      this.asked.delete(key);
      asked.resolve(response as Record<string, unknown>);
    }
  }

  /** Waits until the call ends or the upstream waits for input (requests arriving together are sent together). */
  async next(): Promise<Outcome> {
    for (;;) {
      if (this.outcome) {
        if ('error' in this.outcome) throw this.outcome.error;
        return { kind: 'done', result: this.outcome.result };
      }
      if (this.asked.size > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.outcome) continue;
        const requests: Record<string, { method: string; params?: Record<string, unknown> }> = {};
        for (const [key, asked] of this.asked) requests[key] = asked.params === undefined ? { method: asked.method } : { method: asked.method, params: asked.params };
        return { kind: 'input', requests };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Ends the exchange: the upstream call is cancelled if still running. */
  abandon(reason: string): void {
    const error = new RpcError(JSONRPC.REQUEST_CANCELLED, reason);
    for (const asked of this.asked.values()) asked.reject(error);
    this.asked.clear();
    this.controller.abort();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

export interface MrtrOptions {
  /** How long a client has to retry with the answers (ms). */
  ttlMs: number;
  /** Exchanges held at most (the oldest are abandoned beyond it). */
  maxExchanges: number;
}

export class MrtrBroker {
  private readonly exchanges = new Map<string, Exchange>();
  private readonly key = randomBytes(32);
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly options: MrtrOptions = { ttlMs: 5 * 60_000, maxExchanges: 1_000 }) {
    this.sweep = setInterval(() => this.expire(Date.now()), 30_000);
    this.sweep.unref();
  }

  /** A new exchange for a call by `principal` of `method` on `target`. */
  open(principal: string | null, method: string, target: string, controller: AbortController, canAnswer: (method: string) => boolean): Exchange {
    while (this.exchanges.size >= this.options.maxExchanges) {
      const oldest = this.exchanges.values().next().value as Exchange;
      this.close(oldest, 'too many calls waiting for input');
    }
    const exchange = new Exchange(bindingOf(principal, method, target), Date.now() + this.options.ttlMs, controller, canAnswer);
    this.exchanges.set(exchange.id, exchange);
    return exchange;
  }

  /** The sealed requestState a client echoes back to continue `exchange`. */
  seal(exchange: Exchange): string {
    exchange.expiresAt = Date.now() + this.options.ttlMs;
    const body = Buffer.from(JSON.stringify({ x: exchange.id, e: exchange.expiresAt })).toString('base64url');
    return `${body}.${this.mac(`${body}|${exchange.binding}`)}`;
  }

  /** The exchange a retry continues, or an error saying why it cannot be continued. */
  resume(requestState: unknown, principal: string | null, method: string, target: string): Exchange {
    const refuse = (why: string): never => {
      throw new RpcError(JSONRPC.INVALID_PARAMS, `requestState ${why}: call again without requestState and inputResponses`);
    };
    if (typeof requestState !== 'string') return refuse('must be the string this gateway sent');
    const [body, mac] = requestState.split('.');
    if (!body || !mac || !safeEqual(mac, this.mac(`${body}|${bindingOf(principal, method, target)}`))) return refuse('is not valid for this call');
    let claims: { x?: unknown; e?: unknown };
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { x?: unknown; e?: unknown };
    } catch {
      return refuse('is not valid for this call');
    }
    if (typeof claims.e !== 'number' || claims.e < Date.now()) return refuse('has expired');
    const exchange = typeof claims.x === 'string' ? this.exchanges.get(claims.x) : undefined;
    if (!exchange) return refuse('names a call this gateway no longer holds (it ended, expired, or another instance holds it)');
    return exchange;
  }

  close(exchange: Exchange, reason?: string): void {
    this.exchanges.delete(exchange.id);
    if (reason) exchange.abandon(reason);
  }

  stop(): void {
    clearInterval(this.sweep);
    for (const exchange of [...this.exchanges.values()]) this.close(exchange, 'gateway stopping');
  }

  private expire(now: number): void {
    for (const exchange of [...this.exchanges.values()]) if (exchange.expiresAt < now) this.close(exchange, 'no retry with the requested input in time');
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

function bindingOf(principal: string | null, method: string, target: string): string {
  return JSON.stringify([principal ?? '', method, target]);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
