import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md §2: gateway/ runs headless and never loads electron. Proven twice: the static import
 * graph of the CLI entry (every import and literal dynamic import, transitively), and a real
 * `mcp-gateway serve` run under a module hook that fails on any attempt to resolve "electron".
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT = /(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const match of source.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? '';
      if (specifier.startsWith('.')) {
        const resolved = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
        if (existsSync(resolved)) queue.push(resolved);
        else throw new Error(`${path.relative(root, file)} imports ${specifier}, which does not exist`);
      } else {
        packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] as string));
      }
    }
  }
  return { files, packages };
}

describe('the headless entry never loads electron', () => {
  it('statically: nothing reachable from the CLI imports electron or the desktop folders', () => {
    const { files, packages } = importGraph(path.join(root, 'gateway', 'host', 'cli.ts'));
    expect(files.size).toBeGreaterThan(30);
    expect([...files].some((f) => f.endsWith(path.join('host', 'gateway.ts')))).toBe(true);
    expect(packages.has('electron')).toBe(false);
    const desktop = [...files].filter((f) => /[/\\](main|preload|renderer)[/\\]/.test(path.relative(root, f)));
    expect(desktop).toEqual([]);
  });

  it('at run time: `mcp-gateway serve` starts and stops with "electron" unresolvable', async () => {
    const cli = path.join(root, 'bin', 'mcp-gateway.js');
    if (!existsSync(path.join(root, 'dist', 'gateway', 'host', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    const dir = await mkdtemp(path.join(tmpdir(), 'mcp-gw-noelectron-'));
    try {
      await writeFile(
        path.join(dir, 'hook.mjs'),
        `export async function resolve(specifier, context, next) {
  if (specifier === 'electron' || specifier.startsWith('electron/')) {
    process.stderr.write('ELECTRON-RESOLVED ' + specifier + ' from ' + context.parentURL + '\\n');
    throw new Error('electron must not be loaded by the headless gateway');
  }
  return next(specifier, context);
}\n`,
      );
      await writeFile(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hook.mjs', import.meta.url);\n`);
      // The hook does catch an electron import (so its silence below means something).
      const probe = spawn(process.execPath, ['--import', path.join(dir, 'register.mjs'), '--input-type=module', '-e', "await import('electron')"], { stdio: ['ignore', 'ignore', 'pipe'] });
      let probeOut = '';
      probe.stderr.on('data', (c: Buffer) => (probeOut += c.toString()));
      expect(await new Promise((resolve) => probe.once('exit', resolve))).not.toBe(0);
      expect(probeOut).toContain('ELECTRON-RESOLVED electron');

      const proc = spawn(process.execPath, ['--import', path.join(dir, 'register.mjs'), cli, 'serve', '--port', '0', '--data-dir', path.join(dir, 'data')], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, MCP_GATEWAY_DATA_DIR: '' },
      });
      let out = '';
      proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
      proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 60_000);
        const check = (): void => {
          if (/listening on http/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        proc.stdout.on('data', check);
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`serve exited early:\n${out}`));
        });
      });
      // Touch the lazily loaded parts too: the admin API and the UI.
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/text\/(html|plain)/);
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).not.toContain('ELECTRON-RESOLVED');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
