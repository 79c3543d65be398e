import { randomUUID } from 'node:crypto';
import { SseStream } from './sse.js';
import { RpcError, JSONRPC } from '../upstream/json-rpc-peer.js';

export type JsonRpcId = string | number;

interface PendingClientRequest {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

/** Session-stream event ids are "s<n>", apart from the per-request streams' plain counters. */
const STREAM_EVENT_PREFIX = 's';
/** What a session keeps for resumption: notifications are small, so this is minutes of them. */
const REPLAY_MAX_EVENTS = 200;
const REPLAY_MAX_BYTES = 256 * 1024;

function parseStreamEventId(id: string): number | null {
  const match = /^s(\d{1,15})$/.exec(id.trim());
  return match ? Number(match[1]) : null;
}

/** Log levels in increasing severity (RFC 5424 names, as MCP uses them). */
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** The most verbose of these levels (an unknown name asks for everything: debug). */
export function mostVerboseLevel(levels: string[]): string {
  let best = LOG_LEVELS.length - 1;
  for (const level of levels) {
    const index = LOG_LEVELS.indexOf(level);
    best = Math.min(best, index < 0 ? 0 : index);
  }
  return LOG_LEVELS[best]!;
}

/**
 * One downstream client session of one preset. 2025 clients get one from `initialize` (its id
 * travels in `Mcp-Session-Id`); 2026-07-28 clients are stateless and get a throwaway one per request.
 */
export class DownstreamSession {
  readonly id: string;
  lastSeen = Date.now();
  /** The client's GET stream (Streamable HTTP) or its legacy SSE stream, for messages not tied to a request. */
  stream: SseStream | null = null;
  logLevel: string | null = null;
  /** Hash of the bearer token that opened the session (null: anonymous), for per-token caps. */
  principal: string | null = null;
  readonly subscriptions = new Set<string>();
  /** Client request id → controller that aborts the upstream call (notifications/cancelled). */
  readonly inflight = new Map<JsonRpcId, AbortController>();
  private readonly pendingClientRequests = new Map<JsonRpcId, PendingClientRequest>();
  private nextRequestId = 1;
  /** Ids of the messages pushed on the session stream ("s1", "s2", …), and the latest ones kept for resumption. */
  private nextEventId = 1;
  private readonly replayLog: Array<{ id: string; data: string }> = [];
  private replayBytes = 0;

  constructor(
    readonly slug: string,
    public protocolVersion: string,
    public clientCapabilities: Record<string, unknown>,
    public clientInfo: Record<string, unknown>,
    readonly stateless = false,
  ) {
    this.id = randomUUID();
  }

  /**
   * Sends a message not tied to a request on the session's stream. Stateful sessions keep the
   * latest ones (bounded) so a client whose stream dropped gets what it missed when it reconnects
   * with Last-Event-ID, including what was sent while it had no stream open.
   */
  push(message: unknown): boolean {
    const data = JSON.stringify(message);
    const id = `${STREAM_EVENT_PREFIX}${this.nextEventId++}`;
    if (!this.stateless) this.remember(id, data);
    if (!this.stream || this.stream.isClosed) return false;
    this.stream.event('message', data, id);
    return true;
  }

  /**
   * Replays onto the current stream what was pushed after `lastEventId` (a Last-Event-ID header).
   * Returns how many messages were replayed; an id this session never issued replays nothing.
   */
  resume(lastEventId: string): number {
    const after = parseStreamEventId(lastEventId);
    if (after === null || after >= this.nextEventId || !this.stream) return 0;
    let replayed = 0;
    for (const kept of this.replayLog) {
      if (parseStreamEventId(kept.id)! <= after) continue;
      this.stream.event('message', kept.data, kept.id);
      replayed++;
    }
    return replayed;
  }

  private remember(id: string, data: string): void {
    this.replayLog.push({ id, data });
    this.replayBytes += data.length;
    while (this.replayLog.length > REPLAY_MAX_EVENTS || (this.replayBytes > REPLAY_MAX_BYTES && this.replayLog.length > 1)) {
      this.replayBytes -= this.replayLog.shift()!.data.length;
    }
  }

  wantsLog(level: string): boolean {
    if (!this.logLevel) return false;
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.logLevel);
  }

  /** Sends a server→client request over `send` and waits for the client's answer (a later POST). */
  requestClient(
    method: string,
    params: Record<string, unknown> | undefined,
    send: (message: unknown) => void,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const id = `gw-${this.nextRequestId++}`;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.pendingClientRequests.delete(id);
        send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'upstream cancelled' } });
        reject(new RpcError(JSONRPC.REQUEST_CANCELLED, 'cancelled'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pendingClientRequests.set(id, {
        resolve: (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    });
  }

  /** A JSON-RPC response from the client; true when it answered one of our requests. */
  receiveResponse(message: { id?: unknown; result?: unknown; error?: unknown }): boolean {
    const pending = this.pendingClientRequests.get(message.id as JsonRpcId);
    if (!pending) return false;
    this.pendingClientRequests.delete(message.id as JsonRpcId);
    if (message.error) {
      const error = message.error as { code: number; message: string; data?: unknown };
      pending.reject(new RpcError(error.code, error.message, error.data));
    } else {
      pending.resolve((message.result ?? {}) as Record<string, unknown>);
    }
    return true;
  }

  close(): void {
    for (const controller of this.inflight.values()) controller.abort();
    this.inflight.clear();
    const error = new RpcError(JSONRPC.REQUEST_CANCELLED, 'client session closed');
    for (const pending of this.pendingClientRequests.values()) pending.reject(error);
    this.pendingClientRequests.clear();
    this.stream?.end();
    this.stream = null;
  }
}

/** Live sessions by id, with idle expiry and a cap so abandoned sessions cannot pile up. */
export class SessionStore {
  private readonly sessions = new Map<string, DownstreamSession>();
  private readonly bySlug = new Map<string, Set<DownstreamSession>>();
  private sweeper: NodeJS.Timeout;

  constructor(
    private readonly idleMs = 60 * 60_000,
    private readonly maxSessions = 10_000,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(idleMs, 60_000));
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  add(session: DownstreamSession): void {
    if (this.sessions.size >= this.maxSessions) this.evictOldest();
    this.sessions.set(session.id, session);
    let set = this.bySlug.get(session.slug);
    if (!set) this.bySlug.set(session.slug, (set = new Set()));
    set.add(session);
  }

  get(id: string): DownstreamSession | undefined {
    const session = this.sessions.get(id);
    if (session) session.lastSeen = Date.now();
    return session;
  }

  /** Slugs that have at least one live session. */
  slugs(): Iterable<string> {
    return [...this.bySlug.entries()].filter(([, set]) => set.size > 0).map(([slug]) => slug);
  }

  countFor(principal: string): number {
    let count = 0;
    for (const session of this.sessions.values()) if (session.principal === principal) count++;
    return count;
  }

  hasSlug(slug: string): boolean {
    return (this.bySlug.get(slug)?.size ?? 0) > 0;
  }

  ofSlug(slug: string): Iterable<DownstreamSession> {
    return this.bySlug.get(slug) ?? [];
  }

  delete(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.sessions.delete(id);
    this.bySlug.get(session.slug)?.delete(session);
    session.close();
    return true;
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.delete(id);
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const session of this.sessions.values()) {
      const streaming = session.stream && !session.stream.isClosed;
      if (session.lastSeen < cutoff && !streaming && session.inflight.size === 0) this.delete(session.id);
    }
  }

  private evictOldest(): void {
    let oldest: DownstreamSession | undefined;
    for (const session of this.sessions.values()) if (!oldest || session.lastSeen < oldest.lastSeen) oldest = session;
    if (oldest) this.delete(oldest.id);
  }
}
