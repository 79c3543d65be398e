import { ADMIN_DETAILS, adminOptions, connectAdmin } from './admin.js';
import { jsonOption, type CommandSpec } from './command.js';
import { json, table } from './format.js';
import { UsageError, writeLine } from './io.js';

export const tokensCreateCommand: CommandSpec = {
  name: 'tokens create',
  summary: 'Create an access token for private and invite-only presets (shown once).',
  options: {
    principal: { type: 'string', value: 'WHO', description: 'user id or email the token speaks for (default: you, the owner)' },
    presets: { type: 'string', value: 'SLUGS', description: 'comma-separated presets it may open (default: all its principal may open)' },
    'expires-in': { type: 'string', value: 'DAYS', description: 'days until it expires (default: never)' },
    json: jsonOption,
    ...adminOptions,
  },
  details: `The token is printed once and stored only as a hash: copy it now.\n${ADMIN_DETAILS}`,
  async run({ io, values }) {
    const days = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
    if (days !== undefined && (!Number.isFinite(days) || days <= 0)) throw new UsageError('--expires-in takes a positive number of days');
    const presets = typeof values['presets'] === 'string' ? values['presets'].split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    const admin = await connectAdmin(values, io);
    const created = await admin.call('tokens.create', {
      ...(typeof values['principal'] === 'string' ? { principal: values['principal'] } : {}),
      ...(presets && presets.length > 0 ? { presets } : {}),
      ...(days !== undefined ? { expiresInDays: days } : {}),
    });
    if (values['json']) {
      io.stdout.write(json(created));
      return 0;
    }
    writeLine(io.stdout, created.token);
    writeLine(io.stderr, `Token ${created.record.id} for ${created.record.principal}: copy it now, it is not shown again.`);
    return 0;
  },
};

export const tokensListCommand: CommandSpec = {
  name: 'tokens list',
  summary: 'List access tokens (never the tokens themselves).',
  options: { json: jsonOption, ...adminOptions },
  details: ADMIN_DETAILS,
  async run({ io, values }) {
    const admin = await connectAdmin(values, io);
    const { items } = await admin.call('tokens.list', {});
    if (values['json']) {
      io.stdout.write(json(items));
      return 0;
    }
    if (items.length === 0) {
      writeLine(io.stdout, 'No tokens. Create one with `mcp-gateway tokens create`.');
      return 0;
    }
    io.stdout.write(
      table(
        ['ID', 'PRINCIPAL', 'PRESETS', 'EXPIRES', 'LAST USED', 'STATE'],
        items.map((t) => [
          t.id,
          t.principal,
          t.presetScope?.join(',') ?? '(all)',
          t.expiresAt ?? 'never',
          t.lastUsedAt ?? '-',
          t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= Date.now() ? 'expired' : 'active',
        ]),
      ),
    );
    return 0;
  },
};

export const tokensRevokeCommand: CommandSpec = {
  name: 'tokens revoke',
  summary: 'Revoke an access token; it stops working on the next request.',
  positionals: [{ name: 'ID', description: 'the token id (from `tokens list`)' }],
  options: { json: jsonOption, ...adminOptions },
  details: ADMIN_DETAILS,
  async run({ io, values, positionals }) {
    const admin = await connectAdmin(values, io);
    const record = await admin.call('tokens.revoke', { id: positionals[0] as string });
    if (values['json']) io.stdout.write(json(record));
    else writeLine(io.stdout, `Revoked ${record.id} (${record.principal})`);
    return 0;
  },
};
