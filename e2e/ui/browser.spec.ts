import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectClient } from '../support/mcp-client.js';
import { fixturePath, startUiGateway, type UiGateway } from './support/ui-gateway.js';
import { screenshot, setTheme } from './support/screens.js';

/**
 * The whole browser flow against a real `mcp-gateway serve` with fixture upstreams: add a server,
 * build a preset, switch a tool off and watch it leave an MCP client's tools/list, call a tool in
 * the Playground, find the call on the Dashboard, copy and write a Connect snippet, import.
 */
test.describe.configure({ mode: 'serial' });

let gw: UiGateway;
let context: BrowserContext;
let page: Page;
let client: Client | undefined;

test.beforeAll(async ({ browser }) => {
  gw = await startUiGateway();
  context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], colorScheme: 'light' });
  page = await context.newPage();
});

test.afterAll(async () => {
  await client?.close().catch(() => undefined);
  await context?.close();
  await gw?.stop();
});

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

test('a browser without the token is asked for it; a wrong token is refused', async ({ browser }) => {
  const other = await browser.newContext();
  const login = await other.newPage();
  await login.goto(gw.url);
  await expect(login.getByRole('heading', { name: 'MCP Gateway' })).toBeVisible();
  await login.getByLabel('Admin token').fill('not-the-token');
  await login.getByRole('button', { name: 'Connect' }).click();
  await expect(login.getByRole('alert')).toContainText('refused this token');
  await login.getByLabel('Admin token').fill(gw.token);
  await login.getByRole('button', { name: 'Connect' }).click();
  await expect(login.getByRole('heading', { name: 'Presets', level: 1 })).toBeVisible();
  await other.close();
});

test('the printed link opens the UI and the token leaves the address bar', async () => {
  expect(gw.uiLink).toMatch(/\/#token=[0-9a-f]{64}$/);
  await page.goto(gw.uiLink);
  await expect(page.getByRole('heading', { name: 'Presets', level: 1 })).toBeVisible();
  expect(page.url()).not.toContain('token');
  expect(await page.evaluate('sessionStorage.getItem("mcp-gateway.admin-token")')).toBe(gw.token);
  await expect(page.getByRole('heading', { name: 'No presets yet' })).toBeVisible();
  await expect(page.getByTestId('gateway-status')).toContainText('Running');
  // The UI is served with a strict CSP.
  const response = await page.request.get(`${gw.url}/presets`);
  expect(response.headers()['content-security-policy']).toContain("script-src 'self'");
  await screenshot(page, 'presets-empty');
});

test('adds a stdio server and sees it become ready', async () => {
  await page.getByRole('button', { name: 'Add a server' }).click();
  await expect(page.getByRole('heading', { name: 'Add server', level: 2 })).toBeVisible();
  await page.getByLabel('Name').fill('fx');
  await page.getByLabel('Command').fill(process.execPath);
  await page.getByLabel('Arguments').fill(`${fixturePath} stdio`);
  await expect(page.getByText('Only add commands you trust')).toBeVisible();
  await screenshot(page, 'server-new');
  await page.getByRole('button', { name: 'Add server' }).click();
  await expect(page).toHaveURL(/\/servers\/fx$/);
  await expect(page.locator('.badge[data-state="ready"]').first()).toBeVisible();
  await expect(page.getByText('9 tools', { exact: true }).first()).toBeVisible();
  await screenshot(page, 'server-detail');
  await nav('Servers').click();
  await expect(page.getByTestId('server-fx')).toContainText('Ready');
  await screenshot(page, 'servers');
});

test('creates a preset, and a tool switched off leaves an MCP client’s tools/list', async () => {
  await nav('Presets').click();
  await page.getByRole('button', { name: 'New preset' }).first().click();
  await page.getByLabel('Slug').fill('dev');
  await page.getByLabel('Name', { exact: true }).fill('Dev tools');
  await page.getByLabel('Description').fill('Fixture tools for the UI test');
  await page.getByRole('button', { name: 'Create preset' }).click();
  await expect(page).toHaveURL(/\/presets\/dev$/);
  await page.getByLabel('Server to add').selectOption('fx');
  await page.getByRole('button', { name: 'Add to preset' }).click();
  await expect(page.getByTestId('tool-echo')).toBeVisible();
  await expect(page.getByTestId('tool-stats')).toContainText('9 tools exposed');
  await expect(page.getByTestId('preset-url')).toHaveText(`${gw.url}/mcp/dev`);

  client = await connectClient(`${gw.url}/mcp/dev`);
  const before = (await client.listTools()).tools.map((t) => t.name);
  expect(before).toContain('fx__add');
  expect(before).toContain('fx__echo');

  await page.getByLabel('Allow add').uncheck();
  await expect(page.getByTestId('tool-stats')).toContainText('8 tools exposed');
  await expect(page.getByTestId('tool-add')).toContainText('hidden');
  await expect
    .poll(async () => (await client!.listTools()).tools.map((t) => t.name), { timeout: 10_000 })
    .not.toContain('fx__add');
  expect((await client.listTools()).tools.map((t) => t.name)).toContain('fx__echo');
  const detail = await gw.api<{ servers: Array<{ allowedTools: string[] }> }>('presets.get', { slug: 'dev' });
  expect(detail.servers[0]?.allowedTools).not.toContain('add');
  expect(detail.servers[0]?.allowedTools).toContain('echo');
  await screenshot(page, 'preset-editor');
  await nav('Presets').click();
  await expect(page.getByTestId('preset-dev')).toContainText('Dev tools');
  await screenshot(page, 'presets');
});

test('calls a tool in the Playground and sees result and latency', async () => {
  await nav('Playground').click();
  await expect(page.getByLabel('Preset')).toHaveValue('dev');
  await page.getByRole('button', { name: /fx__echo/ }).click();
  await page.getByLabel('text *').fill('hello from the playground');
  await page.getByRole('button', { name: 'Call tool' }).click();
  const result = page.getByTestId('call-result');
  await expect(result).toContainText('hello from the playground');
  await expect(result).toContainText('OK');
  await expect(page.getByTestId('call-latency')).toHaveText(/\d+(\.\d+)? (ms|s)/);
  // Raw JSON mode sends the same call.
  await page.getByRole('button', { name: 'JSON' }).click();
  await expect(page.getByLabel('Arguments (JSON)')).toHaveValue(/hello from the playground/);
  await screenshot(page, 'playground');
});

test('the call shows on the Dashboard (light and dark)', async () => {
  await nav('Dashboard').click();
  const recent = page.getByTestId('recent-calls');
  await expect(recent).toContainText('fx__echo');
  await expect(recent).toContainText('dev');
  await expect(page.getByTestId('kpis')).toContainText('Calls');
  await expect(page.locator('.chart canvas').first()).toBeVisible();
  await page.getByRole('button', { name: '1h' }).click();
  await expect(recent).toContainText('fx__echo');
  await screenshot(page, 'dashboard');
  await setTheme(page, 'dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.waitForTimeout(300);
  await screenshot(page, 'dashboard-dark');
  await nav('Presets').click();
  await screenshot(page, 'presets-dark');
  await setTheme(page, 'light');
});

test('copies a Connect snippet and writes a client config with a diff, backup and consent', async () => {
  // An existing Cursor config with another server: the write must keep it and back it up.
  const cursorFile = join(gw.home, '.cursor', 'mcp.json');
  await mkdir(dirname(cursorFile), { recursive: true });
  await writeFile(cursorFile, JSON.stringify({ mcpServers: { other: { url: 'http://127.0.0.1:9/mcp' } } }, null, 2));

  await nav('Connect').click();
  const cursor = page.getByTestId('client-cursor');
  await expect(cursor).toBeVisible();
  await cursor.getByRole('button', { name: 'Copy Cursor config' }).click();
  await expect(cursor.getByRole('button', { name: 'Copy Cursor config' })).toHaveText('Copied');
  const copied = JSON.parse(String(await page.evaluate('navigator.clipboard.readText()'))) as { mcpServers: Record<string, { url: string }> };
  expect(copied.mcpServers['mcp-gateway-dev']?.url).toBe(`${gw.url}/mcp/dev`);
  const desktop = JSON.parse((await page.getByTestId('snippet-claude-desktop').textContent()) ?? '{}') as { mcpServers: Record<string, { args: string[] }> };
  expect(desktop.mcpServers['mcp-gateway-dev']?.args).toEqual(expect.arrayContaining(['connect', 'dev', '--url', gw.url]));
  await screenshot(page, 'connect');

  await cursor.getByRole('button', { name: 'Add to config file…' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('mcp-gateway-dev');
  await expect(dialog.locator('.diff-add').first()).toBeVisible();
  const write = dialog.getByRole('button', { name: 'Write file' });
  await expect(write).toBeDisabled();
  await screenshot(page, 'connect-diff', { fullPage: false });
  await dialog.getByRole('checkbox').check();
  await write.click();
  await expect(dialog).toContainText('The previous version is saved as');
  const written = JSON.parse(await readFile(cursorFile, 'utf8')) as { mcpServers: Record<string, { url: string }> };
  expect(Object.keys(written.mcpServers)).toEqual(['other', 'mcp-gateway-dev']);
  expect(written.mcpServers['mcp-gateway-dev']?.url).toBe(`${gw.url}/mcp/dev`);
  const backup = (await dialog.locator('code').nth(1).textContent()) ?? '';
  expect(JSON.parse(await readFile(backup, 'utf8'))).toEqual({ mcpServers: { other: { url: 'http://127.0.0.1:9/mcp' } } });
  await dialog.getByRole('button', { name: 'Done' }).click();
});

test('imports a server from a Claude Desktop config after showing its command', async () => {
  const claudeFile = join(gw.home, '.config', 'Claude', 'claude_desktop_config.json');
  await mkdir(dirname(claudeFile), { recursive: true });
  await writeFile(claudeFile, JSON.stringify({ mcpServers: { 'Notes App': { command: process.execPath, args: [fixturePath, 'stdio', '--name', 'notes'], env: { NOTES_KEY: 'secret-value' } } } }));

  await nav('Import').click();
  await page.getByRole('button', { name: 'Read Claude Desktop config' }).click();
  const review = page.getByRole('region', { name: 'Review servers' });
  await expect(review).toContainText('notes-app');
  await expect(review).toContainText(`${process.execPath} ${fixturePath} stdio --name notes`);
  await expect(review).toContainText('NOTES_KEY');
  await expect(review).not.toContainText('secret-value');
  const importButton = page.getByRole('button', { name: /Import \d selected/ });
  await expect(importButton).toBeDisabled();
  await page.getByLabel('Import notes-app').check();
  await page.getByLabel('Also add them to a preset').fill('dev');
  await screenshot(page, 'import-review');
  await importButton.click();
  await expect(page.getByRole('status', { name: 'Import result' })).toContainText('Servers added: notes-app');
  const detail = await gw.api<{ servers: Array<{ serverName: string; allowedTools: string[] }> }>('presets.get', { slug: 'dev' });
  expect(detail.servers.map((s) => s.serverName)).toEqual(['fx', 'notes-app']);
  expect(detail.servers[0]?.allowedTools).not.toContain('add'); // the existing binding is kept
  await screenshot(page, 'import-done');
});

test('settings show where the gateway runs and how to change it', async () => {
  await nav('Settings').click();
  await expect(page.getByRole('heading', { name: 'This gateway' })).toBeVisible();
  await expect(page.getByText(gw.dataDir)).toBeVisible();
  await screenshot(page, 'settings');
  await page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: 'Dark' }).click();
  await screenshot(page, 'settings-dark');
  await page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: 'Light' }).click();
});
