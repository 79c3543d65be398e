import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';

describe.each(['process', 'thread'] as const)('PGlite isolated in a %s', (isolation) => {
  it('answers queries, keeps the event loop free during a slow one, and closes', async () => {
    const db = await openDatabase({ dataDir: null, secretKey: randomBytes(32), isolation });
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      await db.db.execute(sql`select pg_sleep(0.5)`);
      clearInterval(timer);
      expect(ticks).toBeGreaterThan(20);
      expect(await db.ping()).toBeGreaterThan(0);
      await db.servers.create('iso', 'a', { transport: 'stdio', command: 'node', args: [], env: { K: 'v' }, cwd: null, url: null, headers: {}, enabled: true, timeoutMs: null });
      expect((await db.servers.getByName('iso', 'a'))?.env).toEqual({ K: 'v' });
    } finally {
      await db.close();
    }
  });
});
