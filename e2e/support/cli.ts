import { expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, repoRoot } from './paths.js';

/** What one run of `node bin/mcp-gateway.js …` produced. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment for CLI children: the test runner's, minus every MCP_GATEWAY_* variable (a
 * developer's own gateway settings must not leak into the tests), plus `extra`.
 */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('MCP_GATEWAY_')) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/**
 * Runs the real CLI to completion with stdin a pipe (never a TTY), optionally fed `input`.
 * Killed with SIGKILL after `timeoutMs`; the result then says so through `signal`.
 */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const proc = spawn(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  proc.stdin.on('error', () => undefined); // the CLI may exit before reading its input
  proc.stdin.end(options.input ?? '');
  const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  return new Promise((resolve, reject) => {
    proc.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Non-empty lines of a stream's text. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** Resolves with the exit code once `proc` has exited; SIGKILLs it after `timeoutMs`. */
export function waitForExit(proc: ChildProcess, timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode as NodeJS.Signals | null });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`, which then fails the exit-code check). */
export async function stopWith(proc: ChildProcess, signal: NodeJS.Signals, timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const exited = waitForExit(proc, timeoutMs);
  if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
  return exited;
}

/** A fresh temp folder for files the test writes (config files, client configs). */
export function tempFilesDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'mcp-gw-cli-'));
}

export async function writeJson(dir: string, name: string, value: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}

export async function writeText(dir: string, name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** Polls until `check` is true (or throws after `timeoutMs`). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const exists = (file: string): boolean => existsSync(file);

/** Removes temp folders (undefined entries are skipped: a failed beforeAll may not have made them). */
export async function removeDirs(...dirs: Array<string | undefined>): Promise<void> {
  for (const dir of dirs) if (dir) await rm(dir, { recursive: true, force: true });
}

/**
 * A failed run must say what went wrong in exactly one line, with no stack trace; usage errors
 * (exit 2) add one more line pointing at --help.
 */
export function expectOneLineError(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  const [error, ...rest] = lines(result.stderr);
  expect(error).toMatch(/^mcp-gateway: /);
  expect(error).toMatch(pattern);
  if (code === 2) expect(rest, result.stderr).toEqual([expect.stringMatching(/^Run 'mcp-gateway ([a-z]+ )*--help' for usage\.$/)]);
  else expect(rest, result.stderr).toEqual([]);
}
