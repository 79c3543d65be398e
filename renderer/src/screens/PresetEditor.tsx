import { useEffect, useState } from 'react';
import { errorText } from '../api/client.js';
import { Link } from '../components/Link.js';
import { EmptyState, Spinner } from '../components/ui.js';
import { usePresets } from '../stores/presets.js';
import { BindingsPanel } from './preset-editor/BindingsPanel.js';
import { DangerZone } from './preset-editor/DangerZone.js';
import { EndpointPanel } from './preset-editor/EndpointPanel.js';
import { PresetForm } from './preset-editor/PresetForm.js';
import { SharedNote } from './preset-editor/SharedNote.js';
import { useSync } from '../stores/sync.js';

export function PresetEditorScreen({ slug }: { slug?: string }) {
  const isNew = slug === undefined;
  const detail = usePresets((s) => (slug ? s.details[slug] : undefined));
  const loadDetail = usePresets((s) => s.loadDetail);
  const [loadError, setLoadError] = useState<string | null>(null);
  const shared = useSync((s) => (slug ? s.status?.shared.find((p) => p.slug === slug) : undefined));

  useEffect(() => {
    if (!slug) return;
    setLoadError(null);
    loadDetail(slug).catch((error: unknown) => setLoadError(errorText(error)));
    void usePresets.getState().loadToolView(slug).catch(() => undefined);
    void useSync.getState().refresh(); // is it shared? (a failure just leaves the note out)
  }, [slug, loadDetail]);

  if (!isNew && !detail) {
    return (
      <div className="screen">
        {loadError ? (
          <EmptyState title="Preset not found" action={<Link to={{ screen: 'presets' }}>Back to presets</Link>}>
            <p>{loadError}</p>
          </EmptyState>
        ) : (
          <Spinner label="Loading preset" />
        )}
      </div>
    );
  }
  return (
    <div className="screen">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to={{ screen: 'presets' }}>Presets</Link> <span aria-hidden="true">/</span> <span>{isNew ? 'New preset' : detail?.name}</span>
      </nav>
      {shared ? <SharedNote shared={shared} /> : null}
      <PresetForm key={slug ?? 'new'} detail={detail} />
      {detail ? (
        <>
          <EndpointPanel detail={detail} />
          <BindingsPanel detail={detail} />
          <DangerZone detail={detail} />
        </>
      ) : null}
    </div>
  );
}
