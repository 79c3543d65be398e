import { describe, expect, it } from 'vitest';
import { backoff, defaultMember, isUnreachable, redactUrl, sameDatabase } from './sync-support.js';

describe('sync support', () => {
  it('backs off exponentially with jitter, never past the cap', () => {
    for (let failures = 1; failures < 30; failures++) {
      const wait = backoff(failures, 60_000);
      const base = Math.min(60_000, 1000 * 2 ** (failures - 1));
      expect(wait).toBeGreaterThanOrEqual(base * 0.75);
      expect(wait).toBeLessThanOrEqual(base * 1.25);
    }
  });

  it('tells "cannot reach the team database" from "it said no"', () => {
    expect(isUnreachable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnreachable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnreachable(Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' }))).toBe(false);
    expect(isUnreachable(Object.assign(new Error('permission denied for schema public'), { code: '42501' }))).toBe(false);
  });

  it('never shows a password and names this machine safely', () => {
    expect(redactUrl('postgres://alice:s3cret@db:5432/team')).toBe('postgres://alice:***@db:5432/team');
    expect(redactUrl('postgres://alice@db/team')).toBe('postgres://alice@db/team');
    expect(redactUrl('not a url')).toBe('(unparseable URL)');
    expect(sameDatabase('postgres://a:x@db/team', 'postgresql://b:y@db:5432/team?sslmode=require')).toBe(true);
    expect(sameDatabase('postgres://a@db/team', 'postgres://a@db/other')).toBe(false);
    expect(sameDatabase('postgres://a@db/team', 'postgres://a@db2/team')).toBe(false);
    expect(defaultMember()).toMatch(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/);
  });
});
