import { useEffect, useRef, useState } from 'react';
import { Link } from '../components/Link.js';
import { CopyButton, EmptyState, ErrorMessage, Spinner } from '../components/ui.js';
import { usePresets } from '../stores/presets.js';
import { useRouter } from '../stores/router.js';
import { useServers } from '../stores/servers.js';
import { useSync, type SharedPreset } from '../stores/sync.js';
import { SharedBadge } from './preset-editor/SharedNote.js';

export function PresetsScreen() {
  const { items, loaded, loading, error, hasMore, search } = usePresets();
  const load = usePresets((s) => s.load);
  const loadMore = usePresets((s) => s.loadMore);
  const servers = useServers((s) => s.items);
  const shared = useSync((s) => s.status?.shared);
  const navigate = useRouter((s) => s.navigate);
  const [query, setQuery] = useState(search);
  const debounce = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    void load();
    if (!useServers.getState().loaded) void useServers.getState().load();
    void useSync.getState().refresh(); // which presets are shared with the team
  }, [load]);

  const onSearch = (value: string): void => {
    setQuery(value);
    if (debounce.current) clearTimeout(debounce.current);
    debounce.current = setTimeout(() => void load({ search: value.trim() }), 250);
  };

  const noPresetsAtAll = loaded && items.length === 0 && !search;
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Presets</h1>
          <p className="muted">A preset is one MCP endpoint: the tools you pick from your servers, under one URL.</p>
        </div>
        <button type="button" className="button primary" onClick={() => navigate({ screen: 'preset-new' })}>
          New preset
        </button>
      </header>

      {noPresetsAtAll ? (
        <EmptyState
          title="No presets yet"
          action={
            servers.length === 0 ? (
              <div className="row">
                <button type="button" className="button primary" onClick={() => navigate({ screen: 'server-new' })}>
                  Add a server
                </button>
                <button type="button" className="button" onClick={() => navigate({ screen: 'import' })}>
                  Import from a client
                </button>
              </div>
            ) : (
              <button type="button" className="button primary" onClick={() => navigate({ screen: 'preset-new' })}>
                Create your first preset
              </button>
            )
          }
        >
          {servers.length === 0 ? (
            <p>
              Start by adding the MCP servers you use (a command such as <code>npx -y @modelcontextprotocol/server-filesystem</code>, or a
              remote URL), or import them from Claude Desktop, Cursor or VS Code. Then group their tools into a preset.
            </p>
          ) : (
            <p>You have {servers.length === 1 ? 'a server' : `${servers.length} servers`}. Create a preset to choose which tools your MCP clients see.</p>
          )}
        </EmptyState>
      ) : (
        <>
          <div className="toolbar">
            <input
              type="search"
              className="search"
              placeholder="Search presets by name, slug or description"
              aria-label="Search presets"
              value={query}
              onChange={(e) => onSearch(e.target.value)}
            />
            {loading ? <Spinner label="Loading presets" /> : null}
          </div>
          <ErrorMessage onRetry={() => void load()}>{error}</ErrorMessage>
          {loaded && items.length === 0 && search ? <p className="muted">No preset matches “{search}”.</p> : null}
          <ul className="card-list" aria-label="Presets">
            {items.map((preset) => (
              <li key={preset.id} className="card preset-card" data-testid={`preset-${preset.slug}`}>
                <div className="card-main">
                  <Link to={{ screen: 'preset', slug: preset.slug }} className="card-title">
                    {preset.name}
                  </Link>
                  <span className="muted mono">{preset.slug}</span>
                  <span className={`badge visibility-${preset.visibility}`}>{preset.visibility.replace('_', ' ')}</span>
                  {preset.status === 'disabled' ? <span className="badge state-stopped">disabled</span> : null}
                  {sharedBadge(shared, preset.slug)}
                </div>
                {preset.description ? <p className="card-text">{preset.description}</p> : null}
                <div className="endpoint">
                  <code className="mono" title="Streamable HTTP endpoint">
                    {preset.url}
                  </code>
                  <CopyButton text={preset.url} label="Copy URL" what={`of ${preset.slug}`} />
                  <Link to={{ screen: 'connect', slug: preset.slug }} className="button small ghost">
                    Connect a client
                  </Link>
                </div>
              </li>
            ))}
          </ul>
          {hasMore ? (
            <button type="button" className="button" onClick={() => void loadMore()} disabled={loading}>
              {loading ? 'Loading…' : 'Load more'}
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}

function sharedBadge(shared: SharedPreset[] | undefined, slug: string) {
  const entry = shared?.find((p) => p.slug === slug);
  return entry ? <SharedBadge shared={entry} /> : null;
}
