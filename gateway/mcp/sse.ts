import type { ServerResponse } from 'node:http';

/** Writes Server-Sent Events of JSON-RPC messages, with a keep-alive comment so proxies keep the stream. */
export class SseStream {
  private keepAlive: NodeJS.Timeout;
  private closed = false;
  private nextEventId = 1;

  constructor(
    readonly res: ServerResponse,
    headers: Record<string, string> = {},
    keepAliveMs = 15_000,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      ...headers,
    });
    res.flushHeaders();
    this.keepAlive = setInterval(() => this.comment('keep-alive'), keepAliveMs);
    this.keepAlive.unref();
    res.on('close', () => this.markClosed());
  }

  get isClosed(): boolean {
    return this.closed || this.res.writableEnded || this.res.destroyed;
  }

  /** Fires once when the client goes away or we end the stream. */
  onClose(listener: () => void): void {
    this.res.on('close', listener);
  }

  message(message: unknown): void {
    this.event('message', JSON.stringify(message));
  }

  /** `id`: the event id a client may resume after (Last-Event-ID); default: this stream's own count. */
  event(name: string, data: string, id: string | number = this.nextEventId++): void {
    if (this.isClosed) return;
    this.res.write(`id: ${id}\nevent: ${name}\ndata: ${data}\n\n`);
  }

  comment(text: string): void {
    if (!this.isClosed) this.res.write(`: ${text}\n\n`);
  }

  end(): void {
    this.markClosed();
    if (!this.res.writableEnded) this.res.end();
  }

  private markClosed(): void {
    this.closed = true;
    clearInterval(this.keepAlive);
  }
}
