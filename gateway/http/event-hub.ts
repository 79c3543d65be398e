import type { ServerResponse } from 'node:http';
import type { GatewayEventName, GatewayEvents } from '../contract/index.js';

/** Fans gateway events out to UI subscribers (`GET /api/events` as SSE; IPC attaches a listener). */
export class EventHub {
  private readonly streams = new Set<ServerResponse>();
  private readonly listeners = new Set<(name: GatewayEventName, payload: unknown) => void>();

  emit<E extends GatewayEventName>(name: E, payload: GatewayEvents[E]): void {
    const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of this.streams) res.write(frame);
    for (const listener of this.listeners) listener(name, payload);
  }

  listen(listener: (name: GatewayEventName, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': connected\n\n');
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }

  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
    this.listeners.clear();
  }
}
