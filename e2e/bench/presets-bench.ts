/**
 * Storage benchmark (not a test): 1,000 presets × 10 servers in the embedded database, and the
 * time of the queries the UI and the hot path's cache misses make. Prints a table.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../gateway/db/database.js';

const OWNER = 'bench';
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

export async function runPresetsBench(): Promise<Array<[string, string]>> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-gw-bench-'));
  const db = await openDatabase({ dataDir: dir, secretKey: randomBytes(32) });
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into mcp_servers (owner_id, name, transport, command, env, headers)
        select ${OWNER}, 's' || lpad(i::text, 3, '0'), 'stdio', 'node', 'v1.x.x.x', 'v1.x.x.x' from generate_series(0, 99) i`);
      await tx.execute(sql`insert into presets (owner_id, slug, name)
        select ${OWNER}, 'p-' || lpad(i::text, 4, '0'), 'Preset ' || i from generate_series(0, 999) i`);
      // Each preset binds 10 of the 100 servers.
      await tx.execute(sql`insert into preset_servers (preset_id, server_id, position)
        select p.id, s.id, substr(s.name, 2)::int % 10
        from presets p join mcp_servers s on s.owner_id = p.owner_id
        where p.owner_id = ${OWNER} and (substr(s.name, 2)::int / 10) = (substr(p.slug, 3)::int % 10)`);
    });
    const all = await db.presets.findAllForOwnerWithServers(OWNER);
    const bindings = all.reduce((sum, preset) => sum + preset.servers.length, 0);
    const rows: Array<[string, string]> = [
      ['seeded', `${all.length} presets, ${bindings} bindings`],
      ['findAllForOwnerWithServers (1 query, JOIN)', `${(await time(() => db.presets.findAllForOwnerWithServers(OWNER))).toFixed(1)} ms`],
      ['findBySlugWithServers (1 query)', `${(await time(() => db.presets.findBySlugWithServers('p-0517'))).toFixed(2)} ms`],
      ['findPublicPresetBySlug (1 indexed query)', `${(await time(() => db.presets.findPublicPresetBySlug('p-0517'))).toFixed(2)} ms`],
      ['listPage first 50 (keyset)', `${(await time(() => db.presets.listPage(OWNER, { limit: 50 }))).toFixed(2)} ms`],
    ];
    let cursor: string | undefined;
    for (let i = 0; i < 15; i++) cursor = (await db.presets.listPage(OWNER, { limit: 50, cursor })).pagination.nextCursor ?? undefined;
    rows.push(['listPage page 16 (keyset, no OFFSET)', `${(await time(() => db.presets.listPage(OWNER, { limit: 50, cursor }))).toFixed(2)} ms`]);
    return rows;
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function printTable(title: string, rows: Array<[string, string]>): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
  for (const [label, value] of rows) process.stdout.write(`${label.padEnd(width)}  ${value}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('Storage: 1,000 presets × 10 servers (PGlite in its own process)', await runPresetsBench());
}
