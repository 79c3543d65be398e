import type { IncomingMessage } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { AccessTokenRecord, AclEntry } from '../db/records.js';
import { hashToken, type TokensRepository } from '../db/repositories/tokens.js';
import type { PresetView } from '../mcp/preset-view.js';
import { JSONRPC, RpcError } from '../upstream/json-rpc-peer.js';
import { bearerToken, safeEqual } from './guards.js';

export interface AccessDenial {
  status: number;
  error: RpcError;
  headers?: Record<string, string>;
}

export interface DeniedEvent {
  slug: string;
  status: number;
  reason: string;
  tokenId: string | null;
}

const TOKEN_CACHE_TTL_MS = 60_000;
const USAGE_FLUSH_MS = 30_000;

/**
 * Who may use a preset: `public` any local client; `private` the owner (admin token, or a token
 * of the owner); `invite_only` a token whose principal matches the preset's ACL. Tokens are
 * looked up by hash through a bounded cache that revocation clears at once.
 */
export class PresetAccess {
  private readonly cache = new LRUCache<string, { record: AccessTokenRecord | null }>({ max: 10_000, ttl: TOKEN_CACHE_TTL_MS });
  private readonly hashById = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly tokens: TokensRepository,
    private readonly adminToken: string,
    private readonly ownerId: string,
    private readonly onDenied: (event: DeniedEvent) => void = () => undefined,
    /** Token ids used since the last report (every 30 s). */
    private readonly onUsed: (tokenIds: string[]) => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.flushUsage(), USAGE_FLUSH_MS);
    this.timer.unref();
  }

  async authorize(view: PresetView, req: IncomingMessage): Promise<AccessDenial | null> {
    const { slug, visibility, acl } = view.preset;
    const token = bearerToken(req);
    if (!token) {
      if (visibility === 'public') return null;
      return this.deny(slug, null, 401, `Unauthorized: preset "${slug}" is ${visibility}; send Authorization: Bearer <token>`, 'invalid_request');
    }
    if (safeEqual(token, this.adminToken)) return null;
    const record = await this.lookup(token);
    if (!record) return this.deny(slug, null, 401, 'Unauthorized: unknown token', 'invalid_token');
    if (record.revokedAt) return this.deny(slug, record.id, 401, 'Unauthorized: this token was revoked', 'invalid_token');
    if (record.expiresAt && record.expiresAt.getTime() <= Date.now()) {
      return this.deny(slug, record.id, 401, `Unauthorized: this token expired at ${record.expiresAt.toISOString()}`, 'invalid_token');
    }
    if (record.presetScope && !record.presetScope.includes(slug)) {
      return this.deny(slug, record.id, 403, `Forbidden: this token is not scoped to preset "${slug}"`);
    }
    const isOwner = record.principal === this.ownerId;
    if (visibility === 'private' && !isOwner) {
      return this.deny(slug, record.id, 403, `Forbidden: preset "${slug}" is private to its owner`);
    }
    if (visibility === 'invite_only' && !isOwner && !matchesAcl(record, acl)) {
      return this.deny(slug, record.id, 403, `Forbidden: "${record.principal}" is not invited to preset "${slug}"`);
    }
    this.used.add(record.id);
    return null;
  }

  /** Revocation and expiry edits take effect on the next request, not after the cache TTL. */
  invalidate(tokenId: string): void {
    const hash = this.hashById.get(tokenId);
    if (hash) this.cache.delete(hash);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flushUsage();
  }

  private async lookup(token: string): Promise<AccessTokenRecord | null> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) return cached.record;
    const record = await this.tokens.findByHash(hash);
    this.cache.set(hash, { record });
    if (record) this.hashById.set(record.id, hash);
    return record;
  }

  private async flushUsage(): Promise<void> {
    if (this.used.size === 0) return;
    const ids = [...this.used];
    this.used.clear();
    this.onUsed(ids);
    await this.tokens.touch(ids, new Date()).catch(() => undefined);
  }

  private deny(slug: string, tokenId: string | null, status: 401 | 403, message: string, oauthError?: string): AccessDenial {
    this.onDenied({ slug, status, reason: message, tokenId });
    const headers: Record<string, string> =
      status === 401 ? { 'www-authenticate': `Bearer realm="mcp-gateway"${oauthError ? `, error="${oauthError}"` : ''}` } : {};
    return { status, error: new RpcError(JSONRPC.INVALID_REQUEST, message, { status }), headers };
  }
}

/** user: exact id; email: case-insensitive; domain: the principal's email domain; token: the token's id. */
export function matchesAcl(record: AccessTokenRecord, acl: AclEntry[]): boolean {
  const principal = record.principal.toLowerCase();
  const domain = principal.includes('@') ? principal.slice(principal.lastIndexOf('@') + 1) : null;
  return acl.some((entry) => {
    const value = entry.value.toLowerCase();
    switch (entry.type) {
      case 'user':
        return record.principal === entry.value;
      case 'email':
        return principal === value;
      case 'domain':
        return domain !== null && domain === value.replace(/^@/, '');
      case 'token':
        return record.id === entry.value;
    }
  });
}
