import { create } from 'zustand';
import type { MethodInput, MethodOutput } from '../../../gateway/contract/index.js';
import { call, errorText, loadPresetSlugs } from '../api/client.js';

export type AccessToken = MethodOutput<'tokens.list'>['items'][number];
export type CreatedToken = MethodOutput<'tokens.create'>;
export type AuditItem = MethodOutput<'audit.list'>['items'][number];
export type TokenState = 'active' | 'expired' | 'revoked';

/** Audit entries fetched per page ("Load older" asks for the next page before the last id). */
export const AUDIT_PAGE = 50;

/** Revoked wins over expired: a revoked token never comes back, an expired one only needs a new one. */
export function tokenState(token: Pick<AccessToken, 'revokedAt' | 'expiresAt'>, now = Date.now()): TokenState {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'active';
}

/**
 * Parses the "expires in (days)" field: empty means never; anything else must be a positive
 * number of days up to ten years (what the gateway accepts).
 */
export function parseExpiryDays(text: string): { days: number | undefined; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { days: undefined };
  const days = Number(trimmed);
  if (!Number.isFinite(days) || days <= 0) return { days: undefined, error: 'Enter a positive number of days, or leave it empty for a token that never expires.' };
  if (days > 3650) return { days: undefined, error: 'At most 3650 days (ten years).' };
  return { days };
}

interface AccessState {
  tokens: AccessToken[];
  tokensLoaded: boolean;
  tokensLoading: boolean;
  tokensError: string | null;
  /** Preset slugs a token can be scoped to. */
  presetSlugs: string[];
  presetsError: string | null;
  /** The token just created: kept only until dismissed, never reloaded. */
  created: CreatedToken | null;
  /** Token ids with a revocation in flight. */
  revoking: Record<string, boolean>;
  audit: AuditItem[];
  auditLoaded: boolean;
  auditLoading: boolean;
  auditError: string | null;
  /** The action filter the audit list was loaded with ('' = every action). */
  auditAction: string;
  auditHasMore: boolean;
  loadTokens(): Promise<void>;
  loadPresets(): Promise<void>;
  create(input: MethodInput<'tokens.create'>): Promise<CreatedToken>;
  dismissCreated(): void;
  revoke(id: string): Promise<AccessToken>;
  loadAudit(options?: { action?: string }): Promise<void>;
  loadOlderAudit(): Promise<void>;
}

export const initialAccessState = {
  tokens: [],
  tokensLoaded: false,
  tokensLoading: false,
  tokensError: null,
  presetSlugs: [],
  presetsError: null,
  created: null,
  revoking: {},
  audit: [],
  auditLoaded: false,
  auditLoading: false,
  auditError: null,
  auditAction: '',
  auditHasMore: false,
} satisfies Partial<AccessState>;

export const useAccess = create<AccessState>((set, get) => {
  const replace = (record: AccessToken): void => {
    const exists = get().tokens.some((t) => t.id === record.id);
    set({ tokens: exists ? get().tokens.map((t) => (t.id === record.id ? record : t)) : [record, ...get().tokens] });
  };
  return {
    ...initialAccessState,
    async loadTokens() {
      set({ tokensLoading: true });
      try {
        const { items } = await call('tokens.list', {});
        set({ tokens: items, tokensLoaded: true, tokensLoading: false, tokensError: null });
      } catch (error) {
        set({ tokensLoading: false, tokensError: errorText(error) });
      }
    },
    async loadPresets() {
      set(await loadPresetSlugs());
    },
    async create(input) {
      const created = await call('tokens.create', input);
      replace(created.record);
      set({ created });
      // The creation is audited: show it without a manual refresh.
      if (get().auditLoaded) void get().loadAudit({ action: get().auditAction });
      return created;
    },
    dismissCreated() {
      set({ created: null });
    },
    async revoke(id) {
      set({ revoking: { ...get().revoking, [id]: true } });
      try {
        const record = await call('tokens.revoke', { id });
        replace(record);
        if (get().auditLoaded) void get().loadAudit({ action: get().auditAction });
        return record;
      } finally {
        const { [id]: _done, ...rest } = get().revoking;
        set({ revoking: rest });
      }
    },
    async loadAudit(options = {}) {
      const action = (options.action ?? get().auditAction).trim();
      set({ auditLoading: true, auditAction: action });
      try {
        const { items } = await call('audit.list', { limit: AUDIT_PAGE, ...(action ? { action } : {}) });
        // A newer filter may have been applied while this one was in flight.
        if (get().auditAction !== action) return;
        set({ audit: items, auditLoaded: true, auditLoading: false, auditError: null, auditHasMore: items.length === AUDIT_PAGE });
      } catch (error) {
        if (get().auditAction === action) set({ auditLoading: false, auditError: errorText(error) });
      }
    },
    async loadOlderAudit() {
      const last = get().audit.at(-1);
      if (!last || get().auditLoading) return;
      const action = get().auditAction;
      set({ auditLoading: true });
      try {
        const { items } = await call('audit.list', { limit: AUDIT_PAGE, beforeId: last.id, ...(action ? { action } : {}) });
        if (get().auditAction !== action) return;
        const known = new Set(get().audit.map((a) => a.id));
        set({ audit: [...get().audit, ...items.filter((a) => !known.has(a.id))], auditLoading: false, auditError: null, auditHasMore: items.length === AUDIT_PAGE });
      } catch (error) {
        set({ auditLoading: false, auditError: errorText(error) });
      }
    },
  };
});
