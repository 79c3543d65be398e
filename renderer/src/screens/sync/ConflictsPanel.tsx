import { useState } from 'react';
import { DiffView } from '../../components/DiffView.js';
import { Badge, ErrorMessage } from '../../components/ui.js';
import { formatDateTime } from '../../lib/format.js';
import { runSave } from '../../lib/saving.js';
import { useApp } from '../../stores/app.js';
import { useSync, type SyncConflict } from '../../stores/sync.js';

function kindLabel(conflict: SyncConflict): string {
  switch (conflict.kind) {
    case 'edit':
      return 'Changed on both sides';
    case 'delete':
      return conflict.local === null ? 'Deleted here, changed in the team' : 'Deleted in the team, changed here';
    case 'slug-taken':
      return 'A team preset has the slug of a local preset that is not shared';
  }
}

/** A side as diff text: pretty JSON, or nothing when that side deleted the preset. */
function asText(value: unknown): string {
  return value === null || value === undefined ? '' : `${JSON.stringify(value, null, 2)}\n`;
}

export function ConflictsPanel() {
  const conflicts = useSync((s) => s.conflicts);
  const error = useSync((s) => s.conflictsError);
  return (
    <section className="panel" aria-labelledby="sync-conflicts-title">
      <h2 id="sync-conflicts-title">Conflicts{conflicts.length > 0 ? ` (${conflicts.length})` : ''}</h2>
      <ErrorMessage onRetry={() => void useSync.getState().refresh()}>{error ? `Could not load the conflicts: ${error}` : null}</ErrorMessage>
      {conflicts.length === 0 && !error ? <p className="muted">No conflicts: every shared preset agrees with the team’s copy.</p> : null}
      {conflicts.map((conflict) => (
        <ConflictCard key={conflict.id} conflict={conflict} />
      ))}
    </section>
  );
}

function ConflictCard({ conflict }: { conflict: SyncConflict }) {
  const toast = useApp((s) => s.toast);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `conflict-${conflict.id}`;
  const resolve = async (keep: 'mine' | 'theirs'): Promise<void> => {
    setError(null);
    await runSave(setBusy, setError, async () => {
      await useSync.getState().resolve(conflict.id, keep);
      toast('success', keep === 'mine' ? `Published this machine’s “${conflict.slug}” to the team` : `Replaced “${conflict.slug}” with the team’s version`);
    });
  };
  return (
    <article className="conflict" aria-labelledby={`${base}-title`} data-testid={base}>
      <header className="panel-header">
        <h3 id={`${base}-title`} className="mono">
          {conflict.slug}
        </h3>
        <Badge className={`conflict-${conflict.kind}`} state={conflict.kind}>
          {kindLabel(conflict)}
        </Badge>
      </header>
      <dl className="facts">
        <div>
          <dt>Changed in the team by</dt>
          <dd>{conflict.remoteMember ?? <span className="muted">unknown</span>}</dd>
        </div>
        <div>
          <dt>Team version</dt>
          <dd>{conflict.remoteVersion}</dd>
        </div>
        <div>
          <dt>Detected</dt>
          <dd>{formatDateTime(conflict.detectedAt)}</dd>
        </div>
      </dl>
      <p className="muted small">
        Lines starting with − are this machine’s{conflict.local === null ? ' (deleted here)' : ''}; lines starting with + are the team’s
        {conflict.remote === null ? ' (deleted in the team)' : ''}.
      </p>
      <DiffView before={asText(conflict.local)} after={asText(conflict.remote)} label={`This machine’s ${conflict.slug} (−) against the team’s (+)`} />
      <ErrorMessage>{error}</ErrorMessage>
      <ul className="conflict-actions">
        <li>
          <button type="button" className="button" aria-label={`Keep mine for ${conflict.slug}`} aria-describedby={`${base}-mine`} disabled={busy} onClick={() => void resolve('mine')}>
            Keep mine
          </button>
          <span id={`${base}-mine`} className="muted small">
            Publishes this machine’s version as the new team version; the team’s version stays in the team’s history.
          </span>
        </li>
        <li>
          <button type="button" className="button" aria-label={`Take theirs for ${conflict.slug}`} aria-describedby={`${base}-theirs`} disabled={busy} onClick={() => void resolve('theirs')}>
            Take theirs
          </button>
          <span id={`${base}-theirs`} className="muted small">
            Replaces the copy on this machine with the team’s version.
          </span>
        </li>
      </ul>
    </article>
  );
}
