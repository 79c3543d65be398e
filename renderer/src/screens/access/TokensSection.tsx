import { useState } from 'react';
import { errorText } from '../../api/client.js';
import { Link } from '../../components/Link.js';
import { Badge, EmptyState, ErrorMessage, Modal, Spinner } from '../../components/ui.js';
import { TableHead } from '../../components/TableHead.js';
import { formatDateTime, when } from '../../lib/format.js';
import { tokenState, useAccess, type AccessToken } from '../../stores/access.js';
import { useApp } from '../../stores/app.js';
import { CreateTokenDialog } from './CreateTokenDialog.js';

const STATE_LABELS = { active: 'Active', expired: 'Expired', revoked: 'Revoked' } as const;

export function TokensPanel() {
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
        <TableHead columns={['Principal', 'Scope', 'Created', 'Expires', 'Last used', 'State', { key: 'actions', label: <span className="visually-hidden">Actions</span> }]} />
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
                  <Badge className={`token-${state}`} state={state}>
                    {STATE_LABELS[state]}
                  </Badge>
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
