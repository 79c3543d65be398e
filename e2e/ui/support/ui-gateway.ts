import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, fixturePath } from '../../support/paths.js';

export { fixturePath };

export interface UiGateway {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The one-time link `serve` printed, token in the fragment. */
  uiLink: string;
  token: string;
  dataDir: string;
  /** The HOME the gateway sees (client config files are written under it). */
  home: string;
  output(): string;
  api<T = unknown>(method: string, input?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * `mcp-gateway serve` as a user runs it (port 0, a fresh data dir), with HOME pointing at a temp
 * folder so that Connect writes client config files there and never into the real home.
 */
export async function startUiGateway(options: { args?: string[] } = {}): Promise<UiGateway> {
  const root = await mkdtemp(join(tmpdir(), 'mcp-gw-ui-'));
  const dataDir = join(root, 'data');
  const home = join(root, 'home');
  await mkdir(home, { recursive: true });
  const proc: ChildProcess = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), MCP_GATEWAY_DATA_DIR: '' },
  });
  let out = '';
  proc.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const uiLink = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start in time:\n${out}`)), 60_000);
    const check = (): void => {
      const match = /Open the UI: (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    proc.stdout?.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
  const url = new URL(uiLink).origin;
  const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
  return {
    url,
    uiLink,
    token,
    dataDir,
    home,
    output: () => out,
    async api<T>(method: string, input: unknown = {}): Promise<T> {
      const res = await fetch(`${url}/api/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
      if (!body.ok) throw new Error(`${method}: ${body.error?.code}: ${body.error?.message}`);
      return body.value as T;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      await rm(root, { recursive: true, force: true });
    },
  };
}
