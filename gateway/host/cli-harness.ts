import { PassThrough } from 'node:stream';
import type { PresetSummary, ServerView } from '../contract/index.js';
import { main, type CliIo } from './cli.js';

/**
 * Runs the CLI's main() in-process for its tests: captured streams, a fake admin API (a fetch
 * that answers from handlers) and nothing from the real environment but the given data dir.
 */
export type ApiHandler = (input: Record<string, unknown>) => unknown;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  calls: Array<{ url: string; method: string; input: Record<string, unknown>; auth: string | undefined }>;
}

export async function runCli(
  dataDir: string,
  argv: string[],
  options: { api?: Record<string, ApiHandler>; io?: Partial<CliIo>; stdinText?: string; tty?: boolean; env?: Record<string, string> } = {},
): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  if (options.stdinText !== undefined) stdin.end(options.stdinText);

  const calls: Run['calls'] = [];
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const method = String(url).split('/api/')[1] ?? '';
    const input = JSON.parse(String(init?.body ?? '{}')) as Record<string, unknown>;
    const auth = (init?.headers as Record<string, string> | undefined)?.['authorization'];
    calls.push({ url: String(url), method, input, auth });
    const handler = options.api?.[method];
    if (!handler) return Response.json({ ok: false, error: { code: 'unknown_method', message: `no ${method}` } }, { status: 404 });
    try {
      return Response.json({ ok: true, value: await handler(input) });
    } catch (error) {
      const e = error as { code?: string; message: string };
      return Response.json({ ok: false, error: { code: e.code ?? 'internal', message: e.message } }, { status: 400 });
    }
  }) as typeof fetch;

  const code = await main(argv, {
    stdout,
    stderr,
    stdin,
    env: { MCP_GATEWAY_DATA_DIR: dataDir, ...options.env },
    cwd: dataDir,
    fetch: fakeFetch,
    onStopSignal: () => () => undefined,
    exit: ((c: number) => {
      throw new Error(`exit ${c}`);
    }) as CliIo['exit'],
    ...options.io,
  });
  return { code, stdout: out, stderr: err, calls };
}

export function apiError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export const server = (name: string, extra: Partial<ServerView> = {}): ServerView => ({
  id: name,
  name,
  transport: 'stdio',
  command: 'node',
  args: ['server.js'],
  env: { API_KEY: '••••' },
  cwd: null,
  url: null,
  headers: {},
  enabled: true,
  timeoutMs: null,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  status: { state: 'ready', lastError: null, restarts: 0, toolCount: 3, pid: 123, nextRetryAt: null, breaker: 'closed', consecutiveFailures: 0 },
  ...extra,
});

export const preset = (slug: string): PresetSummary => ({
  id: slug,
  slug,
  name: slug.toUpperCase(),
  description: '',
  visibility: 'public',
  status: 'active',
  version: 1,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  url: `http://127.0.0.1:7337/mcp/${slug}`,
});
