import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The renderer (React + zustand) builds to renderer/dist, which `mcp-gateway serve` and the
 * Electron window both load from the gateway's own origin. `npm run dev:ui` proxies the API to
 * a gateway on :7337 for hot reloading.
 */
const gateway = process.env['MCP_GATEWAY_URL'] ?? 'http://127.0.0.1:7337';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': gateway, '/mcp': gateway },
  },
});
