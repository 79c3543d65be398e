import { useCallback, useEffect, useMemo, useState } from 'react';
import { presetSlugSchema, type PresetDetail, type PresetSpec, type Visibility } from '../../../gateway/contract/index.js';
import { errorText } from '../api/client.js';
import { Link } from '../components/Link.js';
import { CopyButton, EmptyState, ErrorMessage, Field, Modal, Spinner, StateBadge } from '../components/ui.js';
import { formatCount } from '../lib/format.js';
import { useApp } from '../stores/app.js';
import { isToolAllowed, toggleTool, usePresets, type BindingView } from '../stores/presets.js';
import { useRouter } from '../stores/router.js';
import { useServers, type UpstreamTool } from '../stores/servers.js';

type AclType = PresetDetail['acl'][number]['type'];
const ACL_TYPES: Array<{ value: AclType; label: string }> = [
  { value: 'email', label: 'Email' },
  { value: 'domain', label: 'Email domain' },
  { value: 'user', label: 'User' },
  { value: 'token', label: 'Token id' },
];

export function PresetEditorScreen({ slug }: { slug?: string }) {
  const isNew = slug === undefined;
  const detail = usePresets((s) => (slug ? s.details[slug] : undefined));
  const loadDetail = usePresets((s) => s.loadDetail);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    if (!slug) return;
    setLoadError(null);
    loadDetail(slug).catch((error: unknown) => setLoadError(errorText(error)));
    void usePresets.getState().loadToolView(slug).catch(() => undefined);
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

function PresetForm({ detail }: { detail: PresetDetail | undefined }) {
  const navigate = useRouter((s) => s.navigate);
  const toast = useApp((s) => s.toast);
  const create = usePresets((s) => s.create);
  const update = usePresets((s) => s.update);
  const [slug, setSlug] = useState(detail?.slug ?? '');
  const [name, setName] = useState(detail?.name ?? '');
  const [description, setDescription] = useState(detail?.description ?? '');
  const [visibility, setVisibility] = useState<Visibility>(detail?.visibility ?? 'public');
  const [acl, setAcl] = useState(detail?.acl ?? []);
  const [aclType, setAclType] = useState<AclType>('email');
  const [aclValue, setAclValue] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const slugError = !detail && slug !== '' && !presetSlugSchema.safeParse(slug).success ? 'Use lowercase letters, digits and "-" (1-63 characters), starting with a letter or digit.' : undefined;

  const save = async (): Promise<void> => {
    setError(null);
    if (!detail && !presetSlugSchema.safeParse(slug).success) {
      setError('Pick a slug: it becomes the end of the URL, e.g. /mcp/dev.');
      return;
    }
    const spec: PresetSpec = { name: name.trim() || slug, description, visibility, acl };
    setSaving(true);
    try {
      if (detail) {
        await update(detail.slug, spec);
        toast('success', 'Preset saved');
      } else {
        const created = await create(slug, { ...spec, servers: {} });
        toast('success', `Preset “${created.name}” created: now add servers and pick tools`);
        navigate({ screen: 'preset', slug: created.slug }, { replace: true });
      }
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setSaving(false);
    }
  };

  const addAcl = (): void => {
    const value = aclValue.trim();
    if (!value) return;
    if (!acl.some((e) => e.type === aclType && e.value === value)) setAcl([...acl, { type: aclType, value }]);
    setAclValue('');
  };

  return (
    <form
      className="panel"
      aria-label="Preset details"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h1>{detail ? detail.name : 'New preset'}</h1>
      <div className="grid-2">
        {detail ? (
          <Field label="Slug" hint="Part of the URL; fixed once created.">
            <input value={detail.slug} readOnly aria-readonly="true" className="mono" />
          </Field>
        ) : (
          <Field label="Slug" htmlFor="preset-slug" hint="Lowercase letters, digits and “-”. The endpoint becomes /mcp/<slug>." error={slugError}>
            <input id="preset-slug" className="mono" value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="dev" required autoFocus />
          </Field>
        )}
        <Field label="Name" htmlFor="preset-name">
          <input id="preset-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Development" />
        </Field>
      </div>
      <Field label="Description" htmlFor="preset-description" hint="Shown to you here; clients see tool descriptions, not this.">
        <textarea id="preset-description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <Field
        label="Visibility"
        htmlFor="preset-visibility"
        hint={
          visibility === 'public'
            ? 'Any local program can use this preset without a token (the gateway listens on 127.0.0.1 only).'
            : (
                <>
                  Clients must send a bearer token{visibility === 'invite_only' ? ' whose principal is listed below (or one of yours)' : ' of yours'}: create one on the{' '}
                  <Link to={{ screen: 'access' }}>Access</Link> screen.
                </>
              )
        }
      >
        <select id="preset-visibility" value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
          <option value="public">Public (no token)</option>
          <option value="private">Private (token required)</option>
          <option value="invite_only">Invite only (listed principals)</option>
        </select>
      </Field>
      {visibility !== 'public' ? (
        <fieldset className="acl">
          <legend>Who may use it (ACL principals)</legend>
          {acl.length === 0 ? <p className="hint">Nobody is listed yet.</p> : null}
          <ul className="chips">
            {acl.map((entry) => (
              <li key={`${entry.type}:${entry.value}`} className="chip">
                <span className="muted">{entry.type}</span> {entry.value}
                <button
                  type="button"
                  className="button ghost small"
                  aria-label={`Remove ${entry.type} ${entry.value}`}
                  onClick={() => setAcl(acl.filter((e) => e !== entry))}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
          <div className="row">
            <select aria-label="Principal type" value={aclType} onChange={(e) => setAclType(e.target.value as AclType)}>
              {ACL_TYPES.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
            <input
              aria-label="Principal"
              placeholder={aclType === 'domain' ? 'example.com' : aclType === 'email' ? 'ana@example.com' : aclType === 'token' ? 'token id' : 'user id'}
              value={aclValue}
              onChange={(e) => setAclValue(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addAcl();
                }
              }}
            />
            <button type="button" className="button small" onClick={addAcl}>
              Add principal
            </button>
          </div>
        </fieldset>
      ) : null}
      <ErrorMessage>{error}</ErrorMessage>
      <div className="row">
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Saving…' : detail ? 'Save details' : 'Create preset'}
        </button>
        {!detail ? (
          <Link to={{ screen: 'presets' }} className="button ghost">
            Cancel
          </Link>
        ) : null}
      </div>
    </form>
  );
}

function EndpointPanel({ detail }: { detail: PresetDetail }) {
  const toolView = usePresets((s) => s.toolViews[detail.slug]);
  const exposed = toolView?.tools.filter((t) => t.exposedName !== null).length ?? 0;
  const sseUrl = detail.url.replace(/\/mcp\/([^/]+)$/, '/sse/$1');
  return (
    <section className="panel" aria-labelledby="endpoint-title">
      <h2 id="endpoint-title">Endpoint</h2>
      <div className="endpoint">
        <code className="mono" data-testid="preset-url">
          {detail.url}
        </code>
        <CopyButton text={detail.url} label="Copy URL" what="of this preset" />
      </div>
      <div className="endpoint">
        <span className="muted small">Legacy HTTP+SSE clients:</span>
        <code className="mono small">{sseUrl}</code>
        <CopyButton text={sseUrl} label="Copy" what="SSE URL" />
      </div>
      <div className="endpoint">
        <span className="muted small">stdio-only clients:</span>
        <code className="mono small">mcp-gateway connect {detail.slug}</code>
        <CopyButton text={`mcp-gateway connect ${detail.slug}`} label="Copy" what="bridge command" />
      </div>
      <p className="stats" data-testid="tool-stats">
        <strong>{exposed}</strong> {exposed === 1 ? 'tool' : 'tools'} exposed · about <strong>{formatCount(toolView?.estimatedTokens ?? 0)}</strong> tokens of tool
        definitions in every client context
      </p>
      <div className="row">
        <Link to={{ screen: 'connect', slug: detail.slug }} className="button">
          Connect a client
        </Link>
        <Link to={{ screen: 'playground', slug: detail.slug }} className="button ghost">
          Try in Playground
        </Link>
      </div>
    </section>
  );
}

function BindingsPanel({ detail }: { detail: PresetDetail }) {
  const servers = useServers((s) => s.items);
  const serversLoaded = useServers((s) => s.loaded);
  const saveBindings = usePresets((s) => s.saveBindings);
  const saving = usePresets((s) => Boolean(s.saving[detail.slug]));
  const toast = useApp((s) => s.toast);
  const navigate = useRouter((s) => s.navigate);
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!serversLoaded) void useServers.getState().load();
  }, [serversLoaded]);

  const save = useCallback(
    async (bindings: BindingView[], message?: string): Promise<boolean> => {
      setError(null);
      try {
        await saveBindings(detail.slug, bindings);
        if (message) toast('success', message);
        return true;
      } catch (caught) {
        setError(errorText(caught));
        return false;
      }
    },
    [detail.slug, saveBindings, toast],
  );

  const unbound = servers.filter((s) => !detail.servers.some((b) => b.serverName === s.name));
  const addServer = async (): Promise<void> => {
    if (!adding) return;
    const binding: BindingView = { serverName: adding, enabled: true, allowedTools: [], toolTimeouts: {}, toolOverrides: {}, prefix: null };
    if (await save([...detail.servers, binding], `Added ${adding}: all its tools are allowed`)) setAdding('');
  };

  return (
    <section className="panel" aria-labelledby="bindings-title">
      <header className="panel-header">
        <h2 id="bindings-title">Servers and tools</h2>
        {saving ? <Spinner label="Saving" /> : null}
      </header>
      <ErrorMessage>{error}</ErrorMessage>
      {servers.length === 0 && serversLoaded ? (
        <EmptyState
          title="No servers to add"
          action={
            <button type="button" className="button primary" onClick={() => navigate({ screen: 'server-new' })}>
              Add a server
            </button>
          }
        >
          <p>A preset shows tools of your upstream servers. Add a server first.</p>
        </EmptyState>
      ) : (
        <div className="row">
          <select aria-label="Server to add" value={adding} onChange={(e) => setAdding(e.target.value)} disabled={unbound.length === 0}>
            <option value="">{unbound.length === 0 ? 'Every server is in this preset' : 'Choose a server…'}</option>
            {unbound.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
          <button type="button" className="button" onClick={() => void addServer()} disabled={!adding || saving}>
            Add to preset
          </button>
        </div>
      )}
      {detail.servers.length === 0 && servers.length > 0 ? <p className="muted">No server in this preset yet: its endpoint lists no tools.</p> : null}
      {detail.servers.map((binding) => (
        <BindingCard key={binding.serverName} detail={detail} binding={binding} save={save} />
      ))}
    </section>
  );
}

function BindingCard({ detail, binding, save }: { detail: PresetDetail; binding: BindingView; save: (bindings: BindingView[], message?: string) => Promise<boolean> }) {
  const server = useServers((s) => s.items.find((x) => x.name === binding.serverName));
  const tools = useServers((s) => s.tools[binding.serverName]);
  const toolView = usePresets((s) => s.toolViews[detail.slug]);
  const [toolsError, setToolsError] = useState<string | null>(null);
  const state = server?.status.state ?? 'stopped';

  useEffect(() => {
    setToolsError(null);
    useServers
      .getState()
      .loadTools(binding.serverName)
      .catch((error: unknown) => setToolsError(errorText(error)));
  }, [binding.serverName, state]);

  const upstream: UpstreamTool[] = useMemo(() => {
    if (tools && tools.length > 0) return tools;
    return binding.allowedTools.map((name) => ({ name, inputSchema: {} }));
  }, [tools, binding.allowedTools]);
  const names = upstream.map((t) => t.name);
  const exposedBy = new Map((toolView?.tools ?? []).filter((t) => t.serverName === binding.serverName).map((t) => [t.upstreamName, t]));

  const replace = (next: BindingView): BindingView[] => detail.servers.map((b) => (b.serverName === binding.serverName ? next : b));
  const allowedCount = names.filter((n) => isToolAllowed(binding, n)).length;

  return (
    <article className="binding" aria-label={`Server ${binding.serverName}`} data-testid={`binding-${binding.serverName}`}>
      <header className="binding-header">
        <h3>{binding.serverName}</h3>
        <StateBadge state={state} breaker={server?.status.breaker} />
        <span className="muted small">
          {allowedCount} of {names.length} tools allowed
        </span>
        <label className="switch">
          <input
            type="checkbox"
            checked={binding.enabled}
            onChange={(e) => void save(replace({ ...binding, enabled: e.target.checked }))}
            aria-label={`Use ${binding.serverName} in this preset`}
          />
          <span>In use</span>
        </label>
        <button
          type="button"
          className="button ghost small"
          onClick={() => void save(detail.servers.filter((b) => b.serverName !== binding.serverName), `Removed ${binding.serverName} from the preset`)}
        >
          Remove
        </button>
      </header>
      {state !== 'ready' ? (
        <p className="muted small">
          {state === 'starting' || state === 'restarting'
            ? 'The server is starting; its tool list appears when it is ready.'
            : `The server is ${state}${server?.status.lastError ? `: ${server.status.lastError}` : ''}. Its tools are left out of the preset until it is back.`}
        </p>
      ) : null}
      <ErrorMessage>{toolsError}</ErrorMessage>
      {upstream.length > 0 ? (
        <div className="table-wrap">
          <table className="tools-table">
            <thead>
              <tr>
                <th scope="col">Allow</th>
                <th scope="col">Upstream tool</th>
                <th scope="col">Name in preset</th>
                <th scope="col">Rename</th>
                <th scope="col">Description override</th>
                <th scope="col">Timeout (ms)</th>
                <th scope="col">Tokens</th>
              </tr>
            </thead>
            <tbody>
              {upstream.map((tool) => (
                <ToolRow
                  key={tool.name}
                  tool={tool}
                  binding={binding}
                  exposedName={exposedBy.get(tool.name)?.exposedName ?? null}
                  tokens={exposedBy.get(tool.name)?.estimatedTokens ?? null}
                  effectiveTimeout={exposedBy.get(tool.name)?.timeoutMs ?? null}
                  onToggle={(allowed) => void save(replace(toggleTool(binding, names, tool.name, allowed)))}
                  onChange={(next) => void save(replace(next))}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : state === 'ready' ? (
        <p className="muted">This server offers no tools.</p>
      ) : null}
    </article>
  );
}

function ToolRow({
  tool,
  binding,
  exposedName,
  tokens,
  effectiveTimeout,
  onToggle,
  onChange,
}: {
  tool: UpstreamTool;
  binding: BindingView;
  exposedName: string | null;
  tokens: number | null;
  effectiveTimeout: number | null;
  onToggle: (allowed: boolean) => void;
  onChange: (binding: BindingView) => void;
}) {
  const override = binding.toolOverrides[tool.name] ?? {};
  const [rename, setRename] = useState(override.name ?? '');
  const [description, setDescription] = useState(override.description ?? '');
  const [timeout, setTimeoutText] = useState(binding.toolTimeouts[tool.name] ? String(binding.toolTimeouts[tool.name]) : '');
  const [invalid, setInvalid] = useState<string | null>(null);
  const allowed = isToolAllowed(binding, tool.name);

  const commitOverride = (): void => {
    const name = rename.trim();
    if (name && !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      setInvalid('Names use letters, digits, "_" and "-" (1-64).');
      return;
    }
    setInvalid(null);
    const next = { ...(name ? { name } : {}), ...(description.trim() ? { description: description.trim() } : {}) };
    if ((override.name ?? '') === (next.name ?? '') && (override.description ?? '') === (next.description ?? '')) return;
    const { [tool.name]: _old, ...others } = binding.toolOverrides;
    onChange({ ...binding, toolOverrides: Object.keys(next).length > 0 ? { ...others, [tool.name]: next } : others });
  };
  const commitTimeout = (): void => {
    const text = timeout.trim();
    const current = binding.toolTimeouts[tool.name];
    if (text === '') {
      if (current === undefined) return;
      const { [tool.name]: _old, ...others } = binding.toolTimeouts;
      onChange({ ...binding, toolTimeouts: others });
      return;
    }
    const ms = Number(text);
    if (!Number.isInteger(ms) || ms <= 0 || ms > 3_600_000) {
      setInvalid('A timeout is a whole number of milliseconds, up to 3,600,000.');
      return;
    }
    setInvalid(null);
    if (ms !== current) onChange({ ...binding, toolTimeouts: { ...binding.toolTimeouts, [tool.name]: ms } });
  };
  const onEnter = (commit: () => void) => (e: React.KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      commit();
    }
  };

  return (
    <tr className={allowed ? '' : 'tool-off'} data-testid={`tool-${tool.name}`}>
      <td>
        <input type="checkbox" checked={allowed} onChange={(e) => onToggle(e.target.checked)} aria-label={`Allow ${tool.name}`} />
      </td>
      <td>
        <div className="mono">{tool.name}</div>
        {tool.description ? <div className="muted small">{tool.description}</div> : null}
        {invalid ? (
          <div className="field-error" role="alert">
            {invalid}
          </div>
        ) : null}
      </td>
      <td className="mono small">{allowed ? (exposedName ?? '—') : <span className="muted">hidden</span>}</td>
      <td>
        <input
          aria-label={`Rename ${tool.name}`}
          className="mono small-input"
          placeholder="keep"
          value={rename}
          onChange={(e) => setRename(e.target.value)}
          onBlur={commitOverride}
          onKeyDown={onEnter(commitOverride)}
        />
      </td>
      <td>
        <input
          aria-label={`Description of ${tool.name}`}
          placeholder="keep upstream's"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          onBlur={commitOverride}
          onKeyDown={onEnter(commitOverride)}
        />
      </td>
      <td>
        <input
          aria-label={`Timeout of ${tool.name} in ms`}
          inputMode="numeric"
          className="small-input"
          placeholder={effectiveTimeout ? String(effectiveTimeout) : 'default'}
          value={timeout}
          onChange={(e) => setTimeoutText(e.target.value)}
          onBlur={commitTimeout}
          onKeyDown={onEnter(commitTimeout)}
        />
      </td>
      <td className="num">{tokens ?? '—'}</td>
    </tr>
  );
}

function DangerZone({ detail }: { detail: PresetDetail }) {
  const remove = usePresets((s) => s.remove);
  const navigate = useRouter((s) => s.navigate);
  const toast = useApp((s) => s.toast);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = useCallback(() => setConfirming(false), []);
  return (
    <section className="panel danger" aria-labelledby="danger-title">
      <h2 id="danger-title">Delete preset</h2>
      <p className="muted">Clients using {detail.url} will get “unknown preset” errors.</p>
      <button type="button" className="button danger" onClick={() => setConfirming(true)}>
        Delete {detail.slug}…
      </button>
      {confirming ? (
        <Modal
          title={`Delete “${detail.name}”?`}
          onClose={close}
          footer={
            <>
              <button type="button" className="button ghost" onClick={close}>
                Keep it
              </button>
              <button
                type="button"
                className="button danger"
                onClick={() => {
                  remove(detail.slug)
                    .then(() => {
                      toast('success', `Deleted ${detail.slug}`);
                      navigate({ screen: 'presets' });
                    })
                    .catch((caught: unknown) => setError(errorText(caught)));
                }}
              >
                Delete
              </button>
            </>
          }
        >
          <p>The servers stay; only this preset and its endpoint go away.</p>
          <ErrorMessage>{error}</ErrorMessage>
        </Modal>
      ) : null}
    </section>
  );
}
