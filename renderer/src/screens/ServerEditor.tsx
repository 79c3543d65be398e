import { useCallback, useEffect, useState } from 'react';
import { serverNameSchema, type ServerSpec, type ServerView, type UpstreamTransport } from '../../../gateway/contract/index.js';
import { errorText } from '../api/client.js';
import { Link } from '../components/Link.js';
import { DeletePanel } from '../components/DeletePanel.js';
import { EmptyState, ErrorMessage, Field, KeyValueEditor, Spinner, usePolling } from '../components/ui.js';
import { formatTime } from '../lib/format.js';
import { runSave } from '../lib/saving.js';
import { useApp } from '../stores/app.js';
import { useRouter } from '../stores/router.js';
import { useServers } from '../stores/servers.js';
import { commandLine, ServerActions, StatusLine } from './Servers.js';

/** Splits an argument line the way a shell would for simple cases: spaces, quotes, backslashes. */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || current) out.push(current);
      current = '';
      has = false;
    } else {
      current += c;
      has = true;
    }
  }
  if (has || current) out.push(current);
  return out;
}

interface FormState {
  name: string;
  transport: UpstreamTransport;
  command: string;
  args: string;
  env: Array<[string, string]>;
  cwd: string;
  url: string;
  headers: Array<[string, string]>;
  timeoutMs: string;
  enabled: boolean;
}

function formOf(server: ServerView | undefined): FormState {
  return {
    name: server?.name ?? '',
    transport: server?.transport ?? 'stdio',
    command: server?.command ?? '',
    args: server ? server.args.map((a) => (/[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' ') : '',
    env: Object.entries(server?.env ?? {}),
    cwd: server?.cwd ?? '',
    url: server?.url ?? '',
    headers: Object.entries(server?.headers ?? {}),
    timeoutMs: server?.timeoutMs ? String(server.timeoutMs) : '',
    enabled: server?.enabled ?? true,
  };
}

export function specFromForm(form: FormState): { spec: ServerSpec } | { error: string } {
  const timeout = form.timeoutMs.trim();
  const timeoutMs = timeout === '' ? undefined : Number(timeout);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 3_600_000)) {
    return { error: 'The timeout is a whole number of milliseconds (1 to 3,600,000).' };
  }
  const pairs = (rows: Array<[string, string]>, what: string): Record<string, string> | string => {
    const out: Record<string, string> = {};
    for (const [key, value] of rows) {
      if (!key.trim() && !value) continue;
      if (!key.trim()) return `Every ${what} needs a name.`;
      out[key.trim()] = value;
    }
    return out;
  };
  const common = { enabled: form.enabled, ...(timeoutMs ? { timeoutMs } : {}) };
  if (form.transport === 'stdio') {
    if (!form.command.trim()) return { error: 'Enter the command that starts the server, e.g. npx or /usr/bin/python3.' };
    const env = pairs(form.env, 'environment variable');
    if (typeof env === 'string') return { error: env };
    return { spec: { transport: 'stdio', command: form.command.trim(), args: splitArgs(form.args), env, ...(form.cwd.trim() ? { cwd: form.cwd.trim() } : {}), ...common } };
  }
  try {
    const url = new URL(form.url.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: 'The URL must start with http:// or https://.' };
  } catch {
    return { error: 'Enter the server URL, e.g. https://example.com/mcp.' };
  }
  const headers = pairs(form.headers, 'header');
  if (typeof headers === 'string') return { error: headers };
  return { spec: { transport: form.transport, url: form.url.trim(), headers, ...common } };
}

export function ServerEditorScreen({ name }: { name?: string }) {
  const server = useServers((s) => (name ? s.items.find((x) => x.name === name) : undefined));
  const loaded = useServers((s) => s.loaded);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    if (!name) return;
    useServers
      .getState()
      .loadDetail(name)
      .catch((error: unknown) => setLoadError(errorText(error)));
  }, [name]);

  if (name && !server) {
    return (
      <div className="screen">
        {loadError || loaded ? (
          <EmptyState title="Server not found" action={<Link to={{ screen: 'servers' }}>Back to servers</Link>}>
            <p>{loadError ?? `There is no server named “${name}”.`}</p>
          </EmptyState>
        ) : (
          <Spinner label="Loading server" />
        )}
      </div>
    );
  }
  return (
    <div className="screen">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to={{ screen: 'servers' }}>Servers</Link> <span aria-hidden="true">/</span> <span>{server ? server.name : 'Add server'}</span>
      </nav>
      {server ? <ServerLive server={server} /> : null}
      <ServerForm key={server?.id ?? 'new'} server={server} />
      {server ? <DeleteServer server={server} /> : null}
    </div>
  );
}

function ServerLive({ server }: { server: ServerView }) {
  const detail = useServers((s) => s.details[server.name]);
  const tools = useServers((s) => s.tools[server.name]);
  const refresh = useCallback(() => {
    void useServers.getState().loadDetail(server.name).catch(() => undefined);
  }, [server.name]);
  usePolling(refresh, 2000);
  useEffect(() => {
    if (server.status.state === 'ready') void useServers.getState().loadTools(server.name).catch(() => undefined);
  }, [server.name, server.status.state]);
  return (
    <section className="panel" aria-labelledby="live-title">
      <header className="panel-header">
        <h1 id="live-title">{server.name}</h1>
        <StatusLine server={server} />
        <span className="spacer" />
        <ServerActions server={server} />
      </header>
      <p>
        <code className="mono command">{commandLine(server)}</code>
      </p>
      {server.status.lastError ? (
        <div className="error-message" role="status">
          <strong>Last error:</strong> {server.status.lastError}
        </div>
      ) : null}
      <dl className="facts">
        <div>
          <dt>Process</dt>
          <dd>{server.status.pid ? `pid ${server.status.pid}` : '—'}</dd>
        </div>
        <div>
          <dt>Circuit breaker</dt>
          <dd>{server.status.breaker === 'open' ? `open (${server.status.consecutiveFailures} failures in a row)` : server.status.breaker.replace('_', '-')}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{formatTime(server.updatedAt, true)}</dd>
        </div>
      </dl>
      {tools && tools.length > 0 ? (
        <details>
          <summary>{tools.length} tools</summary>
          <ul className="tool-names">
            {tools.map((t) => (
              <li key={t.name}>
                <span className="mono">{t.name}</span> {t.description ? <span className="muted small">— {t.description}</span> : null}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {server.transport === 'stdio' ? (
        <div>
          <h2 className="small-heading">stderr (last lines)</h2>
          <pre className="log" data-testid="stderr-tail" tabIndex={0}>
            {detail && detail.stderrTail.length > 0 ? detail.stderrTail.join('\n') : 'Nothing written to stderr.'}
          </pre>
        </div>
      ) : null}
    </section>
  );
}

function ServerForm({ server }: { server: ServerView | undefined }) {
  const [form, setForm] = useState<FormState>(() => formOf(server));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const create = useServers((s) => s.create);
  const update = useServers((s) => s.update);
  const navigate = useRouter((s) => s.navigate);
  const toast = useApp((s) => s.toast);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]): void => setForm((f) => ({ ...f, [key]: value }));
  const nameError = !server && form.name !== '' && !serverNameSchema.safeParse(form.name).success ? 'Lowercase letters, digits and “-”; it prefixes tool names.' : undefined;

  const submit = async (): Promise<void> => {
    setError(null);
    if (!server && !serverNameSchema.safeParse(form.name).success) {
      setError('Give the server a name: lowercase letters, digits and “-”.');
      return;
    }
    const built = specFromForm(form);
    if ('error' in built) {
      setError(built.error);
      return;
    }
    await runSave(setSaving, setError, async () => {
      if (server) {
        await update(server.name, built.spec);
        toast('success', `Saved ${server.name}; it restarts with the new settings`);
      } else {
        const created = await create(form.name, built.spec);
        toast('success', `Added ${created.name}`);
        navigate({ screen: 'server', name: created.name }, { replace: true });
      }
    });
  };

  return (
    <form
      className="panel"
      aria-label={server ? 'Server settings' : 'Add server'}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>{server ? 'Settings' : 'Add server'}</h2>
      <div className="grid-2">
        <Field label="Name" htmlFor="server-name" hint={server ? 'Fixed once created.' : 'Tools appear as <name>__<tool>.'} error={nameError}>
          <input id="server-name" className="mono" value={form.name} readOnly={Boolean(server)} onChange={(e) => set('name', e.target.value)} placeholder="github" autoFocus={!server} />
        </Field>
        <Field label="Transport" htmlFor="server-transport">
          <select id="server-transport" value={form.transport} onChange={(e) => set('transport', e.target.value as UpstreamTransport)}>
            <option value="stdio">stdio (a local command)</option>
            <option value="http">Streamable HTTP (URL)</option>
            <option value="sse">HTTP + SSE, legacy (URL)</option>
          </select>
        </Field>
      </div>
      {form.transport === 'stdio' ? (
        <>
          <div className="grid-2">
            <Field label="Command" htmlFor="server-command" hint="An executable on this machine, e.g. npx, uvx, node or an absolute path.">
              <input id="server-command" className="mono" value={form.command} onChange={(e) => set('command', e.target.value)} placeholder="npx" />
            </Field>
            <Field label="Arguments" htmlFor="server-args" hint="Separated by spaces; quote arguments that contain spaces.">
              <input id="server-args" className="mono" value={form.args} onChange={(e) => set('args', e.target.value)} placeholder="-y @modelcontextprotocol/server-everything" />
            </Field>
          </div>
          <Field label="Working directory" htmlFor="server-cwd" hint="Optional.">
            <input id="server-cwd" className="mono" value={form.cwd} onChange={(e) => set('cwd', e.target.value)} placeholder="(the gateway's)" />
          </Field>
          <KeyValueEditor label="Environment variables" rows={form.env} onChange={(rows) => set('env', rows)} secretByDefault keyPlaceholder="API_KEY" />
        </>
      ) : (
        <>
          <Field label="URL" htmlFor="server-url">
            <input id="server-url" className="mono" value={form.url} onChange={(e) => set('url', e.target.value)} placeholder="https://example.com/mcp" />
          </Field>
          <KeyValueEditor label="Headers" rows={form.headers} onChange={(rows) => set('headers', rows)} secretByDefault keyPlaceholder="Authorization" />
        </>
      )}
      <div className="grid-2">
        <Field label="Tool call timeout (ms)" htmlFor="server-timeout" hint="Default 30,000. Presets can override it per tool.">
          <input id="server-timeout" inputMode="numeric" value={form.timeoutMs} onChange={(e) => set('timeoutMs', e.target.value)} placeholder="30000" />
        </Field>
        <label className="switch field">
          <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
          <span>Enabled (start it now and with the gateway)</span>
        </label>
      </div>
      {form.transport === 'stdio' && !server ? (
        <p className="notice">
          The gateway will run <code className="mono">{[form.command, form.args].filter(Boolean).join(' ') || '…'}</code> on this machine with your user’s rights. Only add commands you
          trust.
        </p>
      ) : null}
      <ErrorMessage>{error}</ErrorMessage>
      <div className="row">
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? (server ? 'Saving…' : 'Starting…') : server ? 'Save and restart' : 'Add server'}
        </button>
        {saving ? <Spinner label={server ? 'Restarting the server' : 'Starting the server'} /> : null}
      </div>
    </form>
  );
}

function DeleteServer({ server }: { server: ServerView }) {
  const remove = useServers((s) => s.remove);
  const navigate = useRouter((s) => s.navigate);
  const toast = useApp((s) => s.toast);
  return (
    <DeletePanel
      title="Delete server"
      warning="Its tools disappear from every preset that uses it."
      buttonText={`Delete ${server.name}…`}
      confirmTitle={`Delete ${server.name}?`}
      confirmText="The process is stopped and its settings (including secrets) are removed."
      onDelete={async () => {
        await remove(server.name);
        toast('success', `Deleted ${server.name}`);
        navigate({ screen: 'servers' });
      }}
    />
  );
}
