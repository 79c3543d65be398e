import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repo's `migrations/` folder, found by walking up from this module: it sits two levels up
 * from gateway/db/*.ts and three from dist/gateway/db/*.js, and packaged apps may differ again.
 */
export function findMigrationsFolder(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no migrations/meta/_journal.json above ${fileURLToPath(fromUrl)}`);
    dir = parent;
  }
}
