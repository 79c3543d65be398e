import { useEffect, useState } from 'react';
import type { MethodOutput } from '../../../../gateway/contract/index.js';
import { call, errorText } from '../../api/client.js';
import { DiffView } from '../../components/DiffView.js';
import { ErrorMessage, Modal, Spinner } from '../../components/ui.js';
import { formatDateTime } from '../../lib/format.js';
import { useApp } from '../../stores/app.js';
import { useSync } from '../../stores/sync.js';

type Revision = MethodOutput<'sync.history'>['items'][number];

const pretty = (doc: unknown): string => JSON.stringify(doc ?? null, null, 2);

/**
 * Every version of a shared preset the team database keeps (nothing a conflict or an edit
 * replaced is lost): who published it and when, what differs from the newest, and a way to make
 * an earlier one the newest again.
 */
export function HistoryDialog({ slug, onClose }: { slug: string; onClose: () => void }) {
  const toast = useApp((s) => s.toast);
  const [items, setItems] = useState<Revision[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    call('sync.history', { slug })
      .then(({ items: loaded }) => {
        if (!live) return;
        setItems(loaded);
        setSelected(loaded[1]?.version ?? loaded[0]?.version ?? null);
      })
      .catch((caught: unknown) => live && setError(errorText(caught)));
    return () => {
      live = false;
    };
  }, [slug]);

  const newest = items?.[0];
  const chosen = items?.find((item) => item.version === selected);
  const restore = async (version: number): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await useSync.getState().restore(slug, version);
      toast('success', `Restored version ${version} of “${slug}”: it is published as the newest`);
      onClose();
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  };

  return (
    <Modal title={`History of ${slug}`} onClose={onClose}>
      <ErrorMessage>{error}</ErrorMessage>
      {!items ? (
        error ? null : <Spinner label="Loading the team's versions" />
      ) : (
        <>
          <ol className="history-list" aria-label="Versions, newest first">
            {items.map((item) => (
              <li key={item.version} data-testid={`version-${item.version}`}>
                <label>
                  <input type="radio" name="version" checked={item.version === selected} onChange={() => setSelected(item.version)} />
                  <span className="mono">v{item.version}</span> by {item.updatedBy}, {formatDateTime(item.updatedAt)}
                  {item.deleted ? ' (withdrawn)' : ''}
                  {item === newest ? ' — newest' : ''}
                </label>
              </li>
            ))}
          </ol>
          {chosen && newest && chosen !== newest ? (
            <>
              <p className="muted">Lines starting with − are version {chosen.version}; lines starting with + are the newest ({newest.version}).</p>
              <DiffView before={pretty(chosen.doc)} after={pretty(newest.doc)} label={`Version ${chosen.version} against the newest`} />
              {chosen.deleted ? null : (
                <button type="button" className="button" disabled={busy} onClick={() => void restore(chosen.version)}>
                  Restore version {chosen.version}
                </button>
              )}
            </>
          ) : null}
        </>
      )}
    </Modal>
  );
}
