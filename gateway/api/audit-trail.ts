import type { AuditEntry } from '../db/records.js';
import type { AuditRepository } from '../db/repositories/audit.js';
import type { Dispatch } from './dispatcher.js';

const FLUSH_MS = 1_000;
const MAX_BUFFERED = 10_000;
/** Methods that only read: not audited. */
const READ_ONLY = /\.(list|get|tools|toolView|status|stats|latency|recentCalls|timeseries|slowest|errors|recorderStats|preview|conflicts|teamLatency|history)$/;
const SECRET_KEYS = new Set(['env', 'headers', 'token']);

/**
 * The audit log's writer. Admin changes are written before the change is acknowledged; denied
 * requests and token use (which a flood could multiply) are buffered, bounded and batched.
 */
export class AuditTrail {
  private buffer: AuditEntry[] = [];
  private readonly timer: NodeJS.Timeout;
  dropped = 0;

  constructor(
    private readonly repo: AuditRepository,
    private readonly log: (line: string) => void,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Buffered: for high-volume events (denials, token use). */
  record(entry: AuditEntry): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.buffer.push({ ...entry, ts: entry.ts ?? new Date() });
  }

  /** Written now: for admin changes. */
  async recordNow(entry: AuditEntry): Promise<void> {
    await this.repo.insert([{ ...entry, ts: entry.ts ?? new Date() }]);
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    await this.repo.insert(batch).catch((error: unknown) => {
      this.dropped += batch.length;
      this.log(`audit: dropped ${batch.length} entries: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** Wraps the admin dispatcher so every change is audited with its outcome (secrets masked). */
export function auditedDispatch(dispatch: Dispatch, trail: AuditTrail, actor: string): Dispatch {
  return async (method, input) => {
    const result = await dispatch(method, input);
    if (READ_ONLY.test(method) || (!result.ok && result.error.code === 'unknown_method')) return result;
    const target = targetOf(input);
    await trail
      .recordNow({
        actor,
        action: method,
        target,
        outcome: result.ok ? 'ok' : 'error',
        detail: { input: maskSecrets(input), ...(result.ok ? {} : { error: result.error.message }) },
      })
      .catch(() => undefined); // an audit write failure must not turn a done change into an error
    return result;
  };
}

function targetOf(input: unknown): string | null {
  if (typeof input !== 'object' || input === null) return null;
  const { name, slug, id } = input as { name?: unknown; slug?: unknown; id?: unknown };
  if (typeof name === 'string') return `server:${name}`;
  if (typeof slug === 'string') return `preset:${slug}`;
  if (typeof id === 'string') return `token:${id}`;
  return null;
}

/** Values under env/headers/token keys become "••••••", at any depth, and so do passwords in URLs. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  // A password inside a URL (postgres://user:secret@host/db) is a secret wherever it sits.
  if (typeof value === 'string') return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:)[^/@\s]*@/i, '$1••••••@');
  if (depth > 20 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      if (!SECRET_KEYS.has(key)) return [key, maskSecrets(inner, depth + 1)];
      if (typeof inner === 'object' && inner !== null) return [key, Object.fromEntries(Object.keys(inner).map((k) => [k, '••••••']))];
      return [key, '••••••'];
    }),
  );
}
