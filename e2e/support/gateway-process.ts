import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath } from './paths.js';

export interface GatewayProcess {
  url: string;
  dataDir: string;
  token: string;
  proc: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  api<T = unknown>(method: string, input?: unknown): Promise<T>;
}

export async function tempDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'mcp-gw-test-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs the real CLI (`mcp-gateway serve`) as a child process and waits for its URL. */
export async function startGateway(options: { dataDir?: string; args?: string[]; timeoutMs?: number } = {}): Promise<GatewayProcess> {
  const dataDir = options.dataDir ?? (await tempDataDir());
  const proc = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MCP_GATEWAY_DATA_DIR: '' },
  });
  let out = '';
  proc.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start in time:\n${out}`)), options.timeoutMs ?? 60_000);
    const check = (): void => {
      const match = /listening on (http:\/\/\S+)/i.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    proc.stdout?.on('data', check);
    proc.stderr?.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
  const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    url,
    dataDir,
    token,
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    api: async <T>(method: string, input: unknown = {}): Promise<T> => {
      const res = await fetch(`${url}/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
      if (!body.ok) throw new Error(`${method}: ${body.error?.code}: ${body.error?.message}`);
      return body.value as T;
    },
  };
}

/** Starts a gateway with `serve --config <file>` holding `config` (settings under "gateway", servers, presets). */
export async function startGatewayWithConfig(config: Record<string, unknown>): Promise<GatewayProcess> {
  const dataDir = await tempDataDir();
  const configFile = join(dataDir, 'gateway.json');
  await writeFile(configFile, JSON.stringify(config));
  return startGateway({ dataDir, args: ['--config', configFile] });
}
