import { describe, expect, it } from 'vitest';
import { maskSecrets } from './audit-trail.js';

describe('maskSecrets (what the audit log keeps of an admin call)', () => {
  it('hides env, headers and tokens at any depth, and passwords inside URLs', () => {
    expect(
      maskSecrets({
        url: 'postgres://team:s3cret@db.internal:5432/gw',
        spec: { env: { TOKEN: 'x' }, headers: { Authorization: 'Bearer y' }, url: 'https://example.com/mcp' },
        token: 'mgw_abc',
      }),
    ).toEqual({
      url: 'postgres://team:••••••@db.internal:5432/gw',
      spec: { env: { TOKEN: '••••••' }, headers: { Authorization: '••••••' }, url: 'https://example.com/mcp' },
      token: '••••••',
    });
    expect(maskSecrets('postgres://user@host/db')).toBe('postgres://user@host/db');
  });
});
