import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** The official conformance suite's CLI (pinned 0.1.13: later versions crash on Node 20). */
export const conformanceCli = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
/** Our fixture server for the suite (`npm test` builds before running tests). */
export const conformanceServerPath = join(repoRoot, 'dist', 'gateway', 'testing', 'conformance-server.js');

export type CheckStatus = 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';

export interface ConformanceCheck {
  id: string;
  name: string;
  description: string;
  status: CheckStatus;
  errorMessage?: string;
  details?: unknown;
}

/** pass: no FAILURE check and exit 0; fail: a FAILURE check or exit ≠ 0; error: timed out or no results. */
export type Outcome = 'pass' | 'fail' | 'error';

export interface ScenarioResult {
  scenario: string;
  outcome: Outcome;
  exitCode: number | null;
  timedOut: boolean;
  ms: number;
  checks: ConformanceCheck[];
  passed: number;
  failed: number;
  warnings: number;
  /** CLI stdout+stderr, for diagnosing a failure. */
  output: string;
}

/** Server scenario names, as `conformance list --server` prints them ("  - name"). */
export function listServerScenarios(): string[] {
  const listed = spawnSync(process.execPath, [conformanceCli, 'list', '--server'], { encoding: 'utf8', timeout: 30_000 });
  if (listed.status !== 0) throw new Error(`conformance list failed (${listed.status}):\n${listed.stdout}${listed.stderr}`);
  return listed.stdout
    .split('\n')
    .map((line) => /^\s+-\s+(\S+)\s*$/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/**
 * Runs ONE server scenario against `url` in its own CLI process, killed after `timeoutMs`, and
 * reads the checks it saved (`-o DIR` writes DIR/server-<scenario>-<timestamp>/checks.json).
 */
export async function runScenario(url: string, scenario: string, options: { timeoutMs?: number } = {}): Promise<ScenarioResult> {
  const outDir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'));
  const started = performance.now();
  try {
    const child = spawn(process.execPath, [conformanceCli, 'server', '--url', url, '--scenario', scenario, '-o', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    const exitCode = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    clearTimeout(timer);
    const checks = await readChecks(outDir);
    const failed = checks.filter((check) => check.status === 'FAILURE').length;
    const outcome: Outcome = timedOut || checks.length === 0 ? 'error' : failed > 0 || exitCode !== 0 ? 'fail' : 'pass';
    return {
      scenario,
      outcome,
      exitCode,
      timedOut,
      ms: Math.round(performance.now() - started),
      checks,
      passed: checks.filter((check) => check.status === 'SUCCESS').length,
      failed,
      warnings: checks.filter((check) => check.status === 'WARNING').length,
      output,
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

async function readChecks(outDir: string): Promise<ConformanceCheck[]> {
  const dirs = (await readdir(outDir)).filter((name) => name.startsWith('server-'));
  const checks: ConformanceCheck[] = [];
  for (const dir of dirs) {
    try {
      checks.push(...(JSON.parse(await readFile(join(outDir, dir, 'checks.json'), 'utf8')) as ConformanceCheck[]));
    } catch {
      // no checks.json: the CLI died before saving; the result is then an error
    }
  }
  return checks;
}

/** One line of a result: "pass 4✓ 0✗ 1⚠ (312 ms)". */
export function summarize(result: ScenarioResult): string {
  const extra = result.timedOut ? ' TIMEOUT' : '';
  return `${result.outcome} ${result.passed}✓ ${result.failed}✗ ${result.warnings}⚠ (${result.ms} ms)${extra}`;
}

/** What a failing result says: its FAILURE checks, or the CLI output when it left none. */
export function failureReport(result: ScenarioResult): string {
  const failures = result.checks.filter((check) => check.status === 'FAILURE');
  if (failures.length === 0) return result.output.slice(-2_000);
  return failures.map((check) => `${check.id}: ${check.errorMessage ?? check.description}`).join('\n');
}

export interface ConformanceServer {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the fixture server over Streamable HTTP on 127.0.0.1 and waits for `listening PORT`. */
export async function startConformanceServer(timeoutMs = 15_000): Promise<ConformanceServer> {
  const proc = spawn(process.execPath, [conformanceServerPath, 'http', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`conformance server did not start:\n${out}`)), timeoutMs);
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`conformance server exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    proc,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
