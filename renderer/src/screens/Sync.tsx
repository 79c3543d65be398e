import { useEffect } from 'react';
import { ErrorMessage, Spinner, usePolling } from '../components/ui.js';
import { useSync } from '../stores/sync.js';
import { ConflictsPanel } from './sync/ConflictsPanel.js';
import { ConnectionPanel } from './sync/ConnectionPanel.js';
import { SharedPresetsPanel } from './sync/SharedPresetsPanel.js';
import { TeamLatencyPanel } from './sync/TeamLatencyPanel.js';

export function SyncScreen() {
  const status = useSync((s) => s.status);
  const statusError = useSync((s) => s.statusError);
  useEffect(() => {
    void useSync.getState().load();
  }, []);
  // Pushed `sync.status` events keep this current; the poll only refreshes "in 30 s"-style times
  // and covers an event stream that dropped.
  usePolling(() => void useSync.getState().refresh(), 30_000);
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Sync</h1>
          <p className="muted">Share presets with your team through a team PostgreSQL database, and see the latency of the whole team.</p>
        </div>
      </header>
      <ErrorMessage onRetry={() => void useSync.getState().load()}>{statusError ? `Could not load the sync status: ${statusError}` : null}</ErrorMessage>
      {!status ? (
        statusError ? null : <Spinner label="Loading the sync status" />
      ) : !status.available ? (
        <>
          <section className="panel" aria-labelledby="sync-unavailable-title">
            <h2 id="sync-unavailable-title">This gateway runs on the team database itself</h2>
            <p>
              It was started with a team database (<code>serve --database-url</code>), so its presets and metrics already live there: there is nothing to sync.
              Team members connect their desktop apps to that database from their own Sync screen; the rollups they send are below.
            </p>
          </section>
          <TeamLatencyPanel />
        </>
      ) : (
        <>
          <ConnectionPanel status={status} />
          {status.configured ? (
            <>
              <SharedPresetsPanel shared={status.shared} />
              <ConflictsPanel />
              <TeamLatencyPanel />
            </>
          ) : null}
        </>
      )}
    </div>
  );
}
