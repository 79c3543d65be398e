import type { GatewayConfig } from '../gateway/config/schema.js';
import type { GatewayEventName, MethodName, MethodOutput, WireResult } from '../gateway/contract/index.js';
import { acquireDataDirLock, removeRuntimeFile, writeRuntimeFile } from '../gateway/host/data-dir.js';
import type { Gateway, GatewayOptions } from '../gateway/host/gateway.js';

export type GatewayState = 'stopped' | 'starting' | 'running' | 'paused' | 'stopping' | 'failed';

export interface ControllerDeps {
  createGateway(config: GatewayConfig, options: GatewayOptions): Promise<Gateway>;
  /** The safeStorage-protected key of a data dir (undefined: the gateway's own key file). */
  secretKey(dataDir: string): Promise<Buffer | undefined>;
  log(line: string): void;
  acquireLock?: typeof acquireDataDirLock;
  pid?: number;
}

type Listener = (name: GatewayEventName, payload: unknown) => void;
type StateListener = (state: GatewayState) => void;

/**
 * The gateway hosted in the Electron main process: start, pause/resume, restart with new
 * settings and a clean stop (flushes metrics, stops upstreams, releases the data-dir lock).
 * Events and calls keep working across restarts: listeners attach here, not to one gateway.
 */
export class DesktopGateway {
  private gateway: Gateway | null = null;
  private release: (() => void) | null = null;
  private unlisten: (() => void) | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<StateListener>();
  private transition: Promise<void> = Promise.resolve();
  state: GatewayState = 'stopped';
  lastError: string | null = null;
  /** Set when the configured port was busy and another was used. */
  portNote: string | null = null;

  constructor(
    private config: GatewayConfig,
    private readonly deps: ControllerDeps,
  ) {}

  get url(): string | null {
    return this.gateway?.url ?? null;
  }

  get currentConfig(): GatewayConfig {
    return this.config;
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Calls the running gateway's dispatcher; a clear error while it is paused or starting. */
  async dispatch(method: MethodName | string, input: unknown): Promise<WireResult<unknown>> {
    await this.transition.catch(() => undefined);
    if (!this.gateway) {
      const why =
        this.state === 'paused'
          ? 'the gateway is paused; resume it from the tray menu'
          : this.state === 'failed'
            ? `the gateway is not running: ${this.lastError ?? 'it failed to start'}`
            : 'the gateway is not running';
      return { ok: false, error: { code: 'unavailable', message: why } };
    }
    return this.gateway.dispatch(method, input);
  }

  async call<M extends MethodName>(method: M, input: unknown): Promise<MethodOutput<M> | null> {
    const result = await this.dispatch(method, input);
    return result.ok ? (result.value as MethodOutput<M>) : null;
  }

  start(): Promise<void> {
    return this.queue(() => this.doStart());
  }

  /** Stops serving (endpoints and upstream servers) until resume; the app keeps running. */
  pause(): Promise<void> {
    return this.queue(async () => {
      await this.doStop();
      this.setState('paused');
    });
  }

  resume(): Promise<void> {
    return this.start();
  }

  /** Applies a new config: stop, then start with it. */
  restart(config: GatewayConfig): Promise<void> {
    return this.queue(async () => {
      await this.doStop();
      this.config = config;
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.queue(async () => {
      await this.doStop();
      this.setState('stopped');
    });
  }

  private queue(step: () => Promise<void>): Promise<void> {
    const next = this.transition.catch(() => undefined).then(step);
    this.transition = next;
    return next;
  }

  private setState(state: GatewayState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private async doStart(): Promise<void> {
    if (this.gateway) return;
    const dataDir = this.config.dataDir;
    if (!dataDir) throw new Error('the desktop gateway needs a data dir');
    this.setState('starting');
    this.lastError = null;
    this.portNote = null;
    const pid = this.deps.pid ?? process.pid;
    try {
      this.release = await (this.deps.acquireLock ?? acquireDataDirLock)(dataDir, { pid });
      const secretKey = await this.deps.secretKey(dataDir);
      const options: GatewayOptions = { log: this.deps.log, ...(secretKey ? { secretKey } : {}) };
      try {
        this.gateway = await this.deps.createGateway(this.config, options);
      } catch (error) {
        if (!(error instanceof Error) || !/already in use/.test(error.message) || this.config.port === 0) throw error;
        // Another program (often a headless `mcp-gateway serve`) has the port: use a free one.
        this.gateway = await this.deps.createGateway({ ...this.config, port: 0 }, options);
        this.portNote = `port ${this.config.port} is in use; running on ${new URL(this.gateway.url).port} instead`;
        this.deps.log(this.portNote);
      }
      await writeRuntimeFile(dataDir, { url: this.gateway.url, pid });
      this.unlisten = this.gateway.events.listen((name, payload) => {
        for (const listener of this.listeners) listener(name, payload);
      });
      this.setState('running');
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.release?.();
      this.release = null;
      this.setState('failed');
      throw error;
    }
  }

  private async doStop(): Promise<void> {
    const gateway = this.gateway;
    if (!gateway) return;
    this.setState('stopping');
    this.unlisten?.();
    this.unlisten = null;
    this.gateway = null;
    try {
      await gateway.stop();
    } finally {
      const dataDir = this.config.dataDir;
      if (dataDir) await removeRuntimeFile(dataDir, this.deps.pid ?? process.pid).catch(() => undefined);
      this.release?.();
      this.release = null;
    }
  }
}
