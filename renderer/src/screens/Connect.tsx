import { useCallback, useEffect, useState } from 'react';
import { clientCommand, clientSnippet, type ClientEntryInput, type ClientInfo, type PresetSummary } from '../../../gateway/contract/index.js';
import { DiffView } from '../components/DiffView.js';
import { CopyButton, EmptyState, ErrorMessage, Modal, Spinner } from '../components/ui.js';
import { useConnect } from '../stores/connect.js';
import { usePresets } from '../stores/presets.js';
import { useRouter } from '../stores/router.js';

export function ConnectScreen({ slug: routeSlug }: { slug?: string | undefined }) {
  const presets = usePresets((s) => s.items);
  const loaded = usePresets((s) => s.loaded);
  const { info, error } = useConnect();
  const navigate = useRouter((s) => s.navigate);
  useEffect(() => {
    void usePresets.getState().load({ search: '' });
    void useConnect.getState().load();
  }, []);
  const preset = presets.find((p) => p.slug === routeSlug) ?? presets[0];

  if (loaded && presets.length === 0) {
    return (
      <div className="screen">
        <h1>Connect</h1>
        <EmptyState
          title="Create a preset first"
          action={
            <button type="button" className="button primary" onClick={() => navigate({ screen: 'preset-new' })}>
              New preset
            </button>
          }
        >
          <p>Clients connect to a preset’s URL. Once you have one, its ready-to-paste config for each client appears here.</p>
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Connect a client</h1>
          <p className="muted">Paste one of these into your MCP client, or let the gateway add it to the client’s config file (you review the change first).</p>
        </div>
        <label className="inline-field">
          <span>Preset</span>
          <select aria-label="Preset" value={preset?.slug ?? ''} onChange={(e) => navigate({ screen: 'connect', slug: e.target.value }, { replace: true })}>
            {presets.map((p) => (
              <option key={p.slug} value={p.slug}>
                {p.name} ({p.slug})
              </option>
            ))}
          </select>
        </label>
      </header>
      <ErrorMessage onRetry={() => void useConnect.getState().load()}>{error}</ErrorMessage>
      {!info || !preset ? <Spinner label="Loading clients" /> : null}
      {info && preset ? (
        <>
          <section className="panel">
            <h2>Endpoint</h2>
            <div className="endpoint">
              <code className="mono">{preset.url}</code>
              <CopyButton text={preset.url} label="Copy URL" what="of the preset" />
            </div>
            {preset.visibility !== 'public' ? (
              <p className="notice">This preset is {preset.visibility.replace('_', ' ')}: replace “&lt;your token&gt;” in the snippets with a token that may use it.</p>
            ) : null}
          </section>
          <div className="client-grid">
            {info.clients.map((client) => (
              <ClientCard key={client.id} client={client} preset={preset} bridge={info.bridge} />
            ))}
          </div>
          <WriteDialog />
        </>
      ) : null}
    </div>
  );
}

function ClientCard({ client, preset, bridge }: { client: ClientInfo; preset: PresetSummary; bridge: ClientEntryInput['bridge'] }) {
  const openPreview = useConnect((s) => s.openPreview);
  const previewing = useConnect((s) => s.previewing === client.id);
  const input: ClientEntryInput = { client: client.id, slug: preset.slug, url: preset.url, baseUrl: preset.url.replace(/\/mcp\/[^/]+$/, ''), bridge, visibility: preset.visibility };
  const snippet = clientSnippet(input);
  const command = clientCommand(input);
  return (
    <section className="panel client-card" aria-labelledby={`client-${client.id}`} data-testid={`client-${client.id}`}>
      <header className="panel-header">
        <h2 id={`client-${client.id}`}>{client.label}</h2>
        <span className="badge">{client.transport === 'http' ? 'Streamable HTTP' : 'stdio bridge'}</span>
      </header>
      {command ? (
        <>
          <p className="small muted">Run in a terminal:</p>
          <div className="snippet">
            <pre className="mono small">{command}</pre>
            <CopyButton text={command} label="Copy" what={`${client.label} command`} />
          </div>
          <p className="small muted">or add to {client.path}:</p>
        </>
      ) : (
        <p className="small muted">Add to {client.path}:</p>
      )}
      <div className="snippet">
        <pre className="mono small" data-testid={`snippet-${client.id}`}>
          {snippet}
        </pre>
        <CopyButton text={snippet} label="Copy" what={`${client.label} config`} />
      </div>
      <div className="row">
        <button type="button" className="button" onClick={() => void openPreview(client.id, preset.slug)} disabled={previewing}>
          {previewing ? 'Reading the file…' : client.exists ? 'Add to config file…' : 'Create config file…'}
        </button>
        {client.transport === 'stdio' ? <span className="muted small">Runs the gateway’s stdio bridge; restart {client.label} after adding.</span> : null}
      </div>
    </section>
  );
}

function WriteDialog() {
  const { preview, previewError, writing, written } = useConnect();
  const write = useConnect((s) => s.write);
  const closePreview = useConnect((s) => s.closePreview);
  const [consent, setConsent] = useState(false);
  const close = useCallback(() => {
    setConsent(false);
    closePreview();
  }, [closePreview]);
  if (!preview && !previewError) return null;
  if (!preview) {
    return (
      <Modal title="Cannot update the config file" onClose={close}>
        <ErrorMessage>{previewError}</ErrorMessage>
        <p>You can still copy the snippet and paste it by hand.</p>
      </Modal>
    );
  }
  return (
    <Modal
      title={written ? 'Config file updated' : `Update ${preview.path}?`}
      onClose={close}
      footer={
        written ? (
          <button type="button" className="button primary" onClick={close}>
            Done
          </button>
        ) : (
          <>
            <button type="button" className="button ghost" onClick={close}>
              Cancel
            </button>
            <button type="button" className="button primary" disabled={!consent || writing} onClick={() => void write()}>
              {writing ? 'Writing…' : 'Write file'}
            </button>
          </>
        )
      }
    >
      {written ? (
        <div role="status">
          <p>
            Wrote <code className="mono">{written.path}</code>.
          </p>
          {written.backupPath ? (
            <p>
              The previous version is saved as <code className="mono">{written.backupPath}</code>.
            </p>
          ) : (
            <p>The file did not exist before; nothing needed a backup.</p>
          )}
          <p>Restart the client (or reload its MCP servers) to pick up “{preview.entryName}”.</p>
        </div>
      ) : (
        <>
          <p>
            {preview.exists ? (
              <>
                The entry <code className="mono">{preview.entryName}</code> will be added; everything else in the file stays as it is. A backup copy is written next to it first.
              </>
            ) : (
              <>The file does not exist yet and will be created with this content.</>
            )}
          </p>
          <DiffView before={preview.before ?? ''} after={preview.after} />
          <ErrorMessage>{previewError}</ErrorMessage>
          <label className="consent">
            <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
            <span>I reviewed this change and want the gateway to write {preview.path}.</span>
          </label>
        </>
      )}
    </Modal>
  );
}
