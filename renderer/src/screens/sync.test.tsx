// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFakeGateway, presetSummary } from '../test/fake-gateway.js';
import { connectEvents } from '../stores/events.js';
import { initialSyncState, useSync } from '../stores/sync.js';
import { SyncScreen } from './Sync.js';
import { PresetsScreen } from './Presets.js';
import { PresetEditorScreen } from './PresetEditor.js';

beforeEach(() => {
  useSync.setState({ ...initialSyncState });
});
afterEach(() => cleanup());

const syncStatus = (extra: Record<string, unknown> = {}) => ({
  available: true,
  configured: true,
  url: 'postgres://alice:***@db.example.com:5432/team',
  member: 'alice-laptop',
  metricsScope: 'shared',
  state: 'idle',
  lastSyncAt: '2026-01-01T10:00:00.000Z',
  lastAttemptAt: '2026-01-01T10:05:00.000Z',
  nextAttemptAt: '2026-01-01T10:06:00.000Z',
  lastError: null,
  pending: 0,
  conflicts: 0,
  metricsPushedThrough: '2026-01-01T09:00:00.000Z',
  shared: [],
  ...extra,
});
const unconfigured = syncStatus({ configured: false, url: null, member: null, state: 'disabled', lastSyncAt: null, lastAttemptAt: null, nextAttemptAt: null, metricsPushedThrough: null });
const presets = { items: [presetSummary('dev'), presetSummary('team'), presetSummary('ops')], pagination: { nextCursor: null, hasMore: false, limit: 200 } };
const team = { rows: [], members: [] };
const conflict = {
  id: 7,
  slug: 'team',
  kind: 'edit',
  local: { name: 'Team', description: 'mine' },
  remote: { name: 'Team', description: 'theirs' },
  remoteVersion: 4,
  remoteMember: 'bob-desktop',
  detectedAt: '2026-01-01T10:05:00.000Z',
};

describe('Sync screen', () => {
  it('shows the connection state, times, counters, the last error and shared presets with missing secrets', async () => {
    installFakeGateway({
      'sync.status': syncStatus({
        state: 'error',
        lastError: 'permission denied for table preset_revisions',
        pending: 2,
        conflicts: 1,
        shared: [
          { slug: 'dev', remoteVersion: 3, state: 'synced', includeSecrets: false, missingSecrets: ['fx: env API_KEY'] },
          { slug: 'team', remoteVersion: null, state: 'pending', includeSecrets: true, missingSecrets: [] },
        ],
      }),
      'sync.conflicts': { items: [] },
      'presets.list': presets,
      'sync.teamLatency': team,
    });
    render(<SyncScreen />);
    const connection = await screen.findByRole('region', { name: 'Connection' });
    expect(within(screen.getByTestId('sync-state')).getByText('Error')).toBeTruthy();
    expect(within(connection).getByRole('alert').textContent).toContain('The last sync failed: permission denied for table preset_revisions');
    const facts = within(connection).getByTestId('sync-facts');
    expect(facts.textContent).toContain('postgres://alice:***@db.example.com:5432/team');
    expect(facts.textContent).toContain('alice-laptop');
    expect(facts.textContent).toContain('2 changes');
    expect(facts.textContent).toContain('1 conflict');
    expect(facts.querySelector('time[datetime="2026-01-01T10:00:00.000Z"]')).toBeTruthy();
    expect(facts.querySelector('time[datetime="2026-01-01T10:06:00.000Z"]')).toBeTruthy();
    expect((within(connection).getByLabelText('Team database URL') as HTMLInputElement).value).toBe('postgres://alice:***@db.example.com:5432/team');
    expect(within(connection).getByText(/password is stored encrypted on this machine/)).toBeTruthy();
    expect(within(connection).getByRole('button', { name: 'Sync now' })).toBeTruthy();
    expect(within(connection).getByRole('button', { name: 'Turn off' })).toBeTruthy();

    const dev = screen.getByTestId('shared-dev');
    expect(within(dev).getByTestId('team-version').textContent).toBe('3');
    expect(within(dev).getByText('Synced')).toBeTruthy();
    expect(dev.querySelector('.warnings')?.textContent).toBe('fx: env API_KEY needs a value on this machine');
    const pending = screen.getByTestId('shared-team');
    expect(within(pending).getByText('Pending')).toBeTruthy();
    expect(within(pending).getByText('not published yet')).toBeTruthy();
    expect(within(pending).getByText('Yes')).toBeTruthy();
  });

  it('shows a conflict as a diff of both sides and resolves it with the chosen side', async () => {
    let items = [conflict];
    const gw = installFakeGateway({
      'sync.status': syncStatus({ conflicts: 1, shared: [{ slug: 'team', remoteVersion: 3, state: 'conflict', includeSecrets: false, missingSecrets: [] }] }),
      'sync.conflicts': () => ({ items }),
      'presets.list': presets,
      'sync.teamLatency': team,
      'sync.resolve': () => {
        items = [];
        return syncStatus({ shared: [{ slug: 'team', remoteVersion: 5, state: 'synced', includeSecrets: false, missingSecrets: [] }] });
      },
    });
    render(<SyncScreen />);
    const card = await screen.findByRole('article', { name: 'team' });
    expect(card.textContent).toContain('Changed on both sides');
    expect(card.textContent).toContain('bob-desktop');
    expect(card.textContent).toContain('4');
    const diff = within(card).getByLabelText(/This machine’s team/);
    expect([...diff.querySelectorAll('.diff-remove')].map((l) => l.textContent).join('')).toContain('"description": "mine"');
    expect([...diff.querySelectorAll('.diff-add')].map((l) => l.textContent).join('')).toContain('"description": "theirs"');
    expect(within(card).getByText(/stays in the team’s history/)).toBeTruthy();
    expect(within(card).getByText(/Replaces the copy on this machine/)).toBeTruthy();

    fireEvent.click(within(card).getByRole('button', { name: /Keep mine/ }));
    await waitFor(() => expect(screen.getByText(/No conflicts/)).toBeTruthy());
    expect(gw.calls.find((c) => c.method === 'sync.resolve')?.input).toEqual({ id: 7, keep: 'mine' });
    expect(within(screen.getByTestId('shared-team')).getByTestId('team-version').textContent).toBe('5');
  });

  it('shares a preset without its secrets unless asked, and warns when asked', async () => {
    const gw = installFakeGateway({
      'sync.status': syncStatus({ shared: [{ slug: 'dev', remoteVersion: 1, state: 'synced', includeSecrets: false, missingSecrets: [] }] }),
      'sync.conflicts': { items: [] },
      'presets.list': presets,
      'sync.teamLatency': team,
      'sync.share': (input: Record<string, unknown>) =>
        syncStatus({
          shared: [
            { slug: 'dev', remoteVersion: 1, state: 'synced', includeSecrets: false, missingSecrets: [] },
            { slug: String(input['slug']), remoteVersion: null, state: 'pending', includeSecrets: input['includeSecrets'] === true, missingSecrets: [] },
          ],
        }),
    });
    render(<SyncScreen />);
    const form = await screen.findByRole('form', { name: 'Share a preset' });
    const picker = within(form).getByLabelText('Preset to share') as HTMLSelectElement;
    await waitFor(() => expect([...picker.options].map((o) => o.value)).toEqual(['', 'ops', 'team']));
    const secrets = within(form).getByRole('checkbox', { name: 'Also share env values and headers (secrets)' }) as HTMLInputElement;
    expect(secrets.checked).toBe(false);
    expect(within(form).queryByRole('note')).toBeNull();
    fireEvent.click(secrets);
    expect(within(form).getByRole('note').textContent).toContain('Everyone who can read the team database will see these values');
    fireEvent.click(secrets);
    expect(within(form).queryByRole('note')).toBeNull();

    fireEvent.change(picker, { target: { value: 'team' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Share' }));
    expect(await screen.findByTestId('shared-team')).toBeTruthy();
    expect(gw.calls.find((c) => c.method === 'sync.share')?.input).toEqual({ slug: 'team', includeSecrets: false });
    expect([...(within(form).getByLabelText('Preset to share') as HTMLSelectElement).options].map((o) => o.value)).toEqual(['', 'ops']);
  });

  it('stops sharing only after confirmation', async () => {
    const gw = installFakeGateway({
      'sync.status': syncStatus({ shared: [{ slug: 'dev', remoteVersion: 2, state: 'synced', includeSecrets: false, missingSecrets: [] }] }),
      'sync.conflicts': { items: [] },
      'presets.list': presets,
      'sync.teamLatency': team,
      'sync.unshare': syncStatus(),
    });
    render(<SyncScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Stop sharing dev' }));
    let dialog = await screen.findByRole('dialog', { name: 'Stop sharing dev?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep sharing' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(gw.calls.some((c) => c.method === 'sync.unshare')).toBe(false);

    fireEvent.click(screen.getByRole('button', { name: 'Stop sharing dev' }));
    dialog = await screen.findByRole('dialog', { name: 'Stop sharing dev?' });
    expect(dialog.textContent).toContain('The preset stays on this machine');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Stop sharing' }));
    await waitFor(() => expect(screen.queryByTestId('shared-dev')).toBeNull());
    expect(gw.calls.find((c) => c.method === 'sync.unshare')?.input).toEqual({ slug: 'dev' });
  });

  it('configures the team database from the form and checks its fields with the contract', async () => {
    const gw = installFakeGateway({
      'sync.status': unconfigured,
      'sync.conflicts': { items: [] },
      'presets.list': presets,
      'sync.teamLatency': team,
      'sync.configure': (input: Record<string, unknown>) => syncStatus({ url: 'postgres://alice:***@db:5432/team', member: input['member'], metricsScope: input['metricsScope'], state: 'syncing' }),
    });
    render(<SyncScreen />);
    const connection = await screen.findByRole('region', { name: 'Connection' });
    expect(within(screen.getByTestId('sync-state')).getByText('Disabled')).toBeTruthy();
    expect(within(connection).queryByRole('button', { name: 'Sync now' })).toBeNull();
    expect(within(connection).queryByRole('button', { name: 'Turn off' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Shared presets' })).toBeNull();

    fireEvent.change(within(connection).getByLabelText('Team database URL'), { target: { value: 'mysql://db/team' } });
    expect(within(connection).getByText('expected a postgres:// or postgresql:// URL')).toBeTruthy();
    fireEvent.click(within(connection).getByRole('button', { name: 'Save' }));
    expect(gw.calls.some((c) => c.method === 'sync.configure')).toBe(false);

    fireEvent.change(within(connection).getByLabelText('Team database URL'), { target: { value: ' postgres://alice:s3cret@db:5432/team ' } });
    fireEvent.change(within(connection).getByLabelText('Member name'), { target: { value: 'alice-laptop' } });
    fireEvent.change(within(connection).getByLabelText('Metrics shared with the team'), { target: { value: 'all' } });
    fireEvent.click(within(connection).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(screen.getByTestId('sync-state')).getByText('Syncing')).toBeTruthy());
    expect(gw.calls.find((c) => c.method === 'sync.configure')?.input).toEqual({ url: 'postgres://alice:s3cret@db:5432/team', member: 'alice-laptop', metricsScope: 'all' });
    expect(await screen.findByRole('region', { name: 'Shared presets' })).toBeTruthy();
    expect((within(connection).getByLabelText('Team database URL') as HTMLInputElement).value).toBe('postgres://alice:***@db:5432/team');
  });

  it('says that a gateway running on the team database has nothing to sync, and offers no form', async () => {
    installFakeGateway({
      'sync.status': syncStatus({ available: false, configured: false, url: null, state: 'disabled' }),
      'sync.conflicts': { items: [] },
      'presets.list': presets,
      'sync.teamLatency': { rows: [], members: [{ member: 'alice', lastSeenAt: new Date().toISOString(), version: '0.1.0' }] },
    });
    render(<SyncScreen />);
    expect(await screen.findByRole('heading', { name: 'This gateway runs on the team database itself' })).toBeTruthy();
    expect(screen.queryByLabelText('Team database URL')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Shared presets' })).toBeNull();
    // A team gateway still shows what its members push.
    expect(await screen.findByRole('region', { name: 'Team latency' })).toBeTruthy();
    expect(await screen.findByText('alice')).toBeTruthy();
  });

  it('shows the team latency by the chosen grouping, with the members', async () => {
    const row = (key: string) => ({ key, calls: 10, errors: 1, timeouts: 0, p50: 2.5, p95: 40, p99: 120 });
    const gw = installFakeGateway({
      'sync.status': syncStatus(),
      'sync.conflicts': { items: [] },
      'presets.list': presets,
      'sync.teamLatency': (input: Record<string, unknown>) => ({
        rows: [row(input['groupBy'] === 'member' ? 'bob-desktop' : 'fx__echo')],
        members: [{ member: 'bob-desktop', lastSeenAt: '2026-01-01T10:00:00.000Z', version: '0.4.0' }],
      }),
    });
    render(<SyncScreen />);
    const table = await screen.findByTestId('team-latency');
    await waitFor(() => expect(table.textContent).toContain('bob-desktop'));
    expect(table.textContent).toContain('2.5 ms');
    expect(table.textContent).toContain('120 ms');
    expect(screen.getByTestId('team-members').textContent).toContain('0.4.0');
    fireEvent.click(within(screen.getByRole('group', { name: 'Group by' })).getByRole('button', { name: 'Tool' }));
    await waitFor(() => expect(screen.getByTestId('team-latency').textContent).toContain('fx__echo'));
    expect(gw.calls.filter((c) => c.method === 'sync.teamLatency').map((c) => c.input['groupBy'])).toEqual(['member', 'tool']);
  });

  it('re-reads status and conflicts when the gateway pushes sync.status', async () => {
    let state = 'syncing';
    let items: unknown[] = [];
    const gw = installFakeGateway({
      'sync.status': () => syncStatus({ state, conflicts: items.length }),
      'sync.conflicts': () => ({ items }),
      'presets.list': presets,
      'sync.teamLatency': team,
    });
    const off = connectEvents(gw.client);
    try {
      render(<SyncScreen />);
      await waitFor(() => expect(within(screen.getByTestId('sync-state')).getByText('Syncing')).toBeTruthy());
      state = 'idle';
      items = [conflict];
      act(() => gw.emit('sync.status', { state: 'idle', pending: 0, conflicts: 1 }));
      await waitFor(() => expect(within(screen.getByTestId('sync-state')).getByText('Idle')).toBeTruthy());
      expect(await screen.findByRole('article', { name: 'team' })).toBeTruthy();
    } finally {
      off();
    }
  });

  it('marks shared presets in the presets list and tells the editor that saving publishes', async () => {
    installFakeGateway({
      'sync.status': syncStatus({ shared: [{ slug: 'team', remoteVersion: 3, state: 'pending', includeSecrets: false, missingSecrets: [] }] }),
      'sync.conflicts': { items: [] },
      'servers.list': { items: [] },
      'presets.list': presets,
      'presets.get': { ...presetSummary('team'), servers: [], acl: [] },
      'presets.toolView': { tools: [], estimatedTokens: 0 },
    });
    render(<PresetsScreen />);
    const card = await screen.findByTestId('preset-team');
    expect(await within(card).findByText('shared · pending')).toBeTruthy();
    expect(within(screen.getByTestId('preset-dev')).queryByText(/shared/)).toBeNull();
    cleanup();
    render(<PresetEditorScreen slug="team" />);
    const note = await screen.findByTestId('shared-note');
    expect(note.textContent).toContain('team version 3, a change waiting to be sent');
  });

  it('shows the team versions of a shared preset with a diff, and restores an earlier one', async () => {
    const doc = (description: string) => ({ format: 1, preset: { description }, servers: {} });
    const gw = installFakeGateway({
      'sync.status': syncStatus({ shared: [{ slug: 'team', remoteVersion: 3, state: 'synced', includeSecrets: false, missingSecrets: [] }] }),
      'sync.conflicts': { items: [] },
      'sync.teamLatency': team,
      'presets.list': presets,
      'sync.history': {
        items: [
          { version: 3, updatedBy: 'bob', updatedAt: '2026-01-01T10:00:00.000Z', deleted: false, doc: doc('third') },
          { version: 2, updatedBy: 'alice', updatedAt: '2026-01-01T09:00:00.000Z', deleted: false, doc: doc('second') },
        ],
      },
      'sync.restore': syncStatus({ shared: [{ slug: 'team', remoteVersion: 3, state: 'pending', includeSecrets: false, missingSecrets: [] }] }),
    });
    render(<SyncScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'History of team' }));
    const dialog = await screen.findByRole('dialog', { name: 'History of team' });
    expect(within(dialog).getByTestId('version-3').textContent).toContain('newest');
    expect(within(dialog).getByTestId('version-2').textContent).toContain('by alice');
    expect(dialog.querySelector('.diff-remove')?.textContent).toContain('second');
    expect(dialog.querySelector('.diff-add')?.textContent).toContain('third');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restore version 2' }));
    await waitFor(() => expect(gw.calls.some((c) => c.method === 'sync.restore' && c.input['version'] === 2 && c.input['slug'] === 'team')).toBe(true));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'History of team' })).toBeNull());
  });
});
