// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFakeGateway, presetSummary } from '../test/fake-gateway.js';
import { AUDIT_PAGE, initialAccessState, useAccess } from '../stores/access.js';
import { AccessScreen } from './Access.js';

beforeEach(() => {
  useAccess.setState({ ...initialAccessState });
});
afterEach(() => cleanup());

const presets = { items: [presetSummary('dev'), presetSummary('team', { visibility: 'invite_only' })], pagination: { nextCursor: null, hasMore: false, limit: 200 } };
const record = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  principal: 'local',
  presetScope: null,
  createdAt: '2026-01-01T10:00:00.000Z',
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
  ...extra,
});
const audit = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  ts: '2026-01-01T10:00:00.000Z',
  actor: 'admin',
  action: 'presets.update',
  target: 'preset:dev',
  outcome: 'ok',
  detail: null,
  ...extra,
});

describe('Access screen', () => {
  it('tells a newcomer what tokens are for and that nothing was logged yet', async () => {
    installFakeGateway({ 'tokens.list': { items: [] }, 'presets.list': presets, 'audit.list': { items: [] } });
    render(<AccessScreen />);
    const empty = await screen.findByRole('region', { name: 'No access tokens yet' });
    expect(empty.textContent).toContain('Authorization: Bearer <token>');
    expect(within(empty).getByRole('button', { name: 'Create a token' })).toBeTruthy();
    expect(await screen.findByRole('heading', { name: 'The audit log is empty' })).toBeTruthy();
  });

  it('creates a scoped token and shows it once, with a copy button and a warning', async () => {
    const gw = installFakeGateway({
      'tokens.list': { items: [] },
      'presets.list': presets,
      'audit.list': { items: [] },
      'tokens.create': { token: 'mgw_shown_once', record: record('0b6f9a3e-1111-4c1d-8e2a-000000000001', { principal: 'alice@example.com', presetScope: ['team'], expiresAt: '2036-01-02T10:00:00.000Z' }) },
    });
    render(<AccessScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Create a token' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create an access token' });
    fireEvent.change(within(dialog).getByLabelText('Principal'), { target: { value: ' alice@example.com ' } });
    fireEvent.click(await within(dialog).findByRole('checkbox', { name: 'team' }));
    fireEvent.change(within(dialog).getByLabelText('Expires in (days)'), { target: { value: 'soon' } });
    expect(within(dialog).getByText(/Enter a positive number of days/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create token' }));
    expect(gw.calls.some((c) => c.method === 'tokens.create')).toBe(false);
    fireEvent.change(within(dialog).getByLabelText('Expires in (days)'), { target: { value: '1' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create token' }));

    const shown = await screen.findByRole('dialog', { name: 'Copy your new token' });
    expect((within(shown).getByLabelText('New token') as HTMLInputElement).value).toBe('mgw_shown_once');
    expect(within(shown).getByText('You will not see this token again.')).toBeTruthy();
    expect(within(shown).getByRole('button', { name: 'Copy new token' })).toBeTruthy();
    expect(gw.calls.find((c) => c.method === 'tokens.create')?.input).toEqual({ principal: 'alice@example.com', presets: ['team'], expiresInDays: 1 });

    fireEvent.click(within(shown).getByRole('button', { name: 'Done, I copied it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.body.textContent).not.toContain('mgw_shown_once');
    const row = screen.getByTestId('token-0b6f9a3e-1111-4c1d-8e2a-000000000001');
    expect(row.textContent).toContain('alice@example.com');
    expect(row.textContent).toContain('team');
    expect(within(row).getByText('Active')).toBeTruthy();
    expect(row.textContent).toContain('02 Jan 2036');
  });

  it('says in words why a token was not created', async () => {
    installFakeGateway({
      'tokens.list': { items: [] },
      'presets.list': presets,
      'audit.list': { items: [] },
      'tokens.create': () => {
        throw Object.assign(new Error('no preset with slug "gone" to scope the token to'), { code: 'invalid_input' });
      },
    });
    render(<AccessScreen />);
    fireEvent.click((await screen.findAllByRole('button', { name: /Create (a )?token/ }))[0] as HTMLElement);
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create token' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('The token was not created: no preset with slug "gone"');
  });

  it('revokes only after confirmation', async () => {
    const id = '0b6f9a3e-2222-4c1d-8e2a-000000000002';
    const gw = installFakeGateway({
      'tokens.list': { items: [record(id, { principal: 'bob@example.com', lastUsedAt: '2026-01-01T11:00:00.000Z' }), record('0b6f9a3e-3333-4c1d-8e2a-000000000003', { expiresAt: '2020-01-01T00:00:00.000Z' })] },
      'presets.list': presets,
      'audit.list': { items: [] },
      'tokens.revoke': record(id, { principal: 'bob@example.com', revokedAt: '2026-01-03T00:00:00.000Z' }),
    });
    render(<AccessScreen />);
    const row = await screen.findByTestId(`token-${id}`);
    expect(within(screen.getByTestId('token-0b6f9a3e-3333-4c1d-8e2a-000000000003')).getByText('Expired')).toBeTruthy();
    fireEvent.click(within(row).getByRole('button', { name: /Revoke token 0b6f9a3e of bob@example.com/ }));
    let dialog = await screen.findByRole('dialog', { name: 'Revoke this token?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(gw.calls.some((c) => c.method === 'tokens.revoke')).toBe(false);

    fireEvent.click(within(row).getByRole('button', { name: /Revoke token/ }));
    dialog = await screen.findByRole('dialog', { name: 'Revoke this token?' });
    expect(dialog.textContent).toContain('cannot be undone');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(within(screen.getByTestId(`token-${id}`)).getByText('Revoked')).toBeTruthy());
    expect(gw.calls.find((c) => c.method === 'tokens.revoke')?.input).toEqual({ id });
    expect(within(screen.getByTestId(`token-${id}`)).queryByRole('button', { name: /Revoke/ })).toBeNull();
  });

  it('lists the audit log newest first, highlights refusals, expands details, filters and pages', async () => {
    const first = [
      audit(300, { actor: 'token:0b6f9a3e', action: 'access.denied', target: 'preset:team', outcome: 'denied', detail: { status: 401, reason: 'Unauthorized: this token was revoked' } }),
      audit(299, { outcome: 'error', detail: { error: 'tool name collision' } }),
      ...Array.from({ length: AUDIT_PAGE - 2 }, (_, i) => audit(298 - i)),
    ];
    const gw = installFakeGateway({
      'tokens.list': { items: [] },
      'presets.list': presets,
      'audit.list': (input: Record<string, unknown>) => {
        if (input['action']) return { items: [first[0]] };
        if (input['beforeId']) return { items: [audit(Number(input['beforeId']) - 1, { action: 'tokens.create', target: null })] };
        return { items: first };
      },
    });
    render(<AccessScreen />);
    const table = await screen.findByTestId('audit-table');
    const denied = within(table).getByTestId('audit-300');
    expect(denied.className).toContain('audit-denied');
    expect(within(table).getByTestId('audit-299').className).toContain('audit-error');
    const show = within(denied).getByRole('button', { name: /Show detail of access.denied/ });
    expect(show.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(show);
    expect(show.getAttribute('aria-expanded')).toBe('true');
    expect(table.textContent).toContain('this token was revoked');

    fireEvent.click(screen.getByRole('button', { name: 'Load older' }));
    expect(await within(table).findByTestId(`audit-${300 - AUDIT_PAGE}`)).toBeTruthy();
    expect(gw.calls.filter((c) => c.method === 'audit.list').at(-1)?.input).toEqual({ limit: AUDIT_PAGE, beforeId: 300 - AUDIT_PAGE + 1 });
    expect(screen.queryByRole('button', { name: 'Load older' })).toBeNull();

    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'access.denied' } });
    fireEvent.click(screen.getByRole('button', { name: 'Filter' }));
    await waitFor(() => expect(screen.getByTestId('audit-table').querySelectorAll('tbody tr[data-outcome]')).toHaveLength(1));
    expect(gw.calls.filter((c) => c.method === 'audit.list').at(-1)?.input).toEqual({ limit: AUDIT_PAGE, action: 'access.denied' });
    fireEvent.click(screen.getByRole('button', { name: 'Show every action' }));
    await waitFor(() => expect(screen.getByTestId('audit-table').querySelectorAll('tbody tr[data-outcome]')).toHaveLength(AUDIT_PAGE));
  });

  it('shows load errors in words with a way to retry', async () => {
    let fail = true;
    installFakeGateway({
      'tokens.list': { items: [] },
      'presets.list': presets,
      'audit.list': () => {
        if (fail) throw Object.assign(new Error('the gateway is not reachable'), { code: 'unavailable' });
        return { items: [] };
      },
    });
    render(<AccessScreen />);
    const alert = await screen.findByText('Could not load the audit log: the gateway is not reachable');
    fail = false;
    fireEvent.click(within(alert.closest('.error-message') as HTMLElement).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'The audit log is empty' })).toBeTruthy();
  });
});
