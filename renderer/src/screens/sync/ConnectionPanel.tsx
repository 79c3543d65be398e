import { useState } from 'react';
import type { SyncState } from '../../../../gateway/contract/index.js';
import { Badge, ErrorMessage } from '../../components/ui.js';
import { formatDateTime, formatTime, plural, relativeTime } from '../../lib/format.js';
import { runSave } from '../../lib/saving.js';
import { useApp } from '../../stores/app.js';
import { useSync, type SyncStatus } from '../../stores/sync.js';
import { ConnectionForm } from './ConnectionForm.js';

const STATE_LABELS: Record<SyncState, string> = {
  disabled: 'Disabled',
  idle: 'Idle',
  syncing: 'Syncing',
  offline: 'Offline',
  error: 'Error',
};

const STATE_HINTS: Record<SyncState, string> = {
  disabled: 'No team database is set up: nothing is shared.',
  idle: 'Connected; nothing is waiting.',
  syncing: 'A sync is running.',
  offline: 'The team database cannot be reached; local work goes on and is sent when it is back.',
  error: 'The team database answered, but the last sync failed.',
};

export function SyncStateBadge({ state }: { state: SyncState }) {
  return (
    <span title={STATE_HINTS[state]} data-testid="sync-state">
      <Badge className={`sync-${state}`} state={state}>
        {STATE_LABELS[state]}
      </Badge>
    </span>
  );
}

/** A timestamp with how long ago (or until) it is. */
function Moment({ iso, none }: { iso: string | null; none: string }) {
  if (!iso) return <span className="muted">{none}</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatTime(iso, true)} ({relativeTime(iso)})
    </time>
  );
}

export function ConnectionPanel({ status }: { status: SyncStatus }) {
  const toast = useApp((s) => s.toast);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const syncNow = async (): Promise<void> => {
    setError(null);
    await runSave(setRunning, (message) => setError(`Could not sync: ${message}`), async () => {
      const next = await useSync.getState().syncNow();
      if (!next.lastError) toast('success', 'Synced with the team database');
    });
  };
  return (
    <section className="panel" aria-labelledby="sync-connection-title">
      <div className="panel-header">
        <h2 id="sync-connection-title">Connection</h2>
        <SyncStateBadge state={status.state} />
        <span className="spacer" />
        {status.configured ? (
          <button type="button" className="button primary" onClick={() => void syncNow()} disabled={running || status.state === 'syncing'}>
            {running ? 'Syncing…' : 'Sync now'}
          </button>
        ) : null}
      </div>
      {status.lastError ? (
        <ErrorMessage onRetry={running ? undefined : () => void syncNow()}>
          <strong>The last sync failed:</strong> {status.lastError}
        </ErrorMessage>
      ) : null}
      <ErrorMessage>{error}</ErrorMessage>
      {status.configured ? (
        <dl className="facts" data-testid="sync-facts">
          <div>
            <dt>Team database</dt>
            <dd className="mono">{status.url}</dd>
          </div>
          <div>
            <dt>This machine</dt>
            <dd>{status.member ?? <span className="muted">unnamed</span>}</dd>
          </div>
          <div>
            <dt>Last sync</dt>
            <dd>
              <Moment iso={status.lastSyncAt} none="never" />
            </dd>
          </div>
          <div>
            <dt>Last attempt</dt>
            <dd>
              <Moment iso={status.lastAttemptAt} none="none yet" />
            </dd>
          </div>
          <div>
            <dt>Next attempt</dt>
            <dd>
              <Moment iso={status.nextAttemptAt} none="none planned" />
            </dd>
          </div>
          <div>
            <dt>Waiting to be sent</dt>
            <dd>{status.pending === 0 ? 'nothing' : plural(status.pending, 'change')}</dd>
          </div>
          <div>
            <dt>Conflicts</dt>
            <dd className={status.conflicts > 0 ? 'error-text' : undefined}>{status.conflicts === 0 ? 'none' : plural(status.conflicts, 'conflict')}</dd>
          </div>
          <div>
            <dt>Metrics sent up to</dt>
            <dd>{status.metricsPushedThrough ? formatDateTime(status.metricsPushedThrough) : <span className="muted">nothing sent yet</span>}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted">This machine is not connected to a team database. Enter its URL to share presets and metrics with your team.</p>
      )}
      <ConnectionForm status={status} />
    </section>
  );
}
