import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startGatewayWithConfig, removeDir, type GatewayProcess } from './support/gateway-process.js';
import { fixturePath } from './support/paths.js';

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'matrix', version: '1' } },
});

interface Answer {
  status: number;
  body: string;
  wwwAuthenticate: string | undefined;
}

/** node:http, so that Host can be set to anything (fetch forbids it). */
function initialize(url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, wwwAuthenticate: res.headers['www-authenticate'] }));
    });
    req.on('error', reject);
    req.end(INIT);
  });
}

type TokenName = 'none' | 'admin' | 'owner' | 'alice' | 'carol' | 'bob' | 'eve' | 'scoped' | 'expired' | 'revoked' | 'garbage';
const PRESETS = ['pub', 'priv', 'inv'] as const;

/** Expected status of `initialize` for each token on each preset (Host and Origin fine). */
const EXPECTED: Record<TokenName, Record<(typeof PRESETS)[number], number>> = {
  none: { pub: 200, priv: 401, inv: 401 },
  admin: { pub: 200, priv: 200, inv: 200 },
  owner: { pub: 200, priv: 200, inv: 200 },
  alice: { pub: 200, priv: 403, inv: 200 }, // email on the ACL
  carol: { pub: 200, priv: 403, inv: 200 }, // domain on the ACL
  bob: { pub: 200, priv: 403, inv: 200 }, // user id on the ACL
  eve: { pub: 200, priv: 403, inv: 403 },
  scoped: { pub: 200, priv: 403, inv: 403 }, // owner's token scoped to "pub" only
  expired: { pub: 401, priv: 401, inv: 401 },
  revoked: { pub: 401, priv: 401, inv: 401 },
  garbage: { pub: 401, priv: 401, inv: 401 },
};

describe('access matrix: visibility × token × origin × host', () => {
  let gw: GatewayProcess;
  const tokens = {} as Record<TokenName, string | null>;

  beforeAll(async () => {
    gw = await startGatewayWithConfig({
      gateway: { rateLimitPerSecond: 0 },
      servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } },
      presets: {
        pub: { visibility: 'public', servers: { fx: true } },
        priv: { visibility: 'private', servers: { fx: true } },
        inv: {
          visibility: 'invite_only',
          servers: { fx: true },
          acl: [
            { type: 'email', value: 'Alice@Example.com' },
            { type: 'domain', value: 'team.dev' },
            { type: 'user', value: 'bob' },
          ],
        },
      },
    });
    const create = async (input: Record<string, unknown>) => (await gw.api<{ token: string; record: { id: string } }>('tokens.create', input));
    tokens.none = null;
    tokens.admin = gw.token;
    tokens.owner = (await create({})).token;
    tokens.alice = (await create({ principal: 'alice@example.com' })).token;
    tokens.carol = (await create({ principal: 'carol@team.dev' })).token;
    tokens.bob = (await create({ principal: 'bob' })).token;
    tokens.eve = (await create({ principal: 'eve@evil.example' })).token;
    tokens.scoped = (await create({ presets: ['pub'] })).token;
    tokens.expired = (await create({ expiresInDays: 0.5 / 86_400 })).token; // half a second
    const revoked = await create({});
    tokens.revoked = revoked.token;
    tokens.garbage = 'mgw_not-a-real-token';
    // The revoked token works until it is revoked (and its verdict was cached) ...
    expect((await initialize(`${gw.url}/mcp/priv`, { authorization: `Bearer ${revoked.token}` })).status).toBe(200);
    await gw.api('tokens.revoke', { id: revoked.record.id });
    await new Promise((resolve) => setTimeout(resolve, 600)); // let "expired" expire
  });

  afterAll(async () => {
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
  });

  const cells = (Object.keys(EXPECTED) as TokenName[]).flatMap((token) => PRESETS.map((preset) => [token, preset] as const));

  it.each(cells)('token %s on preset %s', async (token, preset) => {
    const value = tokens[token];
    const auth: Record<string, string> = value ? { authorization: `Bearer ${value}` } : {};
    const expected = EXPECTED[token][preset];
    const url = `${gw.url}/mcp/${preset}`;
    const port = new URL(gw.url).port;

    const plain = await initialize(url, auth);
    expect(plain.status).toBe(expected);
    if (expected === 401) {
      expect(plain.wwwAuthenticate).toMatch(/^Bearer /);
      expect(plain.body).toMatch(/Unauthorized/);
    }
    if (expected === 403) expect(plain.body).toMatch(/Forbidden/);

    // A local web app's Origin is allowed; the verdict is the same.
    expect((await initialize(url, { ...auth, origin: `http://localhost:${port}` })).status).toBe(expected);
    // A foreign Origin or a foreign Host (DNS rebinding) is refused whatever the token.
    expect((await initialize(url, { ...auth, origin: 'https://evil.example' })).status).toBe(403);
    expect((await initialize(url, { ...auth, host: `evil.example:${port}` })).status).toBe(403);
    expect((await initialize(url, { ...auth, host: `localhost:${port}` })).status).toBe(expected);
  });

  it('keeps an audit log of admin changes and refused requests, without secrets', async () => {
    const { items } = await gw.api<{ items: Array<{ actor: string; action: string; target: string | null; outcome: string; detail: Record<string, unknown> | null }> }>(
      'audit.list',
      { limit: 500 },
    );
    const actions = items.map((item) => item.action);
    expect(actions).toContain('config.apply');
    expect(actions).toContain('tokens.create');
    expect(items.some((item) => item.action === 'tokens.revoke' && item.outcome === 'ok' && item.target?.startsWith('token:'))).toBe(true);
    const denied = items.filter((item) => item.action === 'access.denied');
    expect(denied.some((item) => item.detail?.status === 401 && item.target === 'preset:priv')).toBe(true);
    expect(denied.some((item) => item.detail?.status === 403 && item.target === 'preset:inv')).toBe(true);
    expect(denied.some((item) => item.detail?.status === 403 && /Host|Origin/.test(String(item.detail?.reason)))).toBe(true);
    const text = JSON.stringify(items);
    for (const token of Object.values(tokens)) if (token) expect(text).not.toContain(token);
  });

  it('lists tokens without ever showing them, and records use', async () => {
    const listed = await gw.api<{ items: Array<Record<string, unknown>> }>('tokens.list');
    expect(listed.items.length).toBe(8);
    const text = JSON.stringify(listed);
    for (const token of Object.values(tokens)) if (token && token !== gw.token) expect(text).not.toContain(token);
    expect(listed.items.some((item) => item.revokedAt !== null)).toBe(true);
  });
});
