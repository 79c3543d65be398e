import type { Readable, Writable } from 'node:stream';
import type { GatewayConfig } from '../../config/schema.js';

/** Everything the CLI touches in the outside world, injectable so tests call main() directly. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  pid: number;
  fetch: typeof fetch;
  /** Registers a handler for stop signals (SIGINT, SIGTERM, SIGHUP); returns its remover. */
  onStopSignal(handler: (signal: string) => void): () => void;
  /** Last resort when a stop hangs and the user insists (second Ctrl-C). */
  exit(code: number): never;
  /** Defaults to host/gateway.ts, loaded on demand so other commands never pull it in. */
  createGateway?: CreateGateway;
}

export interface Gateway {
  url: string;
  adminToken: string;
  stop(): Promise<void>;
}
export type CreateGateway = (config: GatewayConfig, opts?: { log?: (line: string) => void }) => Promise<Gateway>;

export function defaultIo(): CliIo {
  // `mcp-gateway presets list | head -1` closes our stdout early: that is not a crash.
  if (process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    pid: process.pid,
    fetch: globalThis.fetch,
    onStopSignal(handler) {
      const signals: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM'] : ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const signal of signals) process.on(signal, handler);
      return () => {
        for (const signal of signals) process.off(signal, handler);
      };
    },
    exit: (code) => process.exit(code),
  };
}

/** Wrong command line: printed with a usage hint, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose --help to suggest ('' for the top level). */
    readonly command = '',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export function writeLine(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}
