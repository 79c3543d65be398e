import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

/**
 * DNS-rebinding and cross-site guard (MCP 2025-11-25): a Host that is not a loopback name or an
 * allowed one, or a present Origin that is not loopback or allowed, is refused.
 */
export function checkHostAndOrigin(req: IncomingMessage, allowedHosts: Set<string>, allowedOrigins: Set<string>): string | null {
  const host = req.headers.host;
  if (host) {
    const name = hostName(host).toLowerCase();
    if (!LOOPBACK_HOSTS.has(name) && !allowedHosts.has(name)) return `Host "${host}" is not allowed`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== '') {
    if (allowedOrigins.has(origin)) return null;
    try {
      const parsed = new URL(origin);
      if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && LOOPBACK_HOSTS.has(parsed.hostname.toLowerCase())) return null;
      if (parsed.hostname === '[::1]' || parsed.hostname === '::1') return null;
    } catch {
      return `Origin "${origin}" is not allowed`;
    }
    return `Origin "${origin}" is not allowed`;
  }
  return null;
}

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? (match[1] ?? null) : null;
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
