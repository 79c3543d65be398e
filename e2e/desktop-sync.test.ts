import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SyncConflict, SyncStatus } from '../gateway/contract/index.js';
import { createScratchDatabase } from '../gateway/db/postgres.js';
import { CuttableProxy } from './support/cuttable-proxy.js';
import { removeDir, startGateway, tempDataDir, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { runCli } from './support/cli.js';
import { fixturePath } from './support/paths.js';
import { freePort } from './support/processes.js';

/**
 * Desktop sync between two data dirs (two real `serve` processes, each with its own PGlite)
 * through the machine's PostgreSQL, each behind its own cuttable proxy so one side can lose the
 * network while the other keeps working.
 */
const ADMIN_URL = process.env['MCP_GATEWAY_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SETTINGS = {
  syncIntervalMs: 300,
  syncMaxBackoffMs: 800,
  syncConnectTimeoutMs: 1_000,
  syncQueryTimeoutMs: 5_000,
  metricsFlushMs: 100,
  metricsRollupIntervalMs: 300,
};

interface Member {
  gw: GatewayProcess;
  proxy: CuttableProxy;
  dataDir: string;
  name: string;
}

type PresetDetail = { description: string; version: number; servers: Array<{ name: string }> };

async function startMember(name: string, teamUrl: string, existing?: Member, settings: Record<string, unknown> = {}): Promise<Member> {
  const dataDir = existing?.dataDir ?? (await tempDataDir());
  const proxy = existing?.proxy ?? (await CuttableProxy.forUrl(teamUrl, await freePort()));
  const settingsFile = join(dataDir, 'settings.json');
  await writeFile(settingsFile, JSON.stringify({ gateway: { ...SETTINGS, ...settings } }));
  const gw = await startGateway({ dataDir, args: ['--config', settingsFile, '--sync-url', proxy.via(teamUrl), '--sync-member', name] });
  return { gw, proxy, dataDir, name };
}

const status = (m: Member): Promise<SyncStatus> => m.gw.api<SyncStatus>('sync.status');
const conflicts = async (m: Member): Promise<SyncConflict[]> => (await m.gw.api<{ items: SyncConflict[] }>('sync.conflicts')).items;
const preset = (m: Member, slug: string): Promise<PresetDetail> => m.gw.api<PresetDetail>('presets.get', { slug });
const describeAs = (m: Member, slug: string, description: string): Promise<unknown> =>
  m.gw.api('config.apply', { config: { presets: { [slug]: { description } } } });

async function teamRows<T>(url: string, query: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(query, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('desktop sync through a team PostgreSQL', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let alice: Member;
  let bob: Member;
  const clients: Client[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase(ADMIN_URL, 'mcpgw_sync');
    [alice, bob] = await Promise.all([startMember('alice', scratch.url), startMember('bob', scratch.url)]);
    await alice.gw.api('config.apply', {
      config: {
        servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'], env: { FX_API_TOKEN: 'alice-secret-value' } } },
        presets: {
          tools: { description: 'shared tools', servers: { fx: { tools: ['echo', 'add'] } } },
          notes: { description: 'alice keeps this one', servers: { fx: { tools: ['echo'] } } },
        },
      },
    });
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    for (const m of [alice, bob]) {
      if (!m) continue;
      await m.gw.stop();
      await m.proxy.cut();
      await removeDir(m.dataDir);
    }
    await scratch?.drop();
  });

  it('publishes a shared preset; the other machine pulls it and serves it, the secret stays home', async () => {
    const shared = await alice.gw.api<SyncStatus>('sync.share', { slug: 'tools' });
    expect(shared.shared.map((s) => s.slug)).toEqual(['tools']);
    await expect.poll(async () => (await status(alice)).shared[0]?.state, { timeout: 15_000 }).toBe('synced');

    await expect.poll(async () => (await status(bob)).shared, { timeout: 15_000 }).toEqual([
      expect.objectContaining({ slug: 'tools', remoteVersion: 1, state: 'synced', includeSecrets: false }),
    ]);
    expect((await preset(bob, 'tools')).description).toBe('shared tools');
    // Only the shared preset travelled.
    await expect(preset(bob, 'notes')).rejects.toThrow(/not_found/);
    await expect.poll(async () => (await status(bob)).shared[0]?.missingSecrets, { timeout: 10_000 }).toEqual(['fx: env FX_API_TOKEN']);

    const [row] = await teamRows<{ doc: unknown; version: number; updated_by: string }>(scratch.url, `select doc, version, updated_by from team_presets where slug = 'tools'`);
    expect(row?.version).toBe(1);
    expect(row?.updated_by).toBe('alice');
    expect(JSON.stringify(row?.doc)).not.toContain('alice-secret-value');
    expect(JSON.stringify(row?.doc)).toContain('FX_API_TOKEN');

    const client = await connectClient(`${bob.gw.url}/mcp/tools`);
    clients.push(client);
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['fx__add', 'fx__echo']);
  }, 60_000);

  it('a concurrent edit is detected and kept on both sides; "keep mine" publishes over it without losing the other', async () => {
    await bob.proxy.cut(); // bob goes offline and edits on version 1
    await describeAs(bob, 'tools', 'edited by bob, offline');
    await expect.poll(async () => (await status(bob)).state, { timeout: 15_000 }).toBe('offline');
    expect((await status(bob)).pending).toBe(1);

    await describeAs(alice, 'tools', 'edited by alice');
    await alice.gw.api('sync.now');
    expect((await status(alice)).shared[0]).toMatchObject({ remoteVersion: 2, state: 'synced' });

    await bob.proxy.open();
    await expect.poll(async () => (await conflicts(bob)).length, { timeout: 20_000 }).toBe(1);
    const [conflict] = await conflicts(bob);
    expect(conflict).toMatchObject({ slug: 'tools', kind: 'edit', remoteVersion: 2, remoteMember: 'alice' });
    expect(JSON.stringify(conflict?.local)).toContain('edited by bob, offline');
    expect(JSON.stringify(conflict?.remote)).toContain('edited by alice');
    // Kept, never silently replaced: bob's copy is still his, the team's is still alice's.
    expect((await preset(bob, 'tools')).description).toBe('edited by bob, offline');
    await expect.poll(async () => (await status(bob)).state, { timeout: 10_000 }).toBe('idle');
    const bobStatus = await status(bob);
    expect(bobStatus.conflicts).toBe(1);
    expect(bobStatus.shared[0]?.state).toBe('conflict');

    await bob.gw.api('sync.resolve', { id: conflict!.id, keep: 'mine' });
    await expect.poll(async () => (await preset(alice, 'tools')).description, { timeout: 15_000 }).toBe('edited by bob, offline');
    expect(await conflicts(bob)).toEqual([]);
    const revisions = await teamRows<{ version: number; updated_by: string; description: string }>(
      scratch.url,
      `select version, updated_by, doc->'preset'->>'description' as description from team_preset_revisions where slug = 'tools' order by version`,
    );
    expect(revisions).toEqual([
      { version: 1, updated_by: 'alice', description: 'shared tools' },
      { version: 2, updated_by: 'alice', description: 'edited by alice' },
      { version: 3, updated_by: 'bob', description: 'edited by bob, offline' },
    ]);
  }, 90_000);

  it('"take theirs" replaces the local copy with the team version that was kept', async () => {
    await alice.proxy.cut();
    await describeAs(alice, 'tools', 'alice again, offline');
    await describeAs(bob, 'tools', 'bob wins this time');
    await bob.gw.api('sync.now');
    await alice.proxy.open();
    await expect.poll(async () => (await conflicts(alice)).length, { timeout: 20_000 }).toBe(1);
    const [conflict] = await conflicts(alice);
    await alice.gw.api('sync.resolve', { id: conflict!.id, keep: 'theirs' });
    expect((await preset(alice, 'tools')).description).toBe('bob wins this time');
    await expect.poll(async () => (await status(alice)).shared[0], { timeout: 10_000 }).toMatchObject({ state: 'synced', remoteVersion: 4 });
    expect((await status(alice)).pending).toBe(0);
  }, 90_000);

  it('an outage in the middle: changes made offline survive a restart and reach the team when it is back', async () => {
    await alice.proxy.cut();
    await describeAs(alice, 'tools', 'first offline edit');
    await alice.gw.api('config.apply', {
      config: { presets: { extra: { description: 'made offline', servers: { fx: { tools: ['echo'] } } } } },
    });
    await alice.gw.api('sync.share', { slug: 'extra' });
    await describeAs(alice, 'tools', 'second offline edit');
    await expect.poll(async () => (await status(alice)).state, { timeout: 15_000 }).toBe('offline');
    const offline = await status(alice);
    expect(offline.pending).toBe(2);
    expect(offline.lastError).toBeTruthy();
    expect(offline.nextAttemptAt).toBeTruthy();

    // The outbox is in alice's database: a restart while offline loses nothing.
    expect(await alice.gw.stop()).toBe(0);
    alice = await startMember('alice', scratch.url, alice);
    const restarted = await status(alice);
    expect(restarted.pending).toBe(2);
    expect(offline.lastSyncAt).toBeTruthy();
    expect(restarted.lastSyncAt).toBe(offline.lastSyncAt); // still known after the restart

    await alice.proxy.open();
    await expect.poll(async () => (await status(alice)).pending, { timeout: 20_000 }).toBe(0);
    await expect.poll(async () => (await preset(bob, 'tools')).description, { timeout: 15_000 }).toBe('second offline edit');
    await expect.poll(async () => (await preset(bob, 'extra').catch(() => null))?.description, { timeout: 15_000 }).toBe('made offline');
    await expect.poll(async () => (await status(alice)).state, { timeout: 10_000 }).toBe('idle');
    expect((await status(alice)).lastError).toBeNull();
  }, 120_000);

  it('a preset deleted here while the team edited it comes back with "take theirs"', async () => {
    await alice.proxy.cut();
    await alice.gw.api('presets.delete', { slug: 'tools' });
    await describeAs(bob, 'tools', 'bob edited it meanwhile');
    await bob.gw.api('sync.now');
    await alice.proxy.open();
    await expect.poll(async () => (await conflicts(alice)).map((c) => c.kind), { timeout: 20_000 }).toEqual(['delete']);
    const [conflict] = await conflicts(alice);
    expect(conflict?.local).toBeNull(); // deleted here
    expect(JSON.stringify(conflict?.remote)).toContain('bob edited it meanwhile');
    // Until resolved, the team keeps bob's version and bob keeps serving it.
    expect((await preset(bob, 'tools')).description).toBe('bob edited it meanwhile');
    await alice.gw.api('sync.resolve', { id: conflict!.id, keep: 'theirs' });
    expect((await preset(alice, 'tools')).description).toBe('bob edited it meanwhile');
    await expect.poll(async () => (await status(alice)).shared.find((s) => s.slug === 'tools')?.state, { timeout: 10_000 }).toBe('synced');
  }, 60_000);

  it('pushes hourly rollups of shared presets: the team report covers both machines', async () => {
    const viaAlice = await connectClient(`${alice.gw.url}/mcp/tools`);
    clients.push(viaAlice);
    const viaBob = clients[0]!;
    for (let i = 0; i < 20; i++) await viaAlice.callTool({ name: 'fx__echo', arguments: { text: `a${i}` } });
    for (let i = 0; i < 10; i++) await viaBob.callTool({ name: 'fx__add', arguments: { a: i, b: 1 } });

    type Report = { rows: Array<{ key: string; calls: number; p50: number | null; p99: number | null }>; members: Array<{ member: string }> };
    const byMember = async (): Promise<Record<string, number>> => {
      const report = await alice.gw.api<Report>('sync.teamLatency', { groupBy: 'member' });
      return Object.fromEntries(report.rows.map((r) => [r.key, r.calls]));
    };
    await expect.poll(byMember, { timeout: 30_000, interval: 500 }).toEqual({ alice: 20, bob: 10 });
    const byTool = await bob.gw.api<Report>('sync.teamLatency', { groupBy: 'tool' });
    expect(byTool.rows.map((r) => [r.key, r.calls])).toEqual([
      ['fx__echo', 20],
      ['fx__add', 10],
    ]);
    for (const row of byTool.rows) {
      expect(row.p50).toBeGreaterThan(0);
      expect(row.p99).toBeGreaterThanOrEqual(row.p50 ?? 0);
    }
    expect(byTool.members.map((m) => m.member).sort()).toEqual(['alice', 'bob']);
    // alice's private preset is not in the team's data...
    const viaNotes = await connectClient(`${alice.gw.url}/mcp/notes`);
    clients.push(viaNotes);
    for (let i = 0; i < 5; i++) await viaNotes.callTool({ name: 'fx__echo', arguments: { text: `n${i}` } });
    await alice.gw.api('sync.now');
    const seen = async (): Promise<string[]> =>
      (await teamRows<{ preset_slug: string }>(scratch.url, 'select distinct preset_slug from team_metrics_hourly order by 1')).map((r) => r.preset_slug);
    expect(await seen()).toEqual(['tools']);
    // ...until it is shared: then its recent history goes too.
    await alice.gw.api('sync.share', { slug: 'notes' });
    await expect.poll(seen, { timeout: 15_000 }).toEqual(['notes', 'tools']);
    // Rolled up and pushed in pieces as the rollup catches up: all five arrive.
    const notesCalls = async () => (await alice.gw.api<Report>('sync.teamLatency', { groupBy: 'preset' })).rows.find((r) => r.key === 'notes')?.calls;
    await expect.poll(notesCalls, { timeout: 15_000 }).toBe(5);
    await alice.gw.api('sync.unshare', { slug: 'notes' });
    await expect.poll(async () => (await status(alice)).pending, { timeout: 15_000 }).toBe(0);
  }, 90_000);

  it('withdrawing a shared preset removes the team copy from other machines and keeps the local one', async () => {
    await alice.gw.api('sync.unshare', { slug: 'extra' });
    await expect.poll(async () => (await preset(bob, 'extra').catch(() => null)) === null, { timeout: 15_000 }).toBe(true);
    expect((await preset(alice, 'extra')).description).toBe('made offline');
    expect((await status(alice)).shared.map((s) => s.slug)).toEqual(['tools']);
  }, 60_000);

  it('withdrawing right after publishing, before its own publication came back, is not a conflict', async () => {
    // carol syncs only when told to (a long interval), so the order of her cycles is known.
    const carol = await startMember('carol', scratch.url, undefined, { syncIntervalMs: 600_000 });
    try {
      await carol.gw.api('config.apply', {
        config: { servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } }, presets: { drafts: { description: 'carol', servers: { fx: true } } } },
      });
      await carol.gw.api('sync.share', { slug: 'drafts' }); // starts a cycle: pull (nothing yet), then publish
      await expect.poll(async () => (await status(carol)).shared[0]?.remoteVersion, { timeout: 15_000 }).toBe(1);
      // The next cycle pulls carol's own version 1 while her withdrawal (based on 1) waits.
      await carol.gw.api('sync.unshare', { slug: 'drafts' });
      await expect.poll(async () => (await status(carol)).pending, { timeout: 15_000 }).toBe(0);
      expect(await conflicts(carol)).toEqual([]);
      const [row] = await teamRows<{ deleted: boolean; version: number }>(scratch.url, `select deleted, version from team_presets where slug = 'drafts'`);
      expect(row).toEqual({ deleted: true, version: 2 });
      expect((await preset(carol, 'drafts')).description).toBe('carol');
    } finally {
      await carol.gw.stop();
      await carol.proxy.cut();
      await removeDir(carol.dataDir);
    }
  }, 60_000);

  it('a server changed here and not yet published is not undone by a team preset that still has the old one', async () => {
    type ServerView = { timeoutMs: number | null };
    await alice.gw.api('config.apply', { config: { presets: { second: { description: 'also fx', servers: { fx: { tools: ['echo'] } } } } } });
    await alice.gw.api('sync.share', { slug: 'second' });
    await expect.poll(async () => (await status(bob)).shared.map((s) => s.slug).sort(), { timeout: 15_000 }).toEqual(['second', 'tools']);

    await bob.proxy.cut();
    await bob.gw.api('servers.update', { name: 'fx', spec: { command: process.execPath, args: [fixturePath, 'stdio'], timeoutMs: 12_345 } });
    expect((await status(bob)).pending).toBe(2); // both shared presets bind fx
    // Meanwhile alice publishes a new preset carrying fx as it was.
    await alice.gw.api('config.apply', { config: { presets: { third: { description: 'new', servers: { fx: true } } } } });
    await alice.gw.api('sync.share', { slug: 'third' });
    await expect.poll(async () => (await status(alice)).shared.find((s) => s.slug === 'third')?.state, { timeout: 15_000 }).toBe('synced');

    await bob.proxy.open();
    await expect.poll(async () => (await preset(bob, 'third').catch(() => null))?.description, { timeout: 15_000 }).toBe('new');
    await expect.poll(async () => (await status(bob)).pending, { timeout: 15_000 }).toBe(0);
    expect((await bob.gw.api<ServerView>('servers.get', { name: 'fx' })).timeoutMs).toBe(12_345);
    // bob's change reached alice through the presets he published.
    await expect.poll(async () => (await alice.gw.api<ServerView>('servers.get', { name: 'fx' })).timeoutMs, { timeout: 15_000 }).toBe(12_345);
    expect(await conflicts(bob)).toEqual([]);
    expect(await conflicts(alice)).toEqual([]);
  }, 90_000);

  it('a document this gateway refuses (hand-edited team database) is skipped and logged; the rest still arrive', async () => {
    const broken = { format: 1, preset: { visibility: 'everyone', servers: {} }, servers: {} };
    const fine = { format: 1, preset: { name: 'Fine', description: 'valid', servers: { fx: { tools: ['echo'] } } }, servers: { fx: { transport: 'stdio', command: process.execPath, args: [fixturePath, 'stdio'], enabled: true } } };
    await teamRows(scratch.url, `insert into team_presets (slug, version, doc, updated_by) values ('broken', 1, $1, 'mallory'), ('fine', 1, $2, 'mallory')`, [
      JSON.stringify(broken),
      JSON.stringify(fine),
    ]);
    await expect.poll(async () => (await preset(bob, 'fine').catch(() => null))?.description, { timeout: 15_000 }).toBe('valid');
    await expect(preset(bob, 'broken')).rejects.toThrow(/not_found/);
    const { items } = await bob.gw.api<{ items: Array<{ action: string; target: string | null }> }>('audit.list', { action: 'sync.skipped' });
    expect(items.map((i) => i.target)).toContain('preset:broken');
    expect((await status(bob)).lastError).toBeNull();
  }, 60_000);

  it('keeps every version: the history lists them, and an earlier one can be restored as the newest', async () => {
    type History = { items: Array<{ version: number; updatedBy: string; deleted: boolean; doc: { preset?: { description?: string } } | null }> };
    const { items } = await bob.gw.api<History>('sync.history', { slug: 'tools' });
    expect(items.map((i) => i.version)).toEqual([...items.map((i) => i.version)].sort((a, b) => b - a));
    expect(items.length).toBeGreaterThanOrEqual(5);
    const latest = items[0]!.version;
    const alices = items.find((i) => i.doc?.preset?.description === 'edited by alice');
    expect(alices).toMatchObject({ version: 2, updatedBy: 'alice' });

    await bob.gw.api('sync.restore', { slug: 'tools', version: 2 });
    expect((await preset(bob, 'tools')).description).toBe('edited by alice');
    await expect.poll(async () => (await preset(alice, 'tools')).description, { timeout: 15_000 }).toBe('edited by alice');
    const after = await bob.gw.api<History>('sync.history', { slug: 'tools', limit: 1 });
    expect(after.items).toEqual([expect.objectContaining({ version: latest + 1, updatedBy: 'bob' })]);
    await expect(bob.gw.api('sync.restore', { slug: 'tools', version: 999 })).rejects.toThrow(/not_found: .*no restorable version 999/);
  }, 60_000);

  it('the CLI shows sync state and conflicts; a team gateway on the same database reports the whole team', async () => {
    const shown = await runCli(['sync', 'status', '--data-dir', alice.dataDir]);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/State:\s+(idle|syncing)/);
    expect(shown.stdout).toMatch(/Member:\s+alice/);
    expect(shown.stdout).toMatch(/tools\s+\d+\s+synced\s+kept local/);
    expect(shown.stdout).not.toContain(':postgres@'); // no password in a URL here, and none would be printed
    expect((await runCli(['sync', 'conflicts', '--data-dir', bob.dataDir])).stdout).toContain('No conflicts.');
    const history = await runCli(['sync', 'history', 'tools', '--limit', '3', '--data-dir', bob.dataDir]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/^VERSION\s+BY\s+WHEN\s+STATE$/m);
    expect(history.stdout).toMatch(/^\d+\s+bob\s+\S+\s+newest$/m);
    const wrong = await runCli(['sync', 'resolve', 'first', '--keep', 'mine', '--data-dir', bob.dataDir]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('ID is the number');

    const team = await startGateway({ args: ['--database-url', scratch.url] });
    try {
      const report = await team.api<{ rows: Array<{ key: string; calls: number }> }>('sync.teamLatency', { groupBy: 'member' });
      expect(Object.fromEntries(report.rows.map((r) => [r.key, r.calls]))).toEqual({ alice: 25, bob: 10 }); // 5 calls to 'notes' stayed after it was withdrawn
      expect(await team.api<SyncStatus>('sync.status')).toMatchObject({ available: false, state: 'disabled' });
      await expect(team.api('sync.configure', { url: scratch.url })).rejects.toThrow(/bad_request: .*team database itself/);
    } finally {
      await team.stop();
      await removeDir(team.dataDir);
    }
  }, 90_000);
});
