import { Fragment, useEffect, useId, useState } from 'react';
import { errorText } from '../api/client.js';
import { Link } from '../components/Link.js';
import { CopyButton, EmptyState, ErrorMessage, Field, Modal, Spinner } from '../components/ui.js';
import { formatDateTime, formatTime } from '../lib/format.js';
import { parseExpiryDays, tokenState, useAccess, type AccessToken, type AuditItem, type CreatedToken } from '../stores/access.js';
import { useApp } from '../stores/app.js';

/** Actions the gateway writes, offered as suggestions in the audit filter (any exact action works). */
const KNOWN_ACTIONS = [
  'access.denied',
  'token.used',
  'tokens.create',
  'tokens.revoke',
  'presets.create',
  'presets.update',
  'presets.delete',
  'servers.create',
  'servers.update',
  'servers.delete',
  'servers.restart',
  'config.apply',
  'clients.write',
];

const STATE_LABELS = { active: 'Active', expired: 'Expired', revoked: 'Revoked' } as const;

function when(iso: string | null, none: string): string {
  return iso ? formatDateTime(iso) : none;
}

export function AccessScreen() {
  useEffect(() => {
    const access = useAccess.getState();
    void access.loadTokens();
    void access.loadPresets();
    void access.loadAudit();
  }, []);
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Access</h1>
          <p className="muted">
            Tokens let MCP clients open private and invite-only presets; the audit log shows every change, token use and refused request.
          </p>
        </div>
      </header>
      <TokensPanel />
      <AuditPanel />
    </div>
  );
}

function TokensPanel() {
  const tokens = useAccess((s) => s.tokens);
  const loaded = useAccess((s) => s.tokensLoaded);
  const loading = useAccess((s) => s.tokensLoading);
  const error = useAccess((s) => s.tokensError);
  const created = useAccess((s) => s.created);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<AccessToken | null>(null);
  const reload = (): void => void useAccess.getState().loadTokens();
  const close = (): void => {
    setCreating(false);
    useAccess.getState().dismissCreated();
  };
  return (
    <section className="panel" aria-labelledby="tokens-title">
      <div className="panel-header">
        <h2 id="tokens-title">Access tokens</h2>
        <span className="spacer" />
        <button type="button" className="button primary" onClick={() => setCreating(true)}>
          Create token
        </button>
      </div>
      <ErrorMessage onRetry={reload}>{error ? `Could not load the tokens: ${error}` : null}</ErrorMessage>
      {!loaded && loading ? <Spinner label="Loading tokens" /> : null}
      {loaded && tokens.length === 0 ? (
        <EmptyState
          title="No access tokens yet"
          action={
            <button type="button" className="button primary" onClick={() => setCreating(true)}>
              Create a token
            </button>
          }
        >
          <p>
            Public presets need no token. To let a client open a <strong>private</strong> or <strong>invite-only</strong> preset, create a token here and
            put it in the client’s config as the header <code>Authorization: Bearer &lt;token&gt;</code>.
          </p>
          <p className="muted small">
            Who may open a preset is set in its editor (visibility and invited principals) on the <Link to={{ screen: 'presets' }}>Presets</Link> screen.
          </p>
        </EmptyState>
      ) : null}
      {tokens.length > 0 ? <TokensTable tokens={tokens} onRevoke={setRevoking} /> : null}
      {creating || created ? <CreateTokenDialog created={created} onClose={close} /> : null}
      {revoking ? <RevokeDialog token={revoking} onClose={() => setRevoking(null)} /> : null}
    </section>
  );
}

function TokensTable({ tokens, onRevoke }: { tokens: AccessToken[]; onRevoke: (token: AccessToken) => void }) {
  const busy = useAccess((s) => s.revoking);
  const now = Date.now();
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="tokens-table">
        <thead>
          <tr>
            <th scope="col">Principal</th>
            <th scope="col">Scope</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">State</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => {
            const state = tokenState(token, now);
            return (
              <tr key={token.id} data-testid={`token-${token.id}`} className={state === 'active' ? '' : 'token-inactive'}>
                <td>
                  <div>{token.principal}</div>
                  <div className="mono small muted" title={`Token id ${token.id}`}>
                    {token.id.slice(0, 8)}
                  </div>
                </td>
                <td>{token.presetScope ? token.presetScope.join(', ') : <span className="muted">every preset its principal may open</span>}</td>
                <td>{formatDateTime(token.createdAt)}</td>
                <td>{when(token.expiresAt, 'never')}</td>
                <td>{when(token.lastUsedAt, 'never')}</td>
                <td>
                  <span className={`badge token-${state}`} data-state={state}>
                    <span className="badge-dot" aria-hidden="true" />
                    {STATE_LABELS[state]}
                  </span>
                </td>
                <td>
                  {state === 'revoked' ? null : busy[token.id] ? (
                    <Spinner label="Revoking…" />
                  ) : (
                    <button type="button" className="button small danger" onClick={() => onRevoke(token)} aria-label={`Revoke token ${token.id.slice(0, 8)} of ${token.principal}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CreateTokenDialog({ created, onClose }: { created: CreatedToken | null; onClose: () => void }) {
  return (
    <Modal title={created ? 'Copy your new token' : 'Create an access token'} onClose={onClose}>
      {created ? <NewToken created={created} onClose={onClose} /> : <CreateTokenForm onCancel={onClose} />}
    </Modal>
  );
}

function NewToken({ created, onClose }: { created: CreatedToken; onClose: () => void }) {
  const { record } = created;
  return (
    <div className="new-token" data-testid="new-token">
      <p className="notice" role="status">
        <strong>You will not see this token again.</strong> Copy it now and keep it somewhere safe: the gateway stores only a hash of it. If you lose it, revoke it and
        create another.
      </p>
      <div className="row">
        <input className="mono token-value" aria-label="New token" value={created.token} readOnly onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={created.token} what="new token" />
      </div>
      <dl className="facts">
        <div>
          <dt>Principal</dt>
          <dd>{record.principal}</dd>
        </div>
        <div>
          <dt>Presets</dt>
          <dd>{record.presetScope ? record.presetScope.join(', ') : 'every preset its principal may open'}</dd>
        </div>
        <div>
          <dt>Expires</dt>
          <dd>{when(record.expiresAt, 'never')}</dd>
        </div>
      </dl>
      <p className="hint">
        Clients send it as <code>Authorization: Bearer &lt;token&gt;</code> to the preset’s URL.
      </p>
      <div className="row">
        <button type="button" className="button primary" onClick={onClose}>
          Done, I copied it
        </button>
      </div>
    </div>
  );
}

function CreateTokenForm({ onCancel }: { onCancel: () => void }) {
  const presetSlugs = useAccess((s) => s.presetSlugs);
  const presetsError = useAccess((s) => s.presetsError);
  const [principal, setPrincipal] = useState('');
  const [scope, setScope] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const expiry = parseExpiryDays(expires);
  const ids = useId();

  const submit = async (): Promise<void> => {
    if (expiry.error) {
      setError(expiry.error);
      return;
    }
    setError(null);
    setSaving(true);
    try {
      await useAccess.getState().create({
        ...(principal.trim() ? { principal: principal.trim() } : {}),
        ...(scope.length > 0 ? { presets: scope } : {}),
        ...(expiry.days !== undefined ? { expiresInDays: expiry.days } : {}),
      });
    } catch (caught) {
      setError(`The token was not created: ${errorText(caught)}`);
      setSaving(false);
    }
  };

  return (
    <form
      className="token-form"
      aria-label="New token"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <Field
        label="Principal"
        htmlFor={`${ids}-principal`}
        hint="A user id or email the token speaks for. Leave it empty for yourself (the owner): such a token can open your private presets. Invite-only presets admit principals listed in their ACL."
      >
        <input id={`${ids}-principal`} value={principal} onChange={(e) => setPrincipal(e.target.value)} placeholder="you (the owner)" autoComplete="off" />
      </Field>
      <fieldset className="scope-picker">
        <legend>Presets it may open</legend>
        {presetsError ? <p className="error-text small">Could not load the presets: {presetsError}</p> : null}
        {presetSlugs.length === 0 && !presetsError ? <p className="hint">There are no presets yet; the token will work for any you add later.</p> : null}
        <ul className="scope-list">
          {presetSlugs.map((slug) => (
            <li key={slug}>
              <label className="inline-field">
                <input
                  type="checkbox"
                  checked={scope.includes(slug)}
                  onChange={(e) => setScope(e.target.checked ? [...scope, slug] : scope.filter((s) => s !== slug))}
                />
                <span className="mono">{slug}</span>
              </label>
            </li>
          ))}
        </ul>
        <p className="hint">{scope.length === 0 ? 'None ticked: every preset its principal may open.' : `Only ${scope.join(', ')}.`}</p>
      </fieldset>
      <Field label="Expires in (days)" htmlFor={`${ids}-expires`} hint="Leave empty for a token that never expires." error={expires.trim() ? expiry.error : undefined}>
        <input id={`${ids}-expires`} inputMode="decimal" value={expires} onChange={(e) => setExpires(e.target.value)} placeholder="never" autoComplete="off" />
      </Field>
      <ErrorMessage>{error}</ErrorMessage>
      <div className="row">
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Creating…' : 'Create token'}
        </button>
        <button type="button" className="button ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RevokeDialog({ token, onClose }: { token: AccessToken; onClose: () => void }) {
  const toast = useApp((s) => s.toast);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const revoke = async (): Promise<void> => {
    setSaving(true);
    setError(null);
    try {
      await useAccess.getState().revoke(token.id);
      toast('success', `Revoked the token of ${token.principal}`);
      onClose();
    } catch (caught) {
      setError(`The token was not revoked: ${errorText(caught)}`);
      setSaving(false);
    }
  };
  return (
    <Modal
      title="Revoke this token?"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button ghost" onClick={onClose}>
            Keep it
          </button>
          <button type="button" className="button danger" onClick={() => void revoke()} disabled={saving}>
            {saving ? 'Revoking…' : 'Revoke token'}
          </button>
        </>
      }
    >
      <p>
        The token of <strong>{token.principal}</strong> (<span className="mono">{token.id.slice(0, 8)}</span>) stops working on the next request: clients using it are
        refused. This cannot be undone.
      </p>
      <ErrorMessage>{error}</ErrorMessage>
    </Modal>
  );
}

function AuditPanel() {
  const items = useAccess((s) => s.audit);
  const loaded = useAccess((s) => s.auditLoaded);
  const loading = useAccess((s) => s.auditLoading);
  const error = useAccess((s) => s.auditError);
  const action = useAccess((s) => s.auditAction);
  const hasMore = useAccess((s) => s.auditHasMore);
  const [filter, setFilter] = useState(action);
  const ids = useId();
  const apply = (next: string): void => void useAccess.getState().loadAudit({ action: next });
  return (
    <section className="panel" aria-labelledby="audit-title">
      <div className="panel-header">
        <h2 id="audit-title">Audit log</h2>
        <span className="muted small">newest first</span>
        <span className="spacer" />
        <button type="button" className="button small" onClick={() => apply(action)} disabled={loading}>
          Refresh
        </button>
      </div>
      <form
        className="toolbar"
        role="search"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          apply(filter);
        }}
      >
        <label htmlFor={`${ids}-action`}>Action</label>
        <input
          id={`${ids}-action`}
          className="mono"
          list={`${ids}-actions`}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="every action"
          autoComplete="off"
        />
        <datalist id={`${ids}-actions`}>
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <button type="submit" className="button small">
          Filter
        </button>
        {action ? (
          <button
            type="button"
            className="button small ghost"
            onClick={() => {
              setFilter('');
              apply('');
            }}
          >
            Show every action
          </button>
        ) : null}
      </form>
      <ErrorMessage onRetry={() => apply(action)}>{error ? `Could not load the audit log: ${error}` : null}</ErrorMessage>
      {!loaded && loading ? <Spinner label="Loading the audit log" /> : null}
      {loaded && items.length === 0 ? (
        action ? (
          <EmptyState title="No matching entries">
            <p>
              Nothing was logged with the action <code>{action}</code>. Actions match exactly, e.g. <code>access.denied</code> or <code>presets.update</code>.
            </p>
          </EmptyState>
        ) : (
          <EmptyState title="The audit log is empty">
            <p>
              Changes to servers, presets and tokens (from here or the CLI), token use, and requests the gateway refused will be listed here, newest first.
            </p>
          </EmptyState>
        )
      ) : null}
      {items.length > 0 ? <AuditTable items={items} /> : null}
      {hasMore ? (
        <div className="row">
          <button type="button" className="button" onClick={() => void useAccess.getState().loadOlderAudit()} disabled={loading}>
            {loading ? 'Loading…' : 'Load older'}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function AuditTable({ items }: { items: AuditItem[] }) {
  const [open, setOpen] = useState<Record<number, boolean>>({});
  return (
    <div className="table-wrap">
      <table className="data-table audit-table" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const expanded = open[item.id] === true;
            const detailId = `audit-detail-${item.id}`;
            return (
              <Fragment key={item.id}>
                <tr className={item.outcome === 'ok' ? '' : `audit-${item.outcome}`} data-testid={`audit-${item.id}`} data-outcome={item.outcome}>
                  <td title={item.ts}>{formatTime(item.ts, true)}</td>
                  <td className="mono small">{item.actor}</td>
                  <td className="mono">{item.action}</td>
                  <td className="mono small">{item.target ?? '—'}</td>
                  <td>
                    <span className={`badge outcome-${item.outcome}`}>
                      <span className="badge-dot" aria-hidden="true" />
                      {item.outcome}
                    </span>
                  </td>
                  <td>
                    {item.detail ? (
                      <button
                        type="button"
                        className="button small ghost"
                        aria-expanded={expanded}
                        aria-controls={expanded ? detailId : undefined}
                        aria-label={`${expanded ? 'Hide' : 'Show'} detail of ${item.action} at ${formatTime(item.ts, true)}`}
                        onClick={() => setOpen({ ...open, [item.id]: !expanded })}
                      >
                        {expanded ? 'Hide' : 'Show'}
                      </button>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
                {expanded && item.detail ? (
                  <tr className="audit-detail" id={detailId}>
                    <td colSpan={6}>
                      <pre className="mono small">{JSON.stringify(item.detail, null, 2)}</pre>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
