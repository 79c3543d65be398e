import { useEffect, useState } from 'react';
import type { DesktopSettings } from '../../../gateway/contract/index.js';
import { Link } from '../components/Link.js';
import { ErrorMessage, Field, Spinner } from '../components/ui.js';
import { formatTime } from '../lib/format.js';
import { useApp, type Theme } from '../stores/app.js';
import { useSettings } from '../stores/settings.js';

type TextKey = 'host' | 'dataDir' | 'metricsRawRetention' | 'metricsRollupRetention';
type NumericKey = Exclude<keyof DesktopSettings, TextKey | 'launchAtLogin'>;

const RETENTION: Array<{ key: 'metricsRawRetention' | 'metricsRollupRetention'; label: string; hint: string }> = [
  { key: 'metricsRawRetention', label: 'Keep raw calls for', hint: 'Whole partitions older than this are dropped, e.g. "3 months", "30 days" or "forever".' },
  { key: 'metricsRollupRetention', label: 'Keep hourly roll-ups for', hint: 'The Dashboard reads long ranges from these.' },
];

const NUMBERS: Array<{ key: NumericKey; label: string; hint: string; group: string }> = [
  { key: 'port', label: 'Port', hint: '0 picks a free port at every start.', group: 'Network' },
  { key: 'defaultToolTimeoutMs', label: 'Default tool timeout (ms)', hint: 'Servers and presets can override it.', group: 'Timeouts' },
  { key: 'restartBaseMs', label: 'First restart delay (ms)', hint: 'Crashed stdio servers restart with exponential backoff from here…', group: 'Timeouts' },
  { key: 'restartMaxMs', label: 'Longest restart delay (ms)', hint: '…up to here.', group: 'Timeouts' },
  { key: 'breakerFailureThreshold', label: 'Breaker threshold (failures)', hint: 'Consecutive failures that open a server’s circuit breaker.', group: 'Timeouts' },
  { key: 'breakerCooldownMs', label: 'Breaker cool-down (ms)', hint: 'How long calls fail fast before a probe.', group: 'Timeouts' },
  { key: 'cacheMaxEntries', label: 'Cache entries', hint: 'Preset views kept in memory.', group: 'Cache' },
  { key: 'cacheMaxBytes', label: 'Cache size (bytes)', hint: 'Approximate memory bound of the preset cache.', group: 'Cache' },
  { key: 'metricsFlushMs', label: 'Metrics flush interval (ms)', hint: 'At most this much metrics data is lost on a crash.', group: 'Metrics' },
];

export function SettingsScreen() {
  const mode = useApp((s) => s.mode);
  const status = useApp((s) => s.status);
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  useEffect(() => {
    void useApp.getState().loadStatus();
    if (mode === 'desktop') void useSettings.getState().load();
  }, [mode]);

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Settings</h1>
        </div>
      </header>
      <section className="panel" aria-labelledby="appearance-title">
        <h2 id="appearance-title">Appearance</h2>
        <div className="segmented" role="group" aria-label="Theme">
          {(['system', 'light', 'dark'] as Theme[]).map((t) => (
            <button key={t} type="button" className={theme === t ? 'active' : ''} aria-pressed={theme === t} onClick={() => setTheme(t)}>
              {t === 'system' ? 'System' : t === 'light' ? 'Light' : 'Dark'}
            </button>
          ))}
        </div>
      </section>
      <section className="panel" aria-labelledby="gateway-title">
        <h2 id="gateway-title">This gateway</h2>
        {status ? (
          <dl className="facts">
            <div>
              <dt>Version</dt>
              <dd>{status.version}</dd>
            </div>
            <div>
              <dt>Address</dt>
              <dd className="mono">{status.url}</dd>
            </div>
            <div>
              <dt>Data folder</dt>
              <dd className="mono">{status.dataDir}</dd>
            </div>
            <div>
              <dt>Running since</dt>
              <dd>{formatTime(status.startedAt, true)}</dd>
            </div>
            <div>
              <dt>Servers</dt>
              <dd>
                {status.servers.ready} ready of {status.servers.total}
                {status.servers.failed > 0 ? `, ${status.servers.failed} failed` : ''}
              </dd>
            </div>
          </dl>
        ) : (
          <Spinner label="Loading" />
        )}
      </section>
      {mode === 'desktop' ? <DesktopSettingsForm /> : <HeadlessSettings />}
      <section className="panel" aria-labelledby="team-title">
        <h2 id="team-title">Team sync</h2>
        <p className="muted">
          Share presets and metrics with a team PostgreSQL database on the <Link to={{ screen: 'sync' }}>Sync</Link> screen.
        </p>
      </section>
    </div>
  );
}

function HeadlessSettings() {
  return (
    <section className="panel" aria-labelledby="headless-title">
      <h2 id="headless-title">Changing settings</h2>
      <p>This gateway runs headless: its settings come from, in increasing priority, the defaults, the “gateway” section of its config file, the environment and the command line.</p>
      <pre className="mono small output">
        {`mcp-gateway serve --port 7337 --host 127.0.0.1 --data-dir ~/.local/share/mcp-gateway --config gateway.json

# gateway.json
{ "gateway": { "defaultToolTimeoutMs": 30000, "restartMaxMs": 30000, "cacheMaxEntries": 2000,
               "metricsRawRetention": "3 months", "metricsRollupRetention": "forever" },
  "servers": { … }, "presets": { … } }

# environment
MCP_GATEWAY_PORT=7337 MCP_GATEWAY_HOST=127.0.0.1 MCP_GATEWAY_DATA_DIR=…`}
      </pre>
      <p className="muted">Restart `mcp-gateway serve` to apply changes.</p>
    </section>
  );
}

function DesktopSettingsForm() {
  const { desktop, loading, saving, error } = useSettings();
  const save = useSettings((s) => s.save);
  const toast = useApp((s) => s.toast);
  const [draft, setDraft] = useState<Record<string, string | boolean>>({});
  const [invalid, setInvalid] = useState<string | null>(null);
  useEffect(() => {
    if (!desktop) return;
    const s = desktop.settings;
    setDraft({
      ...Object.fromEntries(NUMBERS.map((n) => [n.key, String(s[n.key])])),
      host: s.host,
      dataDir: s.dataDir,
      metricsRawRetention: s.metricsRawRetention,
      metricsRollupRetention: s.metricsRollupRetention,
      launchAtLogin: s.launchAtLogin,
    });
  }, [desktop]);
  if (!desktop) return loading ? <Spinner label="Loading settings" /> : <ErrorMessage>{error}</ErrorMessage>;

  const submit = async (): Promise<void> => {
    const changes: Partial<DesktopSettings> = {};
    for (const n of NUMBERS) {
      const value = Number(draft[n.key]);
      if (!Number.isInteger(value) || value < 0) {
        setInvalid(`${n.label}: expected a whole number.`);
        return;
      }
      if (value !== desktop.settings[n.key]) changes[n.key] = value;
    }
    const host = String(draft['host'] ?? '').trim();
    const dataDir = String(draft['dataDir'] ?? '').trim();
    if (host !== desktop.settings.host) changes.host = host;
    if (dataDir !== desktop.settings.dataDir) changes.dataDir = dataDir;
    for (const r of RETENTION) {
      const value = String(draft[r.key] ?? '').trim();
      if (!/^(forever|never|\d+\s*(d|day|days|m|mo|month|months))$/i.test(value)) {
        setInvalid(`${r.label}: write e.g. "3 months", "30 days" or "forever".`);
        return;
      }
      if (value !== desktop.settings[r.key]) changes[r.key] = value;
    }
    if (draft['launchAtLogin'] !== desktop.settings.launchAtLogin) changes.launchAtLogin = draft['launchAtLogin'] === true;
    setInvalid(null);
    if (Object.keys(changes).length === 0) {
      toast('info', 'Nothing changed');
      return;
    }
    const result = await save(changes);
    if (result) toast('success', result.restarted ? 'Saved; the gateway restarted with the new settings' : 'Saved');
  };
  const groups = [...new Set(NUMBERS.map((n) => n.group))];
  const loopback = /^(127\.|localhost$|::1$|\[::1\]$)/.test(String(draft['host'] ?? ''));
  return (
    <form
      className="panel"
      aria-label="Desktop settings"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>Gateway settings</h2>
      <p className="muted small">Stored in {desktop.file}. Network, folder and limit changes restart the gateway (a second or two).</p>
      <label className="switch field">
        <input type="checkbox" checked={draft['launchAtLogin'] === true} onChange={(e) => setDraft({ ...draft, launchAtLogin: e.target.checked })} />
        <span>Launch at login (in the tray)</span>
      </label>
      <div className="grid-2">
        <Field label="Bind address" htmlFor="set-host" hint={loopback ? 'Only this machine can connect.' : 'Warning: other machines can reach public presets.'}>
          <input id="set-host" className="mono" value={String(draft['host'] ?? '')} onChange={(e) => setDraft({ ...draft, host: e.target.value })} />
        </Field>
        <Field label="Data folder" htmlFor="set-data" hint="Database, admin token and encryption key. Changing it starts from an empty database there.">
          <input id="set-data" className="mono" value={String(draft['dataDir'] ?? '')} onChange={(e) => setDraft({ ...draft, dataDir: e.target.value })} />
        </Field>
      </div>
      {groups.map((group) => (
        <fieldset key={group} className="settings-group">
          <legend>{group}</legend>
          <div className="grid-3">
            {NUMBERS.filter((n) => n.group === group).map((n) => (
              <Field key={n.key} label={n.label} htmlFor={`set-${n.key}`} hint={`${n.hint} Default ${desktop.defaults[n.key]}.`}>
                <input id={`set-${n.key}`} inputMode="numeric" value={String(draft[n.key] ?? '')} onChange={(e) => setDraft({ ...draft, [n.key]: e.target.value })} />
              </Field>
            ))}
            {group === 'Metrics'
              ? RETENTION.map((r) => (
                  <Field key={r.key} label={r.label} htmlFor={`set-${r.key}`} hint={`${r.hint} Default ${desktop.defaults[r.key]}.`}>
                    <input id={`set-${r.key}`} value={String(draft[r.key] ?? '')} onChange={(e) => setDraft({ ...draft, [r.key]: e.target.value })} />
                  </Field>
                ))
              : null}
          </div>
        </fieldset>
      ))}
      <ErrorMessage>{invalid ?? error}</ErrorMessage>
      <div className="row">
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        {saving ? <Spinner label="Restarting the gateway" /> : null}
      </div>
    </form>
  );
}
