import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

/** Repository root, whether this runs from e2e/ (vitest) or dist/e2e/ (benchmarks). */
export const repoRoot = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) dir = dirname(dir);
  return dir;
})();

export const cliPath = join(repoRoot, 'bin', 'mcp-gateway.js');
/** The compiled fixture server (`npm test` builds before running tests). */
export const fixturePath = join(repoRoot, 'dist', 'gateway', 'testing', 'fixture-server.js');
export const everythingPath = join(repoRoot, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
