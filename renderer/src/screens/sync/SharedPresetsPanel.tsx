import { useCallback, useState } from 'react';
import { errorText } from '../../api/client.js';
import { Link } from '../../components/Link.js';
import { Badge, ErrorMessage, Modal } from '../../components/ui.js';
import { TableHead } from '../../components/TableHead.js';
import { useApp } from '../../stores/app.js';
import { useSync, type SharedPreset } from '../../stores/sync.js';
import { SharePresetForm } from './SharePresetForm.js';
import { HistoryDialog } from './HistoryDialog.js';

const STATE_LABELS: Record<SharedPreset['state'], string> = { synced: 'Synced', pending: 'Pending', conflict: 'Conflict' };
const STATE_HINTS: Record<SharedPreset['state'], string> = {
  synced: 'The same as the team’s copy.',
  pending: 'A change made here waits to be sent.',
  conflict: 'Changed here and in the team: see Conflicts below.',
};

export function SharedPresetsPanel({ shared }: { shared: SharedPreset[] }) {
  const [stopping, setStopping] = useState<string | null>(null);
  const [history, setHistory] = useState<string | null>(null);
  const close = useCallback(() => setStopping(null), []);
  const closeHistory = useCallback(() => setHistory(null), []);
  return (
    <section className="panel" aria-labelledby="sync-shared-title">
      <h2 id="sync-shared-title">Shared presets</h2>
      {shared.length === 0 ? (
        <p className="muted">No preset is shared yet. Share one below: teammates connected to the same database receive it at their next sync.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="shared-presets">
            <TableHead columns={['Preset', 'Team version', 'State', 'Secrets shared', 'Missing secrets', { key: 'actions', label: <span className="visually-hidden">Actions</span> }]} />
            <tbody>
              {shared.map((preset) => (
                <tr key={preset.slug} data-testid={`shared-${preset.slug}`}>
                  <td className="mono">
                    <Link to={{ screen: 'preset', slug: preset.slug }}>{preset.slug}</Link>
                  </td>
                  <td data-testid="team-version">{preset.remoteVersion ?? <span className="muted">not published yet</span>}</td>
                  <td title={STATE_HINTS[preset.state]}>
                    <Badge className={`share-${preset.state}`} state={preset.state}>
                      {STATE_LABELS[preset.state]}
                    </Badge>
                  </td>
                  <td>{preset.includeSecrets ? 'Yes' : 'No'}</td>
                  <td>{preset.missingSecrets.length === 0 ? <span className="muted">none</span> : <MissingSecrets items={preset.missingSecrets} />}</td>
                  <td>
                    <button type="button" className="button small" aria-label={`History of ${preset.slug}`} onClick={() => setHistory(preset.slug)}>
                      History
                    </button>{' '}
                    <button type="button" className="button small danger" aria-label={`Stop sharing ${preset.slug}`} onClick={() => setStopping(preset.slug)}>
                      Stop sharing
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <SharePresetForm shared={shared} />
      {stopping ? <StopSharingDialog slug={stopping} onClose={close} /> : null}
      {history ? <HistoryDialog slug={history} onClose={closeHistory} /> : null}
    </section>
  );
}

/** "server: env NAME" entries; the server part links to where the value is set. */
function MissingSecrets({ items }: { items: string[] }) {
  return (
    <ul className="warnings missing-secrets">
      {items.map((item) => {
        const colon = item.indexOf(': ');
        const server = colon > 0 ? item.slice(0, colon) : null;
        return (
          <li key={item}>
            {server ? (
              <>
                <Link to={{ screen: 'server', name: server }}>{server}</Link>
                <span className="mono">{item.slice(colon)}</span>
              </>
            ) : (
              <span className="mono">{item}</span>
            )}{' '}
            needs a value on this machine
          </li>
        );
      })}
    </ul>
  );
}

function StopSharingDialog({ slug, onClose }: { slug: string; onClose: () => void }) {
  const toast = useApp((s) => s.toast);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stop = async (): Promise<void> => {
    setBusy(true);
    try {
      await useSync.getState().unshare(slug);
      toast('success', `Stopped sharing “${slug}”`);
      onClose();
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };
  return (
    <Modal
      title={`Stop sharing ${slug}?`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button ghost" onClick={onClose}>
            Keep sharing
          </button>
          <button type="button" className="button danger" onClick={() => void stop()} disabled={busy}>
            Stop sharing
          </button>
        </>
      }
    >
      <p>The team copy is withdrawn, so teammates stop receiving changes to it. The preset stays on this machine.</p>
      <ErrorMessage>{error}</ErrorMessage>
    </Modal>
  );
}
