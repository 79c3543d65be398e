import type { SyncStatus } from '../../contract/index.js';
import { ADMIN_DETAILS, adminOptions, connectAdmin } from './admin.js';
import { jsonOption, type CommandSpec } from './command.js';
import { json, table } from './format.js';
import { UsageError, writeLine, type CliIo } from './io.js';

const SYNC_DETAILS = `Desktop sync keeps this gateway's own database and shares the presets you mark as shared with a
team PostgreSQL: published and pulled with versions, a concurrent edit kept as a conflict for you to
resolve, hourly latency rollups pushed for the team report. Upstream secrets (env values, headers)
stay on this machine unless you share a preset with --secrets.
${ADMIN_DETAILS}`;

function printStatus(io: CliIo, status: SyncStatus): void {
  if (!status.available) {
    writeLine(io.stdout, 'This gateway runs on the team database itself (serve --database-url): desktop sync is not used.');
    return;
  }
  const when = (iso: string | null): string => iso ?? 'never';
  writeLine(io.stdout, `State:         ${status.state}${status.configured ? '' : ' (no team database configured: mcp-gateway sync configure URL)'}`);
  if (status.url) writeLine(io.stdout, `Team database: ${status.url}`);
  if (status.member) writeLine(io.stdout, `Member:        ${status.member}`);
  writeLine(io.stdout, `Last sync:     ${when(status.lastSyncAt)}`);
  if (status.nextAttemptAt && status.state !== 'disabled') writeLine(io.stdout, `Next attempt:  ${status.nextAttemptAt}`);
  if (status.lastError) writeLine(io.stdout, `Last error:    ${status.lastError}`);
  writeLine(io.stdout, `Pending:       ${status.pending} local change(s) waiting for the team database`);
  writeLine(io.stdout, `Conflicts:     ${status.conflicts}${status.conflicts ? ' (see `mcp-gateway sync conflicts`)' : ''}`);
  writeLine(io.stdout, `Metrics:       ${status.metricsScope} presets; pushed through ${when(status.metricsPushedThrough)}`);
  if (status.shared.length === 0) {
    writeLine(io.stdout, 'Shared presets: none (mcp-gateway sync share SLUG)');
    return;
  }
  io.stdout.write(
    table(
      ['SHARED PRESET', 'TEAM VERSION', 'STATE', 'SECRETS', 'MISSING HERE'],
      status.shared.map((s) => [s.slug, s.remoteVersion === null ? '-' : String(s.remoteVersion), s.state, s.includeSecrets ? 'shared' : 'kept local', s.missingSecrets.join('; ') || '-']),
    ),
  );
}

type StatusMethod = 'sync.status' | 'sync.now' | 'sync.configure' | 'sync.share' | 'sync.unshare' | 'sync.resolve' | 'sync.restore';
type Values = Record<string, string | boolean | undefined>;

/** A sync command whose answer is the sync status (printed, or --json). Input is checked by the API's schema. */
function statusCommandFor(
  name: string,
  summary: string,
  call: (values: Values, positionals: string[]) => { method: StatusMethod; input: Record<string, unknown> },
  extra: Partial<CommandSpec> = {},
): CommandSpec {
  return {
    name,
    summary,
    options: { ...(extra.options ?? {}), json: jsonOption, ...adminOptions },
    ...(extra.positionals ? { positionals: extra.positionals } : {}),
    details: SYNC_DETAILS,
    async run({ io, values, positionals }) {
      const { method, input } = call(values, positionals);
      const admin = await connectAdmin(values, io);
      // The input was shaped for `method` above; the gateway validates it against the contract.
      const status = (await admin.call(method, input as never)) as SyncStatus;
      if (values['json']) io.stdout.write(json(status));
      else printStatus(io, status);
      return 0;
    },
  };
}

export const syncStatusCommand = statusCommandFor('sync status', 'Show desktop sync: state, last sync, pending changes, conflicts, shared presets.', () => ({ method: 'sync.status', input: {} }));

export const syncNowCommand = statusCommandFor('sync now', 'Run a sync cycle now and show the outcome.', () => ({ method: 'sync.now', input: {} }));

export const syncConfigureCommand = statusCommandFor(
  'sync configure',
  'Set the team PostgreSQL (saved, password encrypted at rest); --off turns sync off.',
  (values, positionals) => {
    const url = positionals[0];
    if (values['off'] && url) throw new UsageError('give either a URL or --off, not both');
    if (!values['off'] && !url) throw new UsageError('give the team database URL (postgres://…) or --off');
    const scope = values['metrics'];
    if (scope !== undefined && scope !== 'shared' && scope !== 'all' && scope !== 'none') throw new UsageError('--metrics takes shared, all or none');
    return {
      method: 'sync.configure',
      input: {
        url: values['off'] ? null : url,
        ...(typeof values['member'] === 'string' ? { member: values['member'] } : {}),
        ...(scope !== undefined ? { metricsScope: scope } : {}),
      },
    };
  },
  {
    positionals: [{ name: 'URL', description: 'postgres://user:password@host:5432/db of the team database', optional: true }],
    options: {
      member: { type: 'string', value: 'NAME', description: 'how this machine is named in the team (default user@host)' },
      metrics: { type: 'string', value: 'SCOPE', description: 'rollups pushed: shared (presets you share; default), all, or none' },
      off: { type: 'boolean', description: 'turn sync off (shared presets stay shared; nothing is sent until it is on again)' },
    },
  },
);

export const syncShareCommand = statusCommandFor(
  'sync share',
  'Share a preset with the team (publish it and keep it in sync).',
  (values, positionals) => ({ method: 'sync.share', input: { slug: positionals[0], includeSecrets: values['secrets'] === true } }),
  {
    positionals: [{ name: 'SLUG', description: 'the preset to share' }],
    options: { secrets: { type: 'boolean', description: "also publish its servers' env values and headers (they are stored in the team database)" } },
  },
);

export const syncUnshareCommand = statusCommandFor(
  'sync unshare',
  'Stop sharing a preset: the team copy is withdrawn (other machines drop it); yours stays.',
  (_values, positionals) => ({ method: 'sync.unshare', input: { slug: positionals[0] } }),
  { positionals: [{ name: 'SLUG', description: 'the shared preset' }] },
);

export const syncConflictsCommand: CommandSpec = {
  name: 'sync conflicts',
  summary: 'List unresolved conflicts: a shared preset changed here and in the team at the same time.',
  options: { json: jsonOption, ...adminOptions },
  details: SYNC_DETAILS,
  async run({ io, values }) {
    const admin = await connectAdmin(values, io);
    const { items } = await admin.call('sync.conflicts', {});
    if (values['json']) {
      io.stdout.write(json(items));
      return 0;
    }
    if (items.length === 0) {
      writeLine(io.stdout, 'No conflicts.');
      return 0;
    }
    io.stdout.write(table(['ID', 'PRESET', 'KIND', 'TEAM VERSION', 'CHANGED BY', 'DETECTED'], items.map((c) => [String(c.id), c.slug, c.kind, String(c.remoteVersion), c.remoteMember ?? '-', c.detectedAt])));
    writeLine(io.stdout, 'Resolve with `mcp-gateway sync resolve ID --keep mine|theirs` (the other version stays in the team history).');
    return 0;
  },
};

export const syncResolveCommand = statusCommandFor(
  'sync resolve',
  'Resolve a conflict: keep mine (publish this version) or theirs (take the team version).',
  (values, positionals) => {
    const id = Number(positionals[0]);
    if (!Number.isInteger(id) || id <= 0) throw new UsageError('ID is the number shown by `mcp-gateway sync conflicts`');
    const keep = values['keep'];
    if (keep !== 'mine' && keep !== 'theirs') throw new UsageError('--keep takes mine or theirs');
    return { method: 'sync.resolve', input: { id, keep } };
  },
  {
    positionals: [{ name: 'ID', description: 'the conflict id (from `sync conflicts`)' }],
    options: { keep: { type: 'string', value: 'WHICH', description: 'mine or theirs' } },
  },
);

export const syncHistoryCommand: CommandSpec = {
  name: 'sync history',
  summary: 'List the versions of a shared preset the team database keeps, newest first.',
  positionals: [{ name: 'SLUG', description: 'the shared preset' }],
  options: { limit: { type: 'string', value: 'N', description: 'how many versions (default 50, at most 100)' }, json: jsonOption, ...adminOptions },
  details: SYNC_DETAILS,
  async run({ io, values, positionals }) {
    const limit = values['limit'] === undefined ? 50 : Number(values['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit takes a whole number from 1 to 100');
    const admin = await connectAdmin(values, io);
    const { items } = await admin.call('sync.history', { slug: positionals[0] as string, limit });
    if (values['json']) {
      io.stdout.write(json(items));
      return 0;
    }
    if (items.length === 0) {
      writeLine(io.stdout, 'The team database has no version of this preset.');
      return 0;
    }
    io.stdout.write(table(['VERSION', 'BY', 'WHEN', 'STATE'], items.map((item, i) => [String(item.version), item.updatedBy, item.updatedAt, item.deleted ? 'withdrawn' : i === 0 ? 'newest' : '-'])));
    writeLine(io.stdout, 'Bring one back with `mcp-gateway sync restore SLUG VERSION` (published as the newest).');
    return 0;
  },
};

export const syncRestoreCommand = statusCommandFor(
  'sync restore',
  'Make an earlier team version of a shared preset the local copy again; it is published as the newest.',
  (_values, positionals) => {
    const version = Number(positionals[1]);
    if (!Number.isInteger(version) || version <= 0) throw new UsageError('VERSION is a number shown by `mcp-gateway sync history SLUG`');
    return { method: 'sync.restore', input: { slug: positionals[0], version } };
  },
  {
    positionals: [
      { name: 'SLUG', description: 'the shared preset' },
      { name: 'VERSION', description: 'the version to bring back (from `sync history`)' },
    ],
  },
);
