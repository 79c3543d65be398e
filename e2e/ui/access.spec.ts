import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { connectClient } from '../support/mcp-client.js';
import { fixturePath, startUiGateway, type UiGateway } from './support/ui-gateway.js';
import { screenshot, setTheme } from './support/screens.js';

/**
 * Access end to end against a real `mcp-gateway serve`: make a private preset in the editor,
 * create a token scoped to it on the Access screen (shown once), use it from an SDK client,
 * revoke it, watch the client get a 401 and the refusal land in the audit log.
 */
test.describe.configure({ mode: 'serial' });

let gw: UiGateway;
let context: BrowserContext;
let page: Page;
let token = '';

const SLUG = 'secret';
const presetUrl = (): string => `${gw.url}/mcp/${SLUG}`;
const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

/** What connecting an SDK client with `bearer` ends in: its tool names, or the HTTP status it was refused with. */
async function tryClient(bearer?: string): Promise<{ tools?: string[]; status?: number; message?: string }> {
  let client;
  try {
    client = await connectClient(presetUrl(), bearer ? { token: bearer } : {});
    return { tools: (await client.listTools()).tools.map((t) => t.name) };
  } catch (error) {
    return { status: (error as { code?: number }).code, message: (error as Error).message };
  } finally {
    await client?.close().catch(() => undefined);
  }
}

test.beforeAll(async ({ browser }) => {
  gw = await startUiGateway();
  await gw.api('servers.create', { name: 'fx', spec: { command: process.execPath, args: [fixturePath, 'stdio'] } });
  context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], colorScheme: 'light' });
  page = await context.newPage();
});

test.afterAll(async () => {
  await context?.close();
  await gw?.stop();
});

test('a private preset made in the editor refuses a client without a token', async () => {
  await page.goto(gw.uiLink);
  await expect(page.getByRole('heading', { name: 'Presets', level: 1 })).toBeVisible();
  await page.getByRole('button', { name: 'New preset' }).first().click();
  await page.getByLabel('Slug').fill(SLUG);
  await page.getByLabel('Name', { exact: true }).fill('Secret tools');
  await page.getByLabel('Visibility').selectOption('private');
  await expect(page.getByRole('link', { name: 'Access' }).last()).toBeVisible(); // the hint points at the Access screen
  await page.getByRole('button', { name: 'Create preset' }).click();
  await expect(page).toHaveURL(new RegExp(`/presets/${SLUG}$`));
  await page.getByLabel('Server to add').selectOption('fx');
  await page.getByRole('button', { name: 'Add to preset' }).click();
  await expect(page.getByTestId('tool-echo')).toBeVisible();
  const refused = await tryClient();
  expect(refused.status, refused.message).toBe(401);
});

test('creates a token scoped to the preset and shows it once', async () => {
  await nav('Access').click();
  await expect(page).toHaveURL(/\/access$/);
  await expect(page.getByRole('heading', { name: 'Access', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No access tokens yet' })).toBeVisible();
  await expect(page.getByTestId('audit-table')).toContainText('presets.create');
  await screenshot(page, 'access-empty');

  await page.getByRole('button', { name: 'Create a token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Create an access token' });
  // Keyboard: the dialog takes focus (its close button), the form is next in tab order.
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByLabel('Principal')).toBeFocused();
  await dialog.getByRole('checkbox', { name: SLUG }).check();
  await dialog.getByLabel('Expires in (days)').fill('0');
  await expect(dialog.getByRole('alert')).toContainText('positive number of days');
  await dialog.getByLabel('Expires in (days)').fill('1');
  await expect(dialog.getByRole('alert')).toHaveCount(0);
  await screenshot(page, 'access-create', { fullPage: false });
  await dialog.getByRole('button', { name: 'Create token' }).click();

  const shown = page.getByRole('dialog', { name: 'Copy your new token' });
  await expect(shown).toContainText('You will not see this token again.');
  token = await shown.getByRole('textbox', { name: 'New token' }).inputValue();
  expect(token).toMatch(/^mgw_[A-Za-z0-9_-]{43}$/);
  await shown.getByRole('button', { name: 'Copy new token' }).click();
  await expect(shown.getByRole('button', { name: 'Copy new token' })).toHaveText('Copied');
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);
  await screenshot(page, 'access-token-once', { fullPage: false });
  await shown.getByRole('button', { name: 'Done, I copied it' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect(await page.content()).not.toContain(token);

  const row = page.getByTestId('tokens-table').locator('tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(SLUG);
  await expect(row).toContainText('Active');
  const [listed] = (await gw.api<{ items: Array<{ id: string; presetScope: string[]; principal: string }> }>('tokens.list')).items;
  expect(listed?.presetScope).toEqual([SLUG]);
  await expect(row).toContainText(listed?.id.slice(0, 8) ?? '?');
});

test('an SDK client uses the private preset with the token', async () => {
  const allowed = await tryClient(token);
  expect(allowed.message).toBeUndefined();
  expect(allowed.tools).toContain('fx__echo');
});

test('revoking in the UI (after confirming) makes the client get 401', async () => {
  const row = page.getByTestId('tokens-table').locator('tbody tr');
  await row.getByRole('button', { name: /^Revoke token/ }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke this token?' });
  await expect(confirm).toContainText('cannot be undone');
  await screenshot(page, 'access-revoke-confirm', { fullPage: false });
  await confirm.getByRole('button', { name: 'Revoke token' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(row).toContainText('Revoked');
  await expect(row.getByRole('button', { name: /Revoke/ })).toHaveCount(0);

  const refused = await tryClient(token);
  expect(refused.status, refused.message).toBe(401);
  expect(refused.message).toContain('revoked');
});

test('the refusal shows in the audit log, highlighted, with its detail (light and dark)', async () => {
  const table = page.getByTestId('audit-table');
  const denied = table.locator('tr[data-outcome="denied"]', { hasText: `preset:${SLUG}` }).filter({ hasText: 'token:' });
  // Refusals are written in batches (about every second): refresh until it is there.
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(denied.first()).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(denied.first()).toContainText('access.denied');
  await expect(table).toContainText('tokens.revoke');
  await expect(table).toContainText('tokens.create');
  // Newest first.
  const ids = await table.locator('tbody tr[data-outcome]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-testid')?.replace('audit-', ''))));
  expect(ids).toEqual([...ids].sort((a, b) => b - a));

  const show = denied.first().getByRole('button', { name: /detail of access\.denied/ });
  await expect(show).toHaveText('Show');
  await show.focus();
  await page.keyboard.press('Enter');
  await expect(show).toHaveAttribute('aria-expanded', 'true');
  await expect(show).toHaveText('Hide');
  await expect(table.locator('.audit-detail').first()).toContainText('this token was revoked');

  await page.getByLabel('Action').fill('access.denied');
  await page.getByLabel('Action').press('Enter');
  await expect(page.getByRole('button', { name: 'Show every action' })).toBeVisible();
  await expect(table.locator('tbody tr[data-outcome]')).not.toHaveCount(0);
  for (const action of await table.locator('tbody tr[data-outcome] td:nth-child(3)').allTextContents()) expect(action).toBe('access.denied');
  await screenshot(page, 'access-audit');
  await setTheme(page, 'dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await screenshot(page, 'access-dark');
  await setTheme(page, 'light');
});
