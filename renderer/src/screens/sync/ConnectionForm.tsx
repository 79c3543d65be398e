import { useEffect, useId, useState } from 'react';
import { syncMethods, type MetricsScope } from '../../../../gateway/contract/index.js';
import { ErrorMessage, Field } from '../../components/ui.js';
import { runSave } from '../../lib/saving.js';
import { useApp } from '../../stores/app.js';
import { useSync, type SyncStatus } from '../../stores/sync.js';

const SCOPES: Array<{ value: MetricsScope; label: string }> = [
  { value: 'shared', label: 'Calls to shared presets only' },
  { value: 'all', label: 'Calls to all presets' },
  { value: 'none', label: 'None' },
];

const fields = syncMethods['sync.configure'].input.shape;

/** The first message of a failed check, for a field's error line. */
function problem(result: { success: boolean; error?: { issues: Array<{ message: string }> } }): string | undefined {
  return result.success ? undefined : result.error?.issues[0]?.message;
}

/**
 * The team database settings. The URL comes back from the gateway with its password hidden; a
 * URL saved unchanged is sent back as shown, which keeps the stored password.
 */
export function ConnectionForm({ status }: { status: SyncStatus }) {
  const toast = useApp((s) => s.toast);
  const [url, setUrl] = useState(status.url ?? '');
  const [member, setMember] = useState(status.member ?? '');
  const [scope, setScope] = useState<MetricsScope>(status.metricsScope);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = useId();
  // What was saved changed (a save here, or turning sync off): show it.
  useEffect(() => {
    setUrl(status.url ?? '');
    setMember(status.member ?? '');
    setScope(status.metricsScope);
  }, [status.url, status.member, status.metricsScope]);

  const urlError = url.trim() === '' ? undefined : problem(fields.url.safeParse(url.trim()));
  const memberError = member.trim() === '' ? undefined : problem(fields.member.safeParse(member.trim()));

  const save = async (): Promise<void> => {
    setError(null);
    if (url.trim() === '') {
      setError('Enter the team database URL (postgres://…), or use “Turn off” to stop syncing.');
      return;
    }
    if (urlError || memberError) {
      setError(urlError ?? memberError ?? null);
      return;
    }
    await runSave(setSaving, setError, async () => {
      await useSync.getState().configure({ url: url.trim(), ...(member.trim() ? { member: member.trim() } : {}), metricsScope: scope });
      toast('success', 'Saved: this machine syncs with the team database');
    });
  };
  const turnOff = async (): Promise<void> => {
    setError(null);
    await runSave(setSaving, setError, async () => {
      await useSync.getState().configure({ url: null });
      toast('success', 'Sync is off; the presets on this machine stay as they are');
    });
  };

  return (
    <form
      className="sync-form"
      aria-label="Team database"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Field
        label="Team database URL"
        htmlFor={`${ids}-url`}
        hint={`The password is stored encrypted on this machine${status.configured ? ' and is not shown again; leave the URL as it is to keep it' : ''}.`}
        error={urlError}
      >
        <input
          id={`${ids}-url`}
          className="mono"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          placeholder="postgres://user:password@db.example.com:5432/team"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <div className="grid-2">
        <Field label="Member name" htmlFor={`${ids}-member`} hint="How this machine is named in the team’s metrics and preset history." error={memberError}>
          <input id={`${ids}-member`} value={member} onChange={(e) => setMember(e.target.value)} placeholder="alice-laptop" autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Metrics shared with the team" htmlFor={`${ids}-scope`} hint="Hourly roll-ups (calls, errors, latency); never tool arguments or results.">
          <select id={`${ids}-scope`} value={scope} onChange={(e) => setScope(e.target.value as MetricsScope)}>
            {SCOPES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <ErrorMessage>{error}</ErrorMessage>
      <div className="row">
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        {status.configured ? (
          <button type="button" className="button danger" onClick={() => void turnOff()} disabled={saving}>
            Turn off
          </button>
        ) : null}
      </div>
    </form>
  );
}
