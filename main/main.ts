import * as electron from 'electron';
import { startDesktop } from './app.js';
import type { ElectronApi } from './electron-api.js';

// Electron entry (package.json "main": dist/main/main.js).
const api: ElectronApi = electron;
startDesktop(api, { argv: process.argv, env: process.env }).catch((error: unknown) => {
  process.stderr.write(`mcp-gateway desktop: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  electron.app.exit(1);
});
