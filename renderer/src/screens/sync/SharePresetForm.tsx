import { useId, useState } from 'react';
import { ErrorMessage, Field } from '../../components/ui.js';
import { runSave } from '../../lib/saving.js';
import { useApp } from '../../stores/app.js';
import { useSync, type SharedPreset } from '../../stores/sync.js';

/** Picks a local preset that is not shared yet and shares it, secrets only when asked to. */
export function SharePresetForm({ shared }: { shared: SharedPreset[] }) {
  const presetSlugs = useSync((s) => s.presetSlugs);
  const presetsError = useSync((s) => s.presetsError);
  const toast = useApp((s) => s.toast);
  const [slug, setSlug] = useState('');
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();
  const sharedSlugs = new Set(shared.map((p) => p.slug));
  const candidates = presetSlugs.filter((s) => !sharedSlugs.has(s));

  const share = async (): Promise<void> => {
    setError(null);
    if (!slug) {
      setError('Pick a preset to share.');
      return;
    }
    await runSave(setSaving, setError, async () => {
      await useSync.getState().share(slug, includeSecrets);
      toast('success', includeSecrets ? `Shared “${slug}” with its secrets` : `Shared “${slug}”`);
      setSlug('');
      setIncludeSecrets(false);
    });
  };

  return (
    <form
      className="sync-form"
      aria-label="Share a preset"
      onSubmit={(e) => {
        e.preventDefault();
        void share();
      }}
    >
      <h3>Share a preset</h3>
      <ErrorMessage onRetry={() => void useSync.getState().loadPresets()}>{presetsError ? `Could not load the presets: ${presetsError}` : null}</ErrorMessage>
      {candidates.length === 0 && !presetsError ? (
        <p className="muted">{presetSlugs.length === 0 ? 'There are no presets on this machine yet.' : 'Every preset on this machine is shared.'}</p>
      ) : (
        <>
          <Field label="Preset to share" htmlFor={`${ids}-slug`}>
            <select id={`${ids}-slug`} value={slug} onChange={(e) => setSlug(e.target.value)}>
              <option value="">Pick a preset…</option>
              {candidates.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
          <label className="switch field">
            <input type="checkbox" checked={includeSecrets} onChange={(e) => setIncludeSecrets(e.target.checked)} />
            <span>Also share env values and headers (secrets)</span>
          </label>
          {includeSecrets ? (
            <p className="notice" role="note">
              <strong>Everyone who can read the team database will see these values</strong> (API keys, tokens, passwords in the servers’ env and headers). Leave
              this off to share the preset without them: each teammate then fills in their own.
            </p>
          ) : (
            <p className="hint">Without secrets, teammates see which env values and headers they need to fill in on their machine.</p>
          )}
          <ErrorMessage>{error}</ErrorMessage>
          <div className="row">
            <button type="submit" className="button primary" disabled={saving}>
              {saving ? 'Sharing…' : 'Share'}
            </button>
          </div>
        </>
      )}
    </form>
  );
}
