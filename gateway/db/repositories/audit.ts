import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../executor.js';
import type { AuditEntry, AuditRecord } from '../records.js';
import { auditLog } from '../schema.js';

export interface AuditRepository {
  insert(entries: AuditEntry[]): Promise<void>;
  /** Newest first; `beforeId` pages back through older entries. */
  list(query: { limit: number; beforeId?: number; action?: string }): Promise<AuditRecord[]>;
}

export function createAuditRepository(db: Db): AuditRepository {
  return {
    async insert(entries) {
      if (entries.length === 0) return;
      await db.insert(auditLog).values(entries.map((entry) => ({ ...entry, ts: entry.ts ?? new Date() })));
    },
    async list({ limit, beforeId, action }) {
      const conditions: SQL[] = [];
      if (beforeId !== undefined) conditions.push(lt(auditLog.id, beforeId));
      if (action) conditions.push(eq(auditLog.action, action));
      const rows = await db
        .select()
        .from(auditLog)
        .where(conditions.length ? and(...conditions) : undefined)
        .orderBy(desc(auditLog.id))
        .limit(limit);
      return rows.map((row) => ({ ...row, detail: row.detail ?? null }));
    },
  };
}
