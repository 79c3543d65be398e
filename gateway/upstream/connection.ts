import { EventEmitter } from 'node:events';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { ServerStatus, ServerState } from '../contract/index.js';
import type { ServerRecord } from '../db/records.js';
import { JsonRpcPeer, RpcError, JSONRPC, type PeerRequestOptions } from './json-rpc-peer.js';
import { countsAgainstBreaker, errorText, isAnswer, isSessionExpired, NotReadyError, openCircuitError } from './call-errors.js';
import { CircuitBreaker, defaultBreakerOptions, type BreakerOptions } from './circuit-breaker.js';
import { openTransport, type OpenedTransport } from './transports.js';
import { catalogLists, emptyCatalog, fetchAllPages, listChangedKinds, type Catalog, type CatalogKind } from './catalog.js';
import { backoffDelay, RestartBudget } from './backoff.js';
import { pickOrigin, type CallOrigin } from './call-origin.js';

export type { CallOrigin } from './call-origin.js';

export interface ConnectionOptions {
  clientVersion: string;
  restartBaseMs: number;
  restartMaxMs: number;
  /** Give up restarting after this many restarts within restartWindowMs. */
  maxRestarts?: number;
  restartWindowMs?: number;
  /** How long a call waits for a starting/restarting server before failing. */
  readyWaitMs?: number;
  breaker?: BreakerOptions;
  /** Ping an idle ready server this often (0: never); failed pings count against the breaker. */
  pingIntervalMs?: number;
  /** Catalogs are re-listed this often even without list_changed (servers that never send it). */
  catalogRefreshMs?: number;
  log?: (line: string) => void;
}

export interface UpstreamConnectionEvents {
  status: [ServerStatus];
  catalog: [CatalogKind[]];
  notification: [string, Record<string, unknown> | undefined];
}

const STDERR_TAIL = 50;

/**
 * ONE supervised connection to one upstream server, shared by every preset and client session.
 * Restarts a crashed server with backoff and jitter; callers never see the restart except as
 * a short wait (or a clear error naming the server when it stays down).
 */
export class UpstreamConnection extends EventEmitter<UpstreamConnectionEvents> {
  private peer: JsonRpcPeer | null = null;
  private opened: OpenedTransport | null = null;
  private state: ServerState = 'stopped';
  private lastError: string | null = null;
  private restarts = 0;
  private attempt = 0;
  private nextRetryAt: Date | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readyWaiters: Array<() => void> = [];
  private readonly stderrTail: string[] = [];
  private readonly budget: RestartBudget;
  private readonly inflight = new Set<CallOrigin>();
  private generation = 0;
  private lastActivity = Date.now();
  private pingTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private pingFailures = 0;
  readonly breaker: CircuitBreaker;
  catalog: Catalog = emptyCatalog();
  /** Tool names from the last good catalog, kept while the server is down to name it in errors. */
  lastToolNames: string[] = [];

  constructor(
    public server: ServerRecord,
    private readonly options: ConnectionOptions,
  ) {
    super();
    this.budget = new RestartBudget(options.maxRestarts ?? 10, options.restartWindowMs ?? 5 * 60_000);
    this.breaker = new CircuitBreaker(options.breaker ?? defaultBreakerOptions, (state) => {
      this.options.log?.(`upstream ${this.name}: circuit ${state}`);
      this.emit('status', this.status());
    });
  }

  get name(): string {
    return this.server.name;
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  status(): ServerStatus {
    return {
      state: this.state,
      lastError: this.lastError,
      restarts: this.restarts,
      toolCount: this.catalog.tools.length,
      pid: this.opened?.pid() ?? null,
      nextRetryAt: this.nextRetryAt?.toISOString() ?? null,
      breaker: this.breaker.state,
      consecutiveFailures: this.breaker.consecutiveFailures,
    };
  }

  stderr(): string[] {
    return [...this.stderrTail];
  }

  /** Periodic catalog refresh and idle pings, while the connection is wanted. */
  private ensureTimers(): void {
    if (this.pingTimer || this.refreshTimer) return;
    const refreshEvery = this.options.catalogRefreshMs ?? 30 * 60_000;
    if (refreshEvery > 0) {
      this.refreshTimer = setInterval(() => void this.refreshCatalog(), refreshEvery);
      this.refreshTimer.unref();
    }
    const pingEvery = this.options.pingIntervalMs ?? 30_000;
    if (pingEvery > 0) {
      this.pingTimer = setInterval(() => void this.pingIfIdle(pingEvery), pingEvery);
      this.pingTimer.unref();
    }
  }

  /** Starts (or restarts) the server; resolves once it is ready or has failed (never rejects). */
  async start(): Promise<void> {
    this.ensureTimers();
    this.clearRetry();
    const generation = ++this.generation;
    await this.closePeer();
    this.setState('starting');
    try {
      await this.connect(generation);
      if (generation !== this.generation) return;
      this.attempt = 0;
      this.lastError = null;
      this.setState('ready');
    } catch (error) {
      if (generation !== this.generation) return;
      this.lastError = errorText(error);
      this.options.log?.(`upstream ${this.name}: start failed: ${this.lastError}`);
      await this.closePeer();
      this.scheduleRestart();
    }
  }

  async stop(): Promise<void> {
    this.generation++;
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.pingTimer = null;
    this.refreshTimer = null;
    this.clearRetry();
    await this.closePeer();
    this.catalog = emptyCatalog();
    this.setState('stopped');
  }

  /** Manual restart: resets the crash-loop budget. */
  async restart(): Promise<void> {
    this.budget.reset();
    this.breaker.reset();
    this.attempt = 0;
    this.restarts++;
    await this.start();
  }

  /**
   * Sends a request upstream on the shared connection. Waits briefly for a (re)starting server;
   * an HTTP server that forgot our session (404) is re-initialised and the call retried once.
   */
  async request(
    method: string,
    params: Record<string, unknown> | undefined,
    options: PeerRequestOptions,
    origin?: CallOrigin,
  ): Promise<Record<string, unknown>> {
    const started = Date.now();
    this.lastActivity = started;
    if (!this.breaker.tryPass()) throw openCircuitError(this.name, this.breaker);
    await this.waitReady(Math.min(options.timeoutMs, this.options.readyWaitMs ?? 10_000));
    const remaining = { ...options, timeoutMs: Math.max(1, options.timeoutMs - (Date.now() - started)) };
    if (origin) this.inflight.add(origin);
    try {
      let result: Record<string, unknown>;
      try {
        result = await this.requireReadyPeer().request(method, params, remaining);
      } catch (error) {
        if (!isSessionExpired(error) || this.server.transport === 'stdio') throw error;
        this.options.log?.(`upstream ${this.name}: session expired, re-initialising`);
        await this.start();
        result = await this.requireReadyPeer().request(method, params, remaining);
      }
      this.breaker.success();
      return result;
    } catch (error) {
      if (countsAgainstBreaker(error)) this.breaker.failure();
      else if (isAnswer(error)) this.breaker.success();
      else this.breaker.release();
      throw error;
    } finally {
      if (origin) this.inflight.delete(origin);
      this.lastActivity = Date.now();
    }
  }

  /** Re-lists every catalog; views are told only when something actually changed. */
  private async refreshCatalog(): Promise<void> {
    const peer = this.peer;
    if (this.state !== 'ready' || !peer) return;
    const before = JSON.stringify(this.catalog);
    const kinds = Object.keys(catalogLists) as CatalogKind[];
    try {
      await Promise.all(kinds.map((kind) => this.loadList(peer, kind, this.server.timeoutMs ?? 30_000)));
      if (JSON.stringify(this.catalog) !== before) this.emit('catalog', kinds);
    } catch (error) {
      this.options.log?.(`upstream ${this.name}: catalog refresh failed: ${errorText(error)}`);
    }
  }

  /** Idle servers are pinged so a hung one is noticed before a user's call finds out. */
  private async pingIfIdle(intervalMs: number): Promise<void> {
    if (this.state !== 'ready' || !this.peer || Date.now() - this.lastActivity < intervalMs) return;
    try {
      await this.peer.request('ping', undefined, { timeoutMs: 5_000 });
      this.pingFailures = 0;
    } catch (error) {
      if (error instanceof RpcError && error.code === JSONRPC.METHOD_NOT_FOUND) return; // answers, just no ping
      this.pingFailures++;
      this.breaker.failure();
      this.options.log?.(`upstream ${this.name}: ping failed (${errorText(error)})`);
      if (this.pingFailures >= 3) {
        this.pingFailures = 0;
        this.options.log?.(`upstream ${this.name}: unresponsive, restarting`);
        void this.start();
      }
    }
  }

  notify(method: string, params?: Record<string, unknown>): void {
    if (this.state === 'ready') void this.peer?.notify(method, params).catch(() => undefined);
  }

  private requireReadyPeer(): JsonRpcPeer {
    if (this.state !== 'ready' || !this.peer) {
      const why = this.lastError ? `: ${this.lastError}` : '';
      throw new NotReadyError(`upstream server "${this.name}" is ${this.state}${why}`, { server: this.name, state: this.state });
    }
    return this.peer;
  }

  private waitReady(maxMs: number): Promise<void> {
    if (this.state === 'ready' || this.state === 'stopped' || this.state === 'failed') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.readyWaiters.push(done);
    });
  }

  private async connect(generation: number): Promise<void> {
    const opened = openTransport(this.server);
    opened.onStderr((line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
    });
    const peer = new JsonRpcPeer(opened.transport, {
      onRequest: (method, params, _id, signal) => this.routeServerRequest(method, params, signal),
      onNotification: (method, params) => this.onNotification(method, params),
      onClose: () => this.onPeerClosed(peer, generation),
      onError: (error) => {
        this.lastError = errorText(error);
      },
    });
    this.opened = opened;
    this.peer = peer;
    await peer.start();
    const timeoutMs = this.server.timeoutMs ?? 30_000;
    const init = await peer.request(
      'initialize',
      {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
        clientInfo: { name: 'mcp-gateway', version: this.options.clientVersion },
      },
      { timeoutMs },
    );
    opened.setProtocolVersion(String(init.protocolVersion ?? LATEST_PROTOCOL_VERSION));
    await peer.notify('notifications/initialized');
    const catalog = emptyCatalog();
    catalog.capabilities = (init.capabilities as Record<string, unknown> | undefined) ?? {};
    catalog.serverInfo = (init.serverInfo as Record<string, unknown> | undefined) ?? {};
    catalog.instructions = typeof init.instructions === 'string' ? init.instructions : null;
    this.catalog = catalog;
    await Promise.all((Object.keys(catalogLists) as CatalogKind[]).map((kind) => this.loadList(peer, kind, timeoutMs)));
  }

  private async loadList(peer: JsonRpcPeer, kind: CatalogKind, timeoutMs: number): Promise<void> {
    const { method, field, capability } = catalogLists[kind];
    if (!this.catalog.capabilities[capability]) {
      this.catalog[kind] = [];
      return;
    }
    const items = await fetchAllPages(peer, method, field, timeoutMs);
    this.catalog[kind] = items;
    if (kind === 'tools') this.lastToolNames = items.map((tool) => String(tool.name));
  }

  private onNotification(method: string, params: Record<string, unknown> | undefined): void {
    const kinds = listChangedKinds[method];
    if (kinds && this.peer) {
      const peer = this.peer;
      const timeoutMs = this.server.timeoutMs ?? 30_000;
      void Promise.all(kinds.map((kind) => this.loadList(peer, kind, timeoutMs)))
        .then(() => this.emit('catalog', kinds))
        .catch((error: unknown) => this.options.log?.(`upstream ${this.name}: refresh failed: ${errorText(error)}`));
      return;
    }
    this.emit('notification', method, params);
  }

  /** Routes an upstream's server request to the call it most likely belongs to (see pickOrigin). */
  private routeServerRequest(
    method: string,
    params: Record<string, unknown> | undefined,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const origin = pickOrigin([...this.inflight], method);
    // roots/list outside any call has no client to ask: a shared server sees no roots then.
    if (!origin && method === 'roots/list') return Promise.resolve({ roots: [] });
    if (!origin) {
      return Promise.reject(new RpcError(JSONRPC.METHOD_NOT_FOUND, `no client call is waiting on "${this.name}" to answer ${method}`));
    }
    return origin.onServerRequest(method, params, signal);
  }

  private onPeerClosed(peer: JsonRpcPeer, generation: number): void {
    if (peer !== this.peer || generation !== this.generation) return;
    if (this.state === 'stopped') return;
    this.peer = null;
    const tail = this.stderrTail.at(-1);
    this.lastError = `server exited${tail ? ` (last stderr: ${tail})` : ''}`;
    this.options.log?.(`upstream ${this.name}: ${this.lastError}`);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (!this.budget.take(Date.now())) {
      this.nextRetryAt = null;
      this.setState('failed');
      return;
    }
    const delay = backoffDelay(this.attempt++, this.options.restartBaseMs, this.options.restartMaxMs);
    this.nextRetryAt = new Date(Date.now() + delay);
    this.setState('restarting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.restarts++;
      void this.start();
    }, delay);
    this.retryTimer.unref();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.nextRetryAt = null;
  }

  private async closePeer(): Promise<void> {
    const peer = this.peer;
    this.peer = null;
    this.opened = null;
    if (peer) await peer.close();
  }

  private setState(state: ServerState): void {
    const changed = this.state !== state;
    this.state = state;
    if (state !== 'starting' && state !== 'restarting') {
      for (const wake of this.readyWaiters.splice(0)) wake();
    }
    if (state !== 'ready') this.catalogCleared();
    if (state === 'ready') this.emit('catalog', ['tools', 'prompts', 'resources', 'resourceTemplates']);
    if (changed || state === 'restarting') this.emit('status', this.status());
  }

  private catalogCleared(): void {
    // Tools of a server that is not ready leave every view: calls would only fail.
    if (this.catalog.tools.length || this.catalog.prompts.length || this.catalog.resources.length) {
      const { capabilities, serverInfo, instructions } = this.catalog;
      this.catalog = { ...emptyCatalog(), capabilities, serverInfo, instructions };
      this.emit('catalog', ['tools', 'prompts', 'resources', 'resourceTemplates']);
    }
  }
}
