import { useEffect } from 'react';
import { LatencyTable } from '../../components/LatencyTable.js';
import { TableHead } from '../../components/TableHead.js';
import { ErrorMessage, Spinner } from '../../components/ui.js';
import { formatDateTime, relativeTime } from '../../lib/format.js';
import { useSync, type TeamGroupBy } from '../../stores/sync.js';

const GROUPS: Array<{ value: TeamGroupBy; label: string }> = [
  { value: 'member', label: 'Member' },
  { value: 'preset', label: 'Preset' },
  { value: 'tool', label: 'Tool' },
];

export function TeamLatencyPanel() {
  const team = useSync((s) => s.team);
  const groupBy = useSync((s) => s.teamGroupBy);
  const loading = useSync((s) => s.teamLoading);
  const error = useSync((s) => s.teamError);
  const load = useSync((s) => s.loadTeam);
  useEffect(() => {
    void useSync.getState().loadTeam();
  }, []);
  return (
    <section className="panel" aria-labelledby="sync-team-title">
      <header className="panel-header">
        <h2 id="sync-team-title">Team latency</h2>
        <span className="muted small">tool calls of every member, from the hourly roll-ups they send</span>
        <span className="spacer" />
        {loading ? <Spinner label="Loading" /> : null}
        <div className="segmented" role="group" aria-label="Group by">
          {GROUPS.map((g) => (
            <button key={g.value} type="button" className={groupBy === g.value ? 'active' : ''} aria-pressed={groupBy === g.value} onClick={() => void load(g.value)}>
              {g.label}
            </button>
          ))}
        </div>
        <button type="button" className="button small" onClick={() => void load()} disabled={loading}>
          Refresh
        </button>
      </header>
      <ErrorMessage onRetry={() => void load()}>{error ? `Could not load the team’s latency: ${error}` : null}</ErrorMessage>
      {team ? (
        <>
          <LatencyTable rows={team.rows} keyLabel={groupBy} empty="No team metrics yet: members send hourly roll-ups as they sync." testId="team-latency" />
          <h3>Members</h3>
          {team.members.length === 0 ? (
            <p className="muted">No member has synced yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table" data-testid="team-members">
                <TableHead columns={['Member', 'Last seen', 'App version']} />
                <tbody>
                  {team.members.map((m) => (
                    <tr key={m.member}>
                      <td>{m.member}</td>
                      <td title={formatDateTime(m.lastSeenAt)}>{relativeTime(m.lastSeenAt)}</td>
                      <td className="mono small">{m.version ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}
