import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type Page } from '@playwright/test';
import { repoRoot } from '../../support/paths.js';

/** Where screenshots of every screen go (an artifact of the run; not committed). */
export const SCREENSHOT_DIR = join(repoRoot, 'test-results', 'ui-screenshots');

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // Let charts and transitions settle; hide the blinking caret.
  if (options.fullPage !== false) await page.evaluate('window.scrollTo(0, 0)');
  await page.waitForTimeout(150);
  await page.screenshot({ path, fullPage: options.fullPage ?? true, caret: 'hide', animations: 'disabled' });
  await test.info().attach(name, { path, contentType: 'image/png' });
  return path;
}

export async function setTheme(page: Page, theme: 'light' | 'dark' | 'system'): Promise<void> {
  await page.getByRole('combobox', { name: 'Theme' }).selectOption(theme);
}
