import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/processes.js';
import { repoRoot } from '../../support/paths.js';

export interface StandinLine {
  kind: string;
  data: Record<string, unknown>;
}

export interface StandinApp {
  proc: ChildProcess;
  userData: string;
  home: string;
  cdpPort: number;
  lines: StandinLine[];
  output(): string;
  /** Resolves with the first line (from the start) of this kind that matches. */
  waitFor(kind: string, match?: (data: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Clicks a tray menu item by its path ("Copy preset URL > Dev (dev)"). */
  clickTray(path: string): void;
  /** The latest tray menu, as printed. */
  trayItems(): string[];
  exited: Promise<number | null>;
  kill(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Runs the real desktop main (`dist/main/main.js`) under Node with the stand-in `electron`
 * (dist/e2e/ui/standin): windows are Chromium pages reachable over CDP on `cdpPort`.
 */
export async function startStandinApp(options: { settings?: Record<string, unknown>; userData?: string } = {}): Promise<StandinApp> {
  const root = options.userData ? null : await mkdtemp(join(tmpdir(), 'mcp-gw-desktop-'));
  const userData = options.userData ?? join(root as string, 'user-data');
  const home = join(userData, '..', 'home');
  await mkdir(userData, { recursive: true });
  await mkdir(home, { recursive: true });
  if (options.settings) await writeFile(join(userData, 'settings.json'), JSON.stringify(options.settings));
  const cdpPort = await freePort();
  const proc = spawn(process.execPath, ['--import', join(repoRoot, 'dist/e2e/ui/standin/register.js'), join(repoRoot, 'dist/main/main.js')], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, STANDIN_USER_DATA: userData, STANDIN_CDP_PORT: String(cdpPort), HOME: home, XDG_CONFIG_HOME: join(home, '.config'), MCP_GATEWAY_DATA_DIR: '' },
  });
  let out = '';
  const lines: StandinLine[] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      const match = /^standin:(\S+) (.*)$/.exec(line);
      if (match) {
        try {
          lines.push({ kind: match[1] as string, data: JSON.parse(match[2] as string) as Record<string, unknown> });
        } catch {
          // not ours
        }
      }
    }
    for (const wake of waiters) wake();
  });
  proc.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  const app: StandinApp = {
    proc,
    userData,
    home,
    cdpPort,
    lines,
    output: () => out,
    waitFor(kind, match = () => true, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = lines.find((l) => l.kind === kind && match(l.data));
          if (found) {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve(found.data);
            return true;
          }
          return false;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no standin:${kind} line in time; output:\n${out.slice(-4000)}`));
        }, timeoutMs);
        waiters.add(wake);
        check();
      });
    },
    clickTray(path) {
      proc.stdin?.write(`${JSON.stringify({ tray: path })}\n`);
    },
    trayItems() {
      const last = [...lines].reverse().find((l) => l.kind === 'tray-menu');
      return (last?.data['items'] as string[] | undefined) ?? [];
    },
    exited,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    async cleanup() {
      await app.kill();
      if (root) await rm(root, { recursive: true, force: true });
    },
  };
  return app;
}
