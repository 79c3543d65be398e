// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const mcpSdk = { group: ['@modelcontextprotocol/*'], message: 'Only gateway/upstream and gateway/mcp talk MCP (DESIGN.md §2).' };
const dbLibs = {
  group: ['drizzle-orm', 'drizzle-orm/*', '@electric-sql/pglite', '@electric-sql/pglite/*', 'pg'],
  message: 'Only gateway/db (and gateway/sync) touch the database libraries (DESIGN.md §2).',
};
const uiAndElectron = {
  group: ['electron', '**/main/**', '**/preload/**', '**/renderer/**'],
  message: 'gateway/ runs headless: it never imports electron or the desktop folders (DESIGN.md §2).',
};
const gatewayInternals = {
  group: ['**/gateway/*', '!**/gateway/contract', '!**/gateway/contract/*'],
  message: 'The UI and preload import only gateway/contract (DESIGN.md §2).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'migrations/**', '.tmp/**', 'renderer/dist/**', 'test-results/**', 'playwright-report/**', 'release/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['gateway/**/*.ts'],
    ignores: ['gateway/upstream/**', 'gateway/mcp/**', 'gateway/db/**', 'gateway/sync/**', 'gateway/testing/**', 'gateway/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [uiAndElectron, mcpSdk, dbLibs] }] },
  },
  {
    files: ['gateway/upstream/**/*.ts', 'gateway/mcp/**/*.ts', 'gateway/testing/**/*.ts'],
    ignores: ['gateway/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [uiAndElectron, dbLibs] }] },
  },
  {
    files: ['gateway/db/**/*.ts', 'gateway/sync/**/*.ts'],
    ignores: ['gateway/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [uiAndElectron, mcpSdk] }] },
  },
  {
    files: ['gateway/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [uiAndElectron] }] },
  },
  {
    // The renderer runs in a browser page (or Electron's sandboxed renderer): DOM globals, no Node.
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'preload/**/*.{ts,cts}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [gatewayInternals, mcpSdk, dbLibs] }] },
  },
);
