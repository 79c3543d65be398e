import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerRecord } from '../db/records.js';

export interface OpenedTransport {
  transport: Transport;
  /** stdio only: the child's pid once started. */
  pid(): number | null;
  /** stdio only: stderr lines are passed here as they arrive. */
  onStderr(listener: (line: string) => void): void;
  /** Streamable HTTP only: remember the negotiated version for the MCP-Protocol-Version header. */
  setProtocolVersion(version: string): void;
}

/** Builds the SDK client transport for one upstream server record. */
export function openTransport(server: ServerRecord): OpenedTransport {
  if (server.transport === 'stdio') return openStdio(server);
  const url = new URL(server.url ?? '');
  const requestInit: RequestInit = { headers: server.headers };
  if (server.transport === 'sse') {
    const transport = new SSEClientTransport(url, {
      requestInit,
      eventSourceInit: { fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...server.headers } }) },
    });
    return { transport, pid: () => null, onStderr: () => undefined, setProtocolVersion: () => undefined };
  }
  const transport = new StreamableHTTPClientTransport(url, { requestInit });
  return {
    transport,
    pid: () => null,
    onStderr: () => undefined,
    setProtocolVersion: (version) => transport.setProtocolVersion(version),
  };
}

function openStdio(server: ServerRecord): OpenedTransport {
  const transport = new StdioClientTransport({
    command: server.command ?? '',
    args: server.args,
    env: { ...getDefaultEnvironment(), ...server.env },
    cwd: server.cwd ?? undefined,
    stderr: 'pipe',
  });
  const listeners: Array<(line: string) => void> = [];
  let partial = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) for (const listener of listeners) listener(line);
  });
  return {
    transport,
    pid: () => transport.pid,
    onStderr: (listener) => listeners.push(listener),
    setProtocolVersion: () => undefined,
  };
}
