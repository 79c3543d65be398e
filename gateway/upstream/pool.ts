import { EventEmitter } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import type { ServerStatus } from '../contract/index.js';
import type { ServerRecord } from '../db/records.js';
import { UpstreamConnection, type ConnectionOptions } from './connection.js';
import type { CatalogKind } from './catalog.js';

export interface UpstreamPoolEvents {
  status: [serverId: string, name: string, status: ServerStatus];
  catalog: [serverId: string, kinds: CatalogKind[]];
  notification: [serverId: string, method: string, params: Record<string, unknown> | undefined];
}

/** Every upstream server the gateway runs, by id: exactly one connection (one process) each. */
export class UpstreamPool extends EventEmitter<UpstreamPoolEvents> {
  private readonly connections = new Map<string, UpstreamConnection>();

  constructor(private readonly options: ConnectionOptions) {
    super();
  }

  get(serverId: string): UpstreamConnection | undefined {
    return this.connections.get(serverId);
  }

  all(): UpstreamConnection[] {
    return [...this.connections.values()];
  }

  /** Adds or reconfigures a server; restarts it only when what it runs changed. */
  async upsert(server: ServerRecord): Promise<UpstreamConnection> {
    const existing = this.connections.get(server.id);
    if (existing) {
      const runChanged = !isDeepStrictEqual(runtimeShape(existing.server), runtimeShape(server));
      existing.server = server;
      if (!server.enabled) await existing.stop();
      else if (runChanged || !existing.isReady) await existing.start();
      return existing;
    }
    const connection = new UpstreamConnection(server, this.options);
    connection.on('status', (status) => this.emit('status', server.id, connection.name, status));
    connection.on('catalog', (kinds) => this.emit('catalog', server.id, kinds));
    connection.on('notification', (method, params) => this.emit('notification', server.id, method, params));
    this.connections.set(server.id, connection);
    if (server.enabled) await connection.start();
    return connection;
  }

  async remove(serverId: string): Promise<void> {
    const connection = this.connections.get(serverId);
    if (!connection) return;
    this.connections.delete(serverId);
    await connection.stop();
    connection.removeAllListeners();
  }

  async restart(serverId: string): Promise<void> {
    await this.connections.get(serverId)?.restart();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((connection) => connection.stop()));
  }
}

function runtimeShape(server: ServerRecord): unknown {
  const { transport, command, args, env, cwd, url, headers } = server;
  return { transport, command, args, env, cwd, url, headers };
}
