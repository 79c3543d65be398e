import { promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { packageRoot } from '../host/package-info.js';

/**
 * Serves the built renderer (`renderer/dist`) for the browser UI of a headless gateway, and for
 * the Electron window, which loads the same pages from the same origin. Files get exact content
 * types and a strict CSP; paths without an extension fall back to index.html (client routes).
 */

export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Paths that belong to the gateway's own routes: never answered with the UI. */
const RESERVED = /^\/(?:api|mcp|sse|messages|metrics|healthz|readyz)(?:\/|$)/;

export type StaticUiHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

export function uiRootDir(): string {
  return path.join(packageRoot(), 'renderer', 'dist');
}

function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': UI_CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/**
 * Returns a handler that answers GET/HEAD for UI files and returns false for anything it does
 * not serve (the caller then sends its own 404). `root` defaults to the package's renderer/dist.
 */
export function createStaticUi(root: string = uiRootDir()): StaticUiHandler {
  const base = path.resolve(root);
  return async (req, res, pathname) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    if (RESERVED.test(pathname)) return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return false;
    }
    if (decoded.includes('\0')) return false;
    const relative = path.posix.normalize(decoded).replace(/^(\.\.(\/|$))+/, '');
    const file = path.resolve(base, `.${relative.startsWith('/') ? relative : `/${relative}`}`);
    if (file !== base && !file.startsWith(base + path.sep)) return false;

    const hasExtension = path.posix.extname(relative) !== '';
    const target = (await isFile(file)) ? file : hasExtension ? null : path.join(base, 'index.html');
    if (!target) return false;
    let body: Buffer;
    try {
      body = await fs.readFile(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (target.endsWith('index.html')) {
        const text = 'The UI is not built: run `npm run build:ui` (or `npm run build`) in the mcp-gateway folder.\n';
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', ...securityHeaders() });
        res.end(method === 'HEAD' ? undefined : text);
        return true;
      }
      return false;
    }
    const ext = path.extname(target).toLowerCase();
    const immutable = target.startsWith(path.join(base, 'assets') + path.sep);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'content-length': String(body.length),
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...securityHeaders(),
    });
    res.end(method === 'HEAD' ? undefined : body);
    return true;
  };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}
