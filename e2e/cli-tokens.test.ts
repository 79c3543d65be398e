import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, removeDirs, runCli, type CliResult } from './support/cli.js';
import { startGateway, type GatewayProcess } from './support/gateway-process.js';
import { connectClient } from './support/mcp-client.js';
import { fixturePath } from './support/paths.js';

interface TokenItem {
  id: string;
  principal: string;
  presetScope: string[] | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
interface AuditItem {
  id: number;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown> | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A usage error: exit 2, one line saying what is wrong, one pointing at --help, nothing on stdout. */
function expectUsageError(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  const [error, ...rest] = lines(result.stderr);
  expect(error).toMatch(/^mcp-gateway: /);
  expect(error).toMatch(pattern);
  expect(rest, result.stderr).toEqual([expect.stringMatching(/^Run 'mcp-gateway ([a-z]+ )*--help' for usage\.$/)]);
}

/**
 * `mcp-gateway tokens create|list|revoke` and `audit list` against a running gateway: the token is
 * printed once (stdout only), never listed or audited, scoped to an invite-only preset, refused
 * once revoked; bad flags are usage errors.
 */
describe('mcp-gateway tokens / audit against a running gateway', () => {
  let gw: GatewayProcess;
  let token = '';
  let id = '';
  const cli = (...args: string[]) => runCli([...args, '--data-dir', gw.dataDir]);
  const listTokens = async (): Promise<TokenItem[]> => {
    const result = await cli('tokens', 'list', '--json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as TokenItem[];
  };

  beforeAll(async () => {
    gw = await startGateway();
    await gw.api('servers.create', { name: 'fx', spec: { command: process.execPath, args: [fixturePath, 'stdio', '--name', 'fx'] } });
    await gw.api('presets.create', {
      slug: 'team',
      spec: { name: 'Team', visibility: 'invite_only', servers: { fx: { tools: ['echo'] } }, acl: [{ type: 'email', value: 'alice@example.com' }] },
    });
  }, 90_000);

  afterAll(async () => {
    await gw?.stop();
    await removeDirs(gw?.dataDir);
  });

  it('tokens create prints the token on stdout once, and where it goes on stderr', async () => {
    const before = Date.now();
    const result = await cli('tokens', 'create', '--principal', 'alice@example.com', '--presets', 'team', '--expires-in', '1');
    expect(result.code, result.stderr).toBe(0);
    const out = lines(result.stdout);
    expect(out).toHaveLength(1);
    token = out[0] as string;
    expect(token).toMatch(/^mgw_[A-Za-z0-9_-]{43}$/);
    expect(result.stderr).toMatch(/^Token [0-9a-f-]{36} for alice@example\.com: copy it now, it is not shown again\.\n$/);
    expect(result.stderr).not.toContain(token);
    id = /^Token ([0-9a-f-]{36})/.exec(result.stderr)?.[1] ?? '';

    const [item] = await listTokens();
    expect(item).toMatchObject({ id, principal: 'alice@example.com', presetScope: ['team'], lastUsedAt: null, revokedAt: null });
    const expires = Date.parse(item?.expiresAt ?? '');
    expect(expires).toBeGreaterThanOrEqual(before + DAY_MS - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + DAY_MS + 1000);
  });

  it('tokens list shows the token (as JSON and as a table) but never the token itself', async () => {
    const [json, text] = await Promise.all([cli('tokens', 'list', '--json'), cli('tokens', 'list')]);
    expect(json.code, json.stderr).toBe(0);
    const items = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(items).toHaveLength(1);
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'presetScope', 'principal', 'revokedAt']);
    expect(json.stdout).not.toContain(token);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).not.toContain(token);
    const row = lines(text.stdout).find((line) => line.startsWith(id));
    expect(row).toMatch(/alice@example\.com\s+team\s+\S+\s+-\s+active$/);
  });

  it('the token opens the invite-only preset for an MCP client', async () => {
    const client = await connectClient(`${gw.url}/mcp/team`, { token });
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['fx__echo']);
    } finally {
      await client.close();
    }
  });

  it('tokens revoke ID revokes it: listed as revoked, refused with 401 at once', async () => {
    const result = await cli('tokens', 'revoke', id);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Revoked ${id} (alice@example.com)\n`);
    const [item] = await listTokens();
    expect(item?.revokedAt).not.toBeNull();
    expect(lines((await cli('tokens', 'list')).stdout).find((line) => line.startsWith(id))).toMatch(/revoked$/);
    const res = await fetch(`${gw.url}/mcp/team`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } }),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('revoked');
    // Revoking an unknown id fails (exit 1) in one line.
    const unknown = await cli('tokens', 'revoke', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code, unknown.stderr).toBe(1);
    expect(lines(unknown.stderr)).toEqual([expect.stringMatching(/^mcp-gateway: .*no token with id 00000000-0000-4000-8000-000000000000/)]);
  });

  it('audit list --action tokens.create shows the creation, without the token', async () => {
    const [text, json] = await Promise.all([cli('audit', 'list', '--action', 'tokens.create'), cli('audit', 'list', '--action', 'tokens.create', '--json')]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/\btokens\.create\s+-\s+ok$/m);
    expect(lines(text.stdout)[0]).toMatch(/^TIME\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME$/);
    expect(json.code, json.stderr).toBe(0);
    const items = JSON.parse(json.stdout) as AuditItem[];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ action: 'tokens.create', outcome: 'ok', detail: { input: { principal: 'alice@example.com', presets: ['team'], expiresInDays: 1 } } });
    expect(json.stdout).not.toContain(token);
    // The revocation and the refused request are logged too (the refusal is batched: poll).
    const revoked = JSON.parse((await cli('audit', 'list', '--action', 'tokens.revoke', '--json')).stdout) as AuditItem[];
    expect(revoked.map((a) => [a.target, a.outcome])).toContainEqual([`token:${id}`, 'ok']);
    await expect
      .poll(async () => JSON.parse((await cli('audit', 'list', '--action', 'access.denied', '--json')).stdout) as AuditItem[], { timeout: 10_000, interval: 300 })
      .toContainEqual(expect.objectContaining({ actor: `token:${id}`, target: 'preset:team', outcome: 'denied' }));
  });

  it('a bad --expires-in (or --limit) exits 2 and creates nothing', async () => {
    const results = await Promise.all([
      cli('tokens', 'create', '--expires-in', 'soon'),
      cli('tokens', 'create', '--expires-in', '0'),
      cli('tokens', 'create', '--principal', 'bob@example.com', '--expires-in=-3'),
    ]);
    for (const result of results) expectUsageError(result, /--expires-in takes a positive number of days/);
    expectUsageError(await cli('audit', 'list', '--limit', '0'), /--limit takes a whole number from 1 to 500/);
    expect((await listTokens()).map((t) => t.id)).toEqual([id]);
  });
});
