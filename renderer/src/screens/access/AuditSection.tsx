import { Fragment, useId, useState } from 'react';
import { Badge, EmptyState, ErrorMessage, Spinner } from '../../components/ui.js';
import { TableHead } from '../../components/TableHead.js';
import { formatTime } from '../../lib/format.js';
import { useAccess, type AuditItem } from '../../stores/access.js';

/** Actions the gateway writes, offered as suggestions in the audit filter (any exact action works). */
const KNOWN_ACTIONS = [
  'access.denied',
  'token.used',
  'tokens.create',
  'tokens.revoke',
  'presets.create',
  'presets.update',
  'presets.delete',
  'servers.create',
  'servers.update',
  'servers.delete',
  'servers.restart',
  'config.apply',
  'clients.write',
];

export function AuditPanel() {
  const items = useAccess((s) => s.audit);
  const loaded = useAccess((s) => s.auditLoaded);
  const loading = useAccess((s) => s.auditLoading);
  const error = useAccess((s) => s.auditError);
  const action = useAccess((s) => s.auditAction);
  const hasMore = useAccess((s) => s.auditHasMore);
  const [filter, setFilter] = useState(action);
  const ids = useId();
  const apply = (next: string): void => void useAccess.getState().loadAudit({ action: next });
  return (
    <section className="panel" aria-labelledby="audit-title">
      <div className="panel-header">
        <h2 id="audit-title">Audit log</h2>
        <span className="muted small">newest first</span>
        <span className="spacer" />
        <button type="button" className="button small" onClick={() => apply(action)} disabled={loading}>
          Refresh
        </button>
      </div>
      <form
        className="toolbar"
        role="search"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          apply(filter);
        }}
      >
        <label htmlFor={`${ids}-action`}>Action</label>
        <input
          id={`${ids}-action`}
          className="mono"
          list={`${ids}-actions`}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="every action"
          autoComplete="off"
        />
        <datalist id={`${ids}-actions`}>
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <button type="submit" className="button small">
          Filter
        </button>
        {action ? (
          <button
            type="button"
            className="button small ghost"
            onClick={() => {
              setFilter('');
              apply('');
            }}
          >
            Show every action
          </button>
        ) : null}
      </form>
      <ErrorMessage onRetry={() => apply(action)}>{error ? `Could not load the audit log: ${error}` : null}</ErrorMessage>
      {!loaded && loading ? <Spinner label="Loading the audit log" /> : null}
      {loaded && items.length === 0 ? (
        action ? (
          <EmptyState title="No matching entries">
            <p>
              Nothing was logged with the action <code>{action}</code>. Actions match exactly, e.g. <code>access.denied</code> or <code>presets.update</code>.
            </p>
          </EmptyState>
        ) : (
          <EmptyState title="The audit log is empty">
            <p>
              Changes to servers, presets and tokens (from here or the CLI), token use, and requests the gateway refused will be listed here, newest first.
            </p>
          </EmptyState>
        )
      ) : null}
      {items.length > 0 ? <AuditTable items={items} /> : null}
      {hasMore ? (
        <div className="row">
          <button type="button" className="button" onClick={() => void useAccess.getState().loadOlderAudit()} disabled={loading}>
            {loading ? 'Loading…' : 'Load older'}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function AuditTable({ items }: { items: AuditItem[] }) {
  const [open, setOpen] = useState<Record<number, boolean>>({});
  return (
    <div className="table-wrap">
      <table className="data-table audit-table" data-testid="audit-table">
        <TableHead columns={['Time', 'Actor', 'Action', 'Target', 'Outcome', 'Detail']} />
        <tbody>
          {items.map((item) => {
            const expanded = open[item.id] === true;
            const detailId = `audit-detail-${item.id}`;
            return (
              <Fragment key={item.id}>
                <tr className={item.outcome === 'ok' ? '' : `audit-${item.outcome}`} data-testid={`audit-${item.id}`} data-outcome={item.outcome}>
                  <td title={item.ts}>{formatTime(item.ts, true)}</td>
                  <td className="mono small">{item.actor}</td>
                  <td className="mono">{item.action}</td>
                  <td className="mono small">{item.target ?? '—'}</td>
                  <td>
                    <Badge className={`outcome-${item.outcome}`}>{item.outcome}</Badge>
                  </td>
                  <td>
                    {item.detail ? (
                      <button
                        type="button"
                        className="button small ghost"
                        aria-expanded={expanded}
                        aria-controls={expanded ? detailId : undefined}
                        aria-label={`${expanded ? 'Hide' : 'Show'} detail of ${item.action} at ${formatTime(item.ts, true)}`}
                        onClick={() => setOpen({ ...open, [item.id]: !expanded })}
                      >
                        {expanded ? 'Hide' : 'Show'}
                      </button>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
                {expanded && item.detail ? (
                  <tr className="audit-detail" id={detailId}>
                    <td colSpan={6}>
                      <pre className="mono small">{JSON.stringify(item.detail, null, 2)}</pre>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
