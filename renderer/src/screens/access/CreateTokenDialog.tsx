import { useId, useState } from 'react';
import { errorText } from '../../api/client.js';
import { CopyButton, ErrorMessage, Field, Modal } from '../../components/ui.js';
import { when } from '../../lib/format.js';
import { parseExpiryDays, useAccess, type CreatedToken } from '../../stores/access.js';

export function CreateTokenDialog({ created, onClose }: { created: CreatedToken | null; onClose: () => void }) {
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
