import { useEffect } from 'react';
import type { ServerView } from '../../../gateway/contract/index.js';
import { errorText } from '../api/client.js';
import { Link } from '../components/Link.js';
import { EmptyState, ErrorMessage, Spinner, StateBadge, usePolling } from '../components/ui.js';
import { plural, relativeTime } from '../lib/format.js';
import { useApp } from '../stores/app.js';
import { useRouter } from '../stores/router.js';
import { useServers } from '../stores/servers.js';

export function commandLine(server: Pick<ServerView, 'transport' | 'command' | 'args' | 'url'>): string {
  if (server.transport !== 'stdio') return server.url ?? '';
  const quote = (part: string): string => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`);
  return [server.command ?? '', ...server.args].map(quote).join(' ');
}

export function ServerActions({ server }: { server: ServerView }) {
  const busy = useServers((s) => s.busy[server.name]);
  const restart = useServers((s) => s.restart);
  const setEnabled = useServers((s) => s.setEnabled);
  const toast = useApp((s) => s.toast);
  const run = (action: () => Promise<void>, done: string): void => {
    action()
      .then(() => toast('success', done))
      .catch((error: unknown) => toast('error', `${server.name}: ${errorText(error)}`));
  };
  if (busy) return <Spinner label={`${busy.charAt(0).toUpperCase()}${busy.slice(1)}…`} />;
  return (
    <div className="row">
      {server.enabled ? (
        <>
          <button type="button" className="button small" onClick={() => run(() => restart(server.name), `Restarting ${server.name}`)} aria-label={`Restart ${server.name}`}>
            Restart
          </button>
          <button type="button" className="button small ghost" onClick={() => run(() => setEnabled(server.name, false), `Stopped ${server.name}`)} aria-label={`Stop ${server.name}`}>
            Stop
          </button>
        </>
      ) : (
        <button type="button" className="button small" onClick={() => run(() => setEnabled(server.name, true), `Starting ${server.name}`)} aria-label={`Start ${server.name}`}>
          Start
        </button>
      )}
    </div>
  );
}

export function StatusLine({ server }: { server: ServerView }) {
  const { status } = server;
  return (
    <div className="status-line">
      <StateBadge state={status.state} breaker={status.breaker} />
      {status.state === 'ready' ? <span className="muted small">{plural(status.toolCount, 'tool')}</span> : null}
      {status.restarts > 0 ? <span className="muted small">{plural(status.restarts, 'restart')}</span> : null}
      {status.nextRetryAt ? <span className="muted small">next try {relativeTime(status.nextRetryAt)}</span> : null}
      {!server.enabled ? <span className="muted small">disabled</span> : null}
    </div>
  );
}

export function ServersScreen() {
  const { items, loaded, loading, error } = useServers();
  const load = useServers((s) => s.load);
  const navigate = useRouter((s) => s.navigate);
  useEffect(() => {
    void load();
  }, [load]);
  // Pushed status events keep states live; a slow poll also refreshes counters and errors.
  usePolling(() => void load(), 10_000);

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Servers</h1>
          <p className="muted">Upstream MCP servers. Each runs once and is shared by every preset and client.</p>
        </div>
        <div className="row">
          <button type="button" className="button" onClick={() => navigate({ screen: 'import' })}>
            Import
          </button>
          <button type="button" className="button primary" onClick={() => navigate({ screen: 'server-new' })}>
            Add server
          </button>
        </div>
      </header>
      <ErrorMessage onRetry={() => void load()}>{error}</ErrorMessage>
      {!loaded && loading ? <Spinner label="Loading servers" /> : null}
      {loaded && items.length === 0 ? (
        <EmptyState
          title="No servers yet"
          action={
            <div className="row">
              <button type="button" className="button primary" onClick={() => navigate({ screen: 'server-new' })}>
                Add a server
              </button>
              <button type="button" className="button" onClick={() => navigate({ screen: 'import' })}>
                Import from a client config
              </button>
            </div>
          }
        >
          <p>
            Add a <strong>stdio</strong> server (a command the gateway starts, such as <code>npx -y @modelcontextprotocol/server-everything</code>) or a{' '}
            <strong>remote</strong> one (a Streamable HTTP or SSE URL).
          </p>
        </EmptyState>
      ) : null}
      <ul className="card-list" aria-label="Servers">
        {items.map((server) => (
          <li key={server.id} className="card" data-testid={`server-${server.name}`}>
            <div className="card-main">
              <Link to={{ screen: 'server', name: server.name }} className="card-title">
                {server.name}
              </Link>
              <span className="badge">{server.transport}</span>
              <StatusLine server={server} />
              <span className="spacer" />
              <ServerActions server={server} />
            </div>
            <code className="mono small command">{commandLine(server)}</code>
            {server.status.lastError && server.status.state !== 'ready' ? <p className="error-text small">{server.status.lastError}</p> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
