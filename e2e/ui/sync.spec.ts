import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { createScratchDatabase } from '../../gateway/db/postgres.js';
import { fixturePath, startUiGateway, type UiGateway } from './support/ui-gateway.js';
import { screenshot } from './support/screens.js';

/**
 * Desktop ↔ team sync end to end: a real `mcp-gateway serve` (embedded database) is pointed at a
 * scratch database on the machine's PostgreSQL through the Sync screen's form, shares a preset,
 * syncs, and shows it as team version 1. A second gateway joining the same database receives it.
 */
test.describe.configure({ mode: 'serial' });

const ADMIN_URL = process.env['MCP_GATEWAY_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'; // pg sends no user name unless the URL has one
const SLUG = 'team-tools';
const MEMBER = 'e2e-desk';

let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let gw: UiGateway;
let other: UiGateway | undefined;
let context: BrowserContext;
let page: Page;
let settingsFile: string;

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
const stateBadge = () => page.getByTestId('sync-state');
const sharedRow = () => page.getByTestId(`shared-${SLUG}`);

test.beforeAll(async ({ browser }) => {
  scratch = await createScratchDatabase(ADMIN_URL, 'mcpgw_uisync');
  // This machine syncs only when something asks it to (a save, a share, "Sync now", a local
  // edit), so the concurrent-edit test below knows the order of its cycles.
  settingsFile = join(await mkdtemp(join(tmpdir(), 'mcp-gw-uisync-')), 'settings.json');
  await writeFile(settingsFile, JSON.stringify({ gateway: { syncIntervalMs: 600_000 } }));
  gw = await startUiGateway({ args: ['--config', settingsFile] });
  await gw.api('servers.create', { name: 'fx', spec: { command: process.execPath, args: [fixturePath, 'stdio'] } });
  await gw.api('presets.create', { slug: SLUG, spec: { name: 'Team tools', servers: { fx: true } } });
  context = await browser.newContext({ colorScheme: 'light' });
  page = await context.newPage();
});

test.afterAll(async () => {
  await context?.close();
  await other?.stop();
  await gw?.stop();
  await scratch?.drop();
  if (settingsFile) await rm(dirname(settingsFile), { recursive: true, force: true });
});

test('the Sync screen starts disabled and connects to the team database through its form', async () => {
  await page.goto(gw.uiLink);
  await expect(page.getByRole('heading', { name: 'Presets', level: 1 })).toBeVisible();
  await nav('Sync').click();
  await expect(page).toHaveURL(/\/sync$/);
  await expect(page.getByRole('heading', { name: 'Sync', level: 1 })).toBeVisible();
  const connection = page.getByRole('region', { name: 'Connection' });
  await expect(stateBadge()).toHaveText('Disabled');
  await expect(connection.getByRole('button', { name: 'Sync now' })).toHaveCount(0);
  await expect(connection).toContainText('password is stored encrypted on this machine');
  await screenshot(page, 'sync-disabled');

  // The contract's check runs in the form before anything is sent.
  await connection.getByLabel('Team database URL').fill('mysql://127.0.0.1/team');
  await expect(connection.getByText('expected a postgres:// or postgresql:// URL')).toBeVisible();
  await connection.getByLabel('Team database URL').fill(scratch.url);
  await connection.getByLabel('Member name').fill(MEMBER);
  await connection.getByLabel('Metrics shared with the team').selectOption('shared');
  await connection.getByRole('button', { name: 'Save', exact: true }).click();

  await expect(connection.getByRole('button', { name: 'Sync now' })).toBeVisible();
  await expect(connection.getByRole('button', { name: 'Turn off' })).toBeVisible();
  await expect(connection.getByTestId('sync-facts')).toContainText(MEMBER);
  await expect(connection.getByTestId('sync-facts')).toContainText(scratch.name);
  await expect(stateBadge()).not.toHaveText('Disabled');
  await expect(page.getByRole('region', { name: 'Shared presets' })).toBeVisible();
  const status = await gw.api<{ configured: boolean; member: string; url: string }>('sync.status');
  expect(status).toMatchObject({ configured: true, member: MEMBER });
});

test('shares a preset without its secrets and sees it synced as team version 1', async () => {
  const share = page.getByRole('form', { name: 'Share a preset' });
  await share.getByLabel('Preset to share').selectOption(SLUG);
  const secrets = share.getByRole('checkbox', { name: 'Also share env values and headers (secrets)' });
  await expect(secrets).not.toBeChecked();
  await secrets.check();
  await expect(share.getByRole('note')).toContainText('Everyone who can read the team database');
  await secrets.uncheck();
  await expect(share.getByRole('note')).toHaveCount(0);
  await share.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(sharedRow()).toBeVisible();
  await expect(sharedRow().getByRole('cell', { name: 'No', exact: true })).toBeVisible(); // secrets not shared

  await page.getByRole('region', { name: 'Connection' }).getByRole('button', { name: 'Sync now' }).click();
  await expect(sharedRow().getByTestId('team-version')).toHaveText('1');
  await expect(sharedRow()).toContainText('Synced');
  await expect(stateBadge()).toHaveText('Idle');
  await expect(page.getByRole('region', { name: 'Connection' }).getByTestId('sync-facts')).not.toContainText('never');
  await expect(page.getByRole('region', { name: 'Conflicts' })).toContainText('No conflicts');
  // The team report works from the first moment (the team tables are created on first use).
  await expect(page.getByRole('region', { name: 'Team latency' })).not.toContainText('Could not load');
  await screenshot(page, 'sync-shared');

  // It really is in the team database, published by this member.
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number; updated_by: string; deleted: boolean }>('select version, updated_by, deleted from team_presets where slug = $1', [SLUG]);
    expect(rows).toEqual([{ version: 1, updated_by: MEMBER, deleted: false }]);
  } finally {
    await client.end();
  }
});

test('a second machine joining the team database receives the shared preset', async () => {
  other = await startUiGateway();
  await other.api('sync.configure', { url: scratch.url, member: 'e2e-other' });
  await expect
    .poll(
      async () => {
        await (other as UiGateway).api('sync.now');
        const { items } = await (other as UiGateway).api<{ items: Array<{ slug: string }> }>('presets.list', { limit: 200 });
        return items.map((p) => p.slug);
      },
      { timeout: 30_000 },
    )
    .toContain(SLUG);
  // The first machine's team latency panel lists both members once they have synced.
  await page.getByRole('region', { name: 'Connection' }).getByRole('button', { name: 'Sync now' }).click();
  await expect(stateBadge()).toHaveText('Idle');
  const team = page.getByRole('region', { name: 'Team latency' });
  await expect(async () => {
    await team.getByRole('button', { name: 'Refresh' }).click();
    await expect(team.getByTestId('team-members')).toContainText('e2e-other', { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(team.getByTestId('team-members')).toContainText(MEMBER);
  await screenshot(page, 'sync-team');
});

test('a concurrent edit shows up as a conflict with both versions, and "Keep mine" publishes over it', async () => {
  const peer = other as UiGateway;
  // The other machine publishes version 2; this one edits its copy of version 1 before pulling it.
  await peer.api('config.apply', { config: { presets: { [SLUG]: { description: 'edited on the other machine' } } } });
  await peer.api('sync.now');
  await gw.api('config.apply', { config: { presets: { [SLUG]: { description: 'edited at this desk' } } } });

  const conflicts = page.getByRole('region', { name: 'Conflicts' });
  const mine = conflicts.getByRole('button', { name: `Keep mine for ${SLUG}` });
  await expect(mine).toBeVisible({ timeout: 20_000 });
  await expect(conflicts).toContainText('edited at this desk');
  await expect(conflicts).toContainText('edited on the other machine');
  await expect(sharedRow()).toContainText('Conflict');
  await screenshot(page, 'sync-conflict');
  await mine.click();
  await expect(conflicts).toContainText('No conflicts');
  await expect(sharedRow().getByTestId('team-version')).toHaveText('3', { timeout: 20_000 });
  await expect(sharedRow()).toContainText('Synced');

  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number; updated_by: string }>('select version, updated_by from team_presets where slug = $1', [SLUG]);
    expect(rows).toEqual([{ version: 3, updated_by: MEMBER }]);
    const history = await client.query<{ n: number }>('select count(*)::int as n from team_preset_revisions where slug = $1', [SLUG]);
    expect(history.rows[0]?.n).toBe(3); // the other machine's version 2 is kept
  } finally {
    await client.end();
  }

  // ...and can be brought back from the history: it becomes version 4.
  await sharedRow().getByRole('button', { name: `History of ${SLUG}` }).click();
  const dialog = page.getByRole('dialog', { name: `History of ${SLUG}` });
  await expect(dialog.getByTestId('version-3')).toContainText('newest');
  await dialog.getByTestId('version-2').getByRole('radio').check();
  await expect(dialog).toContainText('edited on the other machine');
  await screenshot(page, 'sync-history');
  await dialog.getByRole('button', { name: 'Restore version 2' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(sharedRow().getByTestId('team-version')).toHaveText('4', { timeout: 20_000 });
  expect((await gw.api<{ description: string }>('presets.get', { slug: SLUG })).description).toBe('edited on the other machine');
});

