import { Agent, request } from 'node:http';

/** A minimal MCP-over-HTTP client for load: keep-alive, no SDK overhead on the measuring side. */
export class LeanSession {
  private sessionId: string | null = null;
  private nextId = 1;

  constructor(
    private readonly url: URL,
    private readonly agent: Agent,
  ) {}

  async initialize(): Promise<void> {
    const init = await this.rpc('initialize', {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'bench', version: '1' },
    });
    if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init)}`);
    await this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  rpc(method: string, params?: unknown): Promise<{ result?: Record<string, unknown>; error?: { message: string } }> {
    return this.send({ jsonrpc: '2.0', id: this.nextId++, method, params }) as Promise<{
      result?: Record<string, unknown>;
      error?: { message: string };
    }>;
  }

  private send(message: unknown): Promise<unknown> {
    const body = JSON.stringify(message);
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'content-length': Buffer.byteLength(body),
            ...(this.sessionId ? { 'mcp-session-id': this.sessionId, 'mcp-protocol-version': '2025-11-25' } : {}),
          },
        },
        (res) => {
          const header = res.headers['mcp-session-id'];
          if (typeof header === 'string') this.sessionId = header;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (!text) return resolve(null);
            try {
              if ((res.headers['content-type'] ?? '').includes('text/event-stream')) {
                const data = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));
                return resolve(JSON.parse(data.at(-1) ?? 'null'));
              }
              resolve(JSON.parse(text));
            } catch (error) {
              reject(new Error(`bad response (${res.statusCode}): ${text.slice(0, 200)}: ${String(error)}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}
