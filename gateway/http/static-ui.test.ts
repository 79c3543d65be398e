import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaticUi, UI_CONTENT_SECURITY_POLICY } from './static-ui.js';

let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mcp-gw-ui-'));
  await mkdir(path.join(dir, 'dist', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'dist', 'index.html'), '<!doctype html><title>UI</title>');
  await writeFile(path.join(dir, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'dist', 'assets', 'index-abc.css'), 'body{}');
  await writeFile(path.join(dir, 'secret.txt'), 'outside the UI folder');
  const ui = createStaticUi(path.join(dir, 'dist'));
  server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] as string;
    void ui(req, res, pathname).then((served) => {
      if (!served) {
        res.writeHead(404);
        res.end('not found');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('static UI', () => {
  it('serves files with their content type, a strict CSP and caching by kind', async () => {
    const js = await fetch(`${base}/assets/index-abc.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(js.headers.get('content-security-policy')).toBe(UI_CONTENT_SECURITY_POLICY);
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${base}/assets/index-abc.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const index = await fetch(`${base}/`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(UI_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(UI_CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(UI_CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });

  it('answers client routes with index.html but not missing files or gateway routes', async () => {
    const route = await fetch(`${base}/presets/dev`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>UI</title>');
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/api/servers.list`)).status).toBe(404);
    expect((await fetch(`${base}/mcp/dev`)).status).toBe(404);
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(404);
  });

  it('never serves files outside its folder', async () => {
    for (const attempt of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00']) {
      const res = await fetch(`${base}${attempt}`);
      expect(await res.text()).not.toContain('outside the UI folder');
    }
  });

  it('says how to build the UI when it is missing', async () => {
    const ui = createStaticUi(path.join(dir, 'nothing-here'));
    const missing = createServer((req, res) => void ui(req, res, '/'));
    await new Promise<void>((resolve) => missing.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(missing.address() as AddressInfo).port}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:ui');
    await new Promise((resolve) => missing.close(resolve));
  });
});
