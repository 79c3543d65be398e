import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to PostgreSQL that a test can cut and reopen: a database outage (connections
 * dropped, new ones refused) without touching the machine's shared server.
 */
export class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** A free local port proxying to the host and port of `databaseUrl`, opened. */
  static async forUrl(databaseUrl: string, port: number): Promise<CuttableProxy> {
    const direct = new URL(databaseUrl);
    const proxy = new CuttableProxy(port, { host: direct.hostname, port: Number(direct.port || 5432) });
    await proxy.open();
    return proxy;
  }

  /** `databaseUrl` going through this proxy. */
  via(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async open(): Promise<void> {
    const server = createServer((socket) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [socket, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      socket.pipe(upstream).pipe(socket);
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
