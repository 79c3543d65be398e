import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config.js';
import { fixturePath } from './support/ui-gateway.js';
import { screenshot } from './support/screens.js';
import { startStandinApp, type StandinApp } from './support/standin-app.js';

/**
 * The desktop app end to end without the Electron binary: the real main (dist/main/main.js)
 * runs under Node with a stand-in `electron` whose window is a Chromium page. The real preload
 * bridge, the real IPC validation and the real renderer work together; the tray is driven
 * through the stand-in's stdin/stdout.
 */
test.describe.configure({ mode: 'serial' });
void CHROMIUM_ARGS;

let app: StandinApp;
let browser: Browser;
let page: Page;
let origin: string;

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
const bridgeCall = (method: unknown, input: unknown) =>
  page.evaluate(([m, i]) => (globalThis as unknown as { gateway: { call(m: unknown, i: unknown): Promise<unknown> } }).gateway.call(m, i), [method, input] as const) as Promise<{
    ok: boolean;
    value?: Record<string, unknown>;
    error?: { code: string; message: string };
  }>;

test.beforeAll(async () => {
  // Port 0: never collide with a gateway already on 7337.
  app = await startStandinApp({ settings: { port: 0 } });
  const loaded = await app.waitFor('window-loaded');
  origin = new URL(String(loaded['url'])).origin;
  browser = await chromium.connectOverCDP(`http://127.0.0.1:${app.cdpPort}`);
  const pages = browser.contexts().flatMap((c) => c.pages());
  const found = pages.find((p) => p.url().startsWith(origin));
  if (!found) throw new Error(`no window page at ${origin} among ${pages.map((p) => p.url()).join(', ')}`);
  page = found;
});

test.afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await app?.cleanup();
});

test('main opens a sandboxed, isolated window whose only bridge is window.gateway (no token)', async () => {
  const window = await app.waitFor('window');
  expect(window).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  expect(String(window['preload'])).toMatch(/dist\/preload\/preload\.cjs$/);
  expect(await page.evaluate('Object.keys(window.gateway).sort()')).toEqual(['call', 'onEvent']);
  expect(await page.evaluate('typeof require')).toBe('undefined');
  expect(await page.evaluate('sessionStorage.length')).toBe(0);
  await expect(page.getByRole('heading', { name: 'Presets', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'No presets yet' })).toBeVisible();
  await expect(page.getByTestId('gateway-status')).toContainText('Running');
  await screenshot(page, 'desktop-presets-empty');
});

test('the IPC channel checks the method and its input', async () => {
  expect(await bridgeCall('nope.method', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  expect(await bridgeCall(42, {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  expect(await bridgeCall('servers.create', { name: 'Bad Name', spec: {} })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  expect(await bridgeCall('desktop.settings.update', { settings: { port: 'x' } })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  const status = await bridgeCall('gateway.status', {});
  expect(status.ok).toBe(true);
  expect(status.value?.['url']).toBe(origin);
});

test('navigation away and window.open are denied', async () => {
  await page.evaluate("location.href = 'http://127.0.0.1:9/elsewhere'");
  await app.waitFor('navigation-denied', (d) => String(d['url']).includes('/elsewhere'));
  expect(page.url().startsWith(origin)).toBe(true);
  await page.evaluate("window.open('http://127.0.0.1:9/popup')");
  await app.waitFor('window-open-denied');
  await expect(page.getByRole('heading', { name: 'Presets', level: 1 })).toBeVisible();
});

test('adds a server, builds a preset and calls a tool over IPC with live status', async () => {
  await nav('Servers').click();
  await page.getByRole('button', { name: 'Add server' }).click();
  await page.getByLabel('Name').fill('fx');
  await page.getByLabel('Command').fill(process.execPath);
  await page.getByLabel('Arguments').fill(`${fixturePath} stdio`);
  await page.getByRole('button', { name: 'Add server' }).click();
  await expect(page).toHaveURL(/\/servers\/fx$/);
  await expect(page.locator('.badge[data-state="ready"]').first()).toBeVisible();

  await nav('Presets').click();
  await page.getByRole('button', { name: 'New preset' }).first().click();
  await page.getByLabel('Slug').fill('dev');
  await page.getByLabel('Name', { exact: true }).fill('Dev tools');
  await page.getByRole('button', { name: 'Create preset' }).click();
  await page.getByLabel('Server to add').selectOption('fx');
  await page.getByRole('button', { name: 'Add to preset' }).click();
  await expect(page.getByTestId('tool-stats')).toContainText('9 tools exposed');

  await nav('Playground').click();
  await page.getByRole('button', { name: /fx__echo/ }).click();
  await page.getByLabel('text *').fill('hello over IPC');
  await page.getByRole('button', { name: 'Call tool' }).click();
  await expect(page.getByTestId('call-result')).toContainText('hello over IPC');
  await screenshot(page, 'desktop-playground');

  // Upstream secrets are encrypted with a key that safeStorage protects.
  await access(join(app.userData, 'gateway', 'secret.key.safe'));
  await expect(access(join(app.userData, 'gateway', 'secret.key'))).rejects.toThrow();
});

test('the tray shows status and copies a preset URL; pause and resume', async () => {
  await expect.poll(() => app.trayItems(), { timeout: 15_000 }).toContain('(disabled) Servers: 1 up, 0 down');
  expect(app.trayItems()).toContain('(disabled) No errors in the last hour');
  expect(app.trayItems().some((i) => i.startsWith('(disabled) Gateway running on port'))).toBe(true);
  app.clickTray('Copy preset URL > Dev tools (dev)');
  await app.waitFor('clipboard', (d) => d['text'] === `${origin}/mcp/dev`);

  app.clickTray('Pause gateway');
  await expect.poll(() => app.trayItems(), { timeout: 15_000 }).toContain('(disabled) Gateway paused');
  expect(await bridgeCall('gateway.status', {})).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('paused') } });
  await expect(fetch(`${origin}/healthz`)).rejects.toThrow();

  app.clickTray('Resume gateway');
  await expect.poll(() => app.trayItems().some((i) => i.startsWith('(disabled) Gateway running on port')), { timeout: 20_000 }).toBe(true);
  // Port 0: the gateway came back on a new port and main reloaded the window there.
  await expect.poll(() => page.url(), { timeout: 15_000 }).not.toContain(origin);
  origin = new URL(page.url()).origin;
  await expect(page.getByRole('heading', { name: 'Presets', level: 1 })).toBeVisible();
  expect((await bridgeCall('gateway.status', {})).ok).toBe(true);
});

test('desktop settings: launch at login is saved and applied', async () => {
  await nav('Settings').click();
  const form = page.getByRole('form', { name: 'Desktop settings' });
  await expect(form).toBeVisible();
  await expect(form.getByLabel('Data folder')).toHaveValue(join(app.userData, 'gateway'));
  await screenshot(page, 'desktop-settings');
  await form.getByLabel('Launch at login (in the tray)').check();
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();
  await app.waitFor('login-items', (d) => d['openAtLogin'] === true);
  const saved = JSON.parse(await readFile(join(app.userData, 'settings.json'), 'utf8')) as { launchAtLogin: boolean; port: number };
  expect(saved).toMatchObject({ launchAtLogin: true, port: 0 });
});

test('quit from the tray stops the gateway cleanly: lock released, last calls kept', async () => {
  expect((await bridgeCall('tools.call', { slug: 'dev', name: 'fx__echo', arguments: { text: 'last call before quit' } })).ok).toBe(true);
  app.clickTray('Quit MCP Gateway');
  expect(await app.exited).toBe(0);
  const dataDir = join(app.userData, 'gateway');
  await expect(access(join(dataDir, 'gateway.lock'))).rejects.toThrow();
  // Started again on the same user data (same safeStorage-protected key), both Playground calls
  // are there: metrics were flushed on quit.
  const again = await startStandinApp({ userData: app.userData });
  try {
    await again.waitFor('window-loaded');
    const cdp = await chromium.connectOverCDP(`http://127.0.0.1:${again.cdpPort}`);
    try {
      const second = cdp.contexts().flatMap((c) => c.pages()).find((p) => p.url().startsWith('http://127.0.0.1')) as Page;
      const recent = (await second.evaluate("window.gateway.call('metrics.recentCalls', { slug: 'dev', limit: 50 })")) as { ok: boolean; value: { items: Array<{ toolName: string | null }> } };
      expect(recent.ok).toBe(true);
      expect(recent.value.items.filter((c) => c.toolName === 'fx__echo')).toHaveLength(2);
      const servers = (await second.evaluate("window.gateway.call('servers.list', {})")) as { ok: boolean; value: { items: Array<{ name: string }> } };
      expect(servers.value.items.map((s) => s.name)).toEqual(['fx']);
    } finally {
      await cdp.close();
    }
    again.clickTray('Quit MCP Gateway');
    expect(await again.exited).toBe(0);
  } finally {
    await again.kill();
  }
});
