import { createHash, randomBytes } from 'node:crypto';
import { desc, eq, inArray, isNull, and } from 'drizzle-orm';
import type { Db } from '../executor.js';
import type { AccessTokenRecord } from '../records.js';
import { accessTokens } from '../schema.js';

export const TOKEN_PREFIX = 'mgw_';

/** SHA-256 of the token: what is stored and looked up. Tokens are 256-bit random, so no salt is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface TokensRepository {
  /** Creates a token; the returned `token` is shown once and never stored. */
  create(input: { principal: string; presetScope: string[] | null; expiresAt: Date | null }): Promise<{ token: string; record: AccessTokenRecord }>;
  list(): Promise<AccessTokenRecord[]>;
  findByHash(hash: string): Promise<AccessTokenRecord | null>;
  revoke(id: string): Promise<AccessTokenRecord | null>;
  /** Records use; callers batch this (it is not on every request). */
  touch(ids: string[], at: Date): Promise<void>;
}

type Row = typeof accessTokens.$inferSelect;
const toRecord = ({ hash: _hash, ...row }: Row): AccessTokenRecord => row;

export function createTokensRepository(db: Db): TokensRepository {
  return {
    async create({ principal, presetScope, expiresAt }) {
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const [row] = await db.insert(accessTokens).values({ principal, presetScope, expiresAt, hash: hashToken(token) }).returning();
      return { token, record: toRecord(row as Row) };
    },
    async list() {
      return (await db.select().from(accessTokens).orderBy(desc(accessTokens.createdAt))).map(toRecord);
    },
    async findByHash(hash) {
      const [row] = await db.select().from(accessTokens).where(eq(accessTokens.hash, hash)).limit(1);
      return row ? toRecord(row) : null;
    },
    async revoke(id) {
      const [row] = await db
        .update(accessTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(accessTokens.id, id), isNull(accessTokens.revokedAt)))
        .returning();
      if (row) return toRecord(row);
      const [existing] = await db.select().from(accessTokens).where(eq(accessTokens.id, id)).limit(1);
      return existing ? toRecord(existing) : null;
    },
    async touch(ids, at) {
      if (ids.length === 0) return;
      await db.update(accessTokens).set({ lastUsedAt: at }).where(inArray(accessTokens.id, ids));
    },
  };
}
