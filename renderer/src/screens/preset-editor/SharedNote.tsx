import { Link } from '../../components/Link.js';
import type { SharedPreset } from '../../stores/sync.js';

/** Tells the user that a preset's edits go to the team (and where to see how that is going). */
export function SharedNote({ shared }: { shared: SharedPreset }) {
  const version = shared.remoteVersion === null ? 'not published yet' : `team version ${shared.remoteVersion}`;
  return (
    <p className="notice" role="note" data-testid="shared-note">
      Shared with your team ({version}
      {shared.state === 'pending' ? ', a change waiting to be sent' : shared.state === 'conflict' ? ', a conflict to resolve' : ''}): what you save here is
      published to every machine that syncs with the team database. <Link to={{ screen: 'sync' }}>Sync</Link>
    </p>
  );
}

/** The small badge of a shared preset in lists. */
export function SharedBadge({ shared }: { shared: SharedPreset }) {
  const label = shared.state === 'conflict' ? 'shared · conflict' : shared.state === 'pending' ? 'shared · pending' : 'shared';
  return (
    <span className={`badge share-${shared.state}`} title={shared.remoteVersion === null ? 'Shared with the team, not published yet' : `Shared with the team (version ${shared.remoteVersion})`}>
      {label}
    </span>
  );
}
