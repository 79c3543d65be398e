import { beforeEach, describe, expect, it } from 'vitest';
import { installFakeGateway } from '../test/fake-gateway.js';
import { AUDIT_PAGE, initialAccessState, parseExpiryDays, tokenState, useAccess, type AccessToken, type AuditItem } from './access.js';

const token = (id: string, extra: Partial<AccessToken> = {}): AccessToken => ({
  id,
  principal: 'local',
  presetScope: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
  ...extra,
});

const entry = (id: number, extra: Partial<AuditItem> = {}): AuditItem => ({
  id,
  ts: '2026-01-01T00:00:00.000Z',
  actor: 'admin',
  action: 'presets.update',
  target: 'preset:dev',
  outcome: 'ok',
  detail: null,
  ...extra,
});

/** `count` entries with ids counting down from `from`, as the gateway pages them (newest first). */
const page = (from: number, count: number): AuditItem[] => Array.from({ length: count }, (_, i) => entry(from - i));

beforeEach(() => {
  useAccess.setState({ ...initialAccessState });
});

describe('token state', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  it('is active, expired or revoked (revoked wins)', () => {
    expect(tokenState(token('a'), now)).toBe('active');
    expect(tokenState(token('a', { expiresAt: '2026-07-01T00:00:00Z' }), now)).toBe('active');
    expect(tokenState(token('a', { expiresAt: '2026-05-01T00:00:00Z' }), now)).toBe('expired');
    expect(tokenState(token('a', { expiresAt: '2026-05-01T00:00:00Z', revokedAt: '2026-04-01T00:00:00Z' }), now)).toBe('revoked');
  });
});

describe('expiry field', () => {
  it('accepts empty (never) and positive days, and says what is wrong otherwise', () => {
    expect(parseExpiryDays('')).toEqual({ days: undefined });
    expect(parseExpiryDays(' 30 ')).toEqual({ days: 30 });
    expect(parseExpiryDays('0.5')).toEqual({ days: 0.5 });
    expect(parseExpiryDays('0').error).toMatch(/positive number of days/);
    expect(parseExpiryDays('-3').error).toMatch(/positive number of days/);
    expect(parseExpiryDays('soon').error).toMatch(/positive number of days/);
    expect(parseExpiryDays('4000').error).toMatch(/3650/);
  });
});

describe('access store over the typed client', () => {
  it('creates a token, keeps the secret only in `created`, and lists the record first', async () => {
    const gw = installFakeGateway({
      'tokens.create': { token: 'mgw_secret', record: token('t2', { principal: 'alice@example.com', presetScope: ['team'] }) },
    });
    useAccess.setState({ tokens: [token('t1')] });
    const created = await useAccess.getState().create({ principal: 'alice@example.com', presets: ['team'], expiresInDays: 1 });
    expect(created.token).toBe('mgw_secret');
    expect(gw.calls[0]).toEqual({ method: 'tokens.create', input: { principal: 'alice@example.com', presets: ['team'], expiresInDays: 1 } });
    expect(useAccess.getState().tokens.map((t) => t.id)).toEqual(['t2', 't1']);
    expect(JSON.stringify(useAccess.getState().tokens)).not.toContain('mgw_secret');
    useAccess.getState().dismissCreated();
    expect(useAccess.getState().created).toBeNull();
  });

  it('revokes in place and reports failures in words', async () => {
    const gw = installFakeGateway({ 'tokens.revoke': (input: Record<string, unknown>) => token(String(input['id']), { revokedAt: '2026-01-02T00:00:00.000Z' }) });
    useAccess.setState({ tokens: [token('t1'), token('t2')] });
    await useAccess.getState().revoke('t2');
    expect(useAccess.getState().tokens.map((t) => tokenState(t))).toEqual(['active', 'revoked']);
    expect(useAccess.getState().revoking).toEqual({});
    gw.handle('tokens.revoke', () => {
      throw Object.assign(new Error('no token with id t9'), { code: 'not_found' });
    });
    await expect(useAccess.getState().revoke('t9')).rejects.toThrow('no token with id t9');
    expect(useAccess.getState().revoking).toEqual({});
  });

  it('loads the tokens list and keeps the error as a sentence', async () => {
    installFakeGateway({
      'tokens.list': () => {
        throw Object.assign(new Error('the database is not reachable'), { code: 'unavailable' });
      },
    });
    await useAccess.getState().loadTokens();
    expect(useAccess.getState()).toMatchObject({ tokensLoaded: false, tokensLoading: false, tokensError: 'the database is not reachable' });
  });

  it('pages the audit log back with beforeId and keeps the action filter', async () => {
    const gw = installFakeGateway({
      'audit.list': (input: Record<string, unknown>) => ({ items: input['beforeId'] ? page(Number(input['beforeId']) - 1, 3) : page(200, AUDIT_PAGE) }),
    });
    await useAccess.getState().loadAudit({ action: ' access.denied ' });
    expect(useAccess.getState()).toMatchObject({ auditError: null, auditAction: 'access.denied', auditHasMore: true });
    expect(gw.calls[0]).toEqual({ method: 'audit.list', input: { limit: AUDIT_PAGE, action: 'access.denied' } });
    await useAccess.getState().loadOlderAudit();
    const lastOfFirstPage = 200 - AUDIT_PAGE + 1;
    expect(gw.calls[1]).toEqual({ method: 'audit.list', input: { limit: AUDIT_PAGE, beforeId: lastOfFirstPage, action: 'access.denied' } });
    const ids = useAccess.getState().audit.map((a) => a.id);
    expect(ids).toHaveLength(AUDIT_PAGE + 3);
    expect(ids.at(-1)).toBe(lastOfFirstPage - 3);
    expect(useAccess.getState().auditHasMore).toBe(false);
    await useAccess.getState().loadAudit({ action: '' });
    expect(gw.calls[2]).toEqual({ method: 'audit.list', input: { limit: AUDIT_PAGE } });
  });
});
