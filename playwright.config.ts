import { defineConfig } from '@playwright/test';

/**
 * UI tests: Debian's Chromium (`apt-get install -y chromium`) against the real `mcp-gateway serve`
 * and, for the desktop shell, the real Electron main under a stand-in `electron` module.
 * Never `npx playwright install`: browsers cannot be downloaded on our machines.
 */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: 'e2e/ui',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/ui',
  // Each spec starts its own gateway and upstreams; two cores are shared, so one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env['CI']),
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    viewport: { width: 1360, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
});
