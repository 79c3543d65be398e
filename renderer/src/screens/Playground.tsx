import { useEffect, useMemo, useState } from 'react';
import { EmptyState, ErrorMessage, Field, Spinner } from '../components/ui.js';
import { TableHead } from '../components/TableHead.js';
import { formatMs, formatTime } from '../lib/format.js';
import { fieldsOf, initialValues, toArguments, toValues, type Field as SchemaField, type FormValues } from '../lib/schema-form.js';
import { usePlayground, type HistoryEntry, type PlaygroundTool } from '../stores/playground.js';
import { usePresets } from '../stores/presets.js';
import { useRouter } from '../stores/router.js';

export function PlaygroundScreen({ slug: routeSlug, tool: routeTool }: { slug?: string | undefined; tool?: string | undefined }) {
  const presets = usePresets((s) => s.items);
  const presetsLoaded = usePresets((s) => s.loaded);
  const { slug, tools, toolsLoading, toolsError, toolName, running, last, history } = usePlayground();
  const selectPreset = usePlayground((s) => s.selectPreset);
  const selectTool = usePlayground((s) => s.selectTool);
  const navigate = useRouter((s) => s.navigate);

  useEffect(() => {
    void usePresets.getState().load({ search: '' });
  }, []);
  useEffect(() => {
    const wanted = routeSlug ?? (slug || presets[0]?.slug || '');
    if (wanted && wanted !== slug) void selectPreset(wanted);
  }, [routeSlug, presets, slug, selectPreset]);
  useEffect(() => {
    if (routeTool && tools.some((t) => t.exposedName === routeTool)) selectTool(routeTool);
  }, [routeTool, tools, selectTool]);

  const tool = tools.find((t) => t.exposedName === toolName);

  if (presetsLoaded && presets.length === 0) {
    return (
      <div className="screen">
        <h1>Playground</h1>
        <EmptyState
          title="Nothing to try yet"
          action={
            <button type="button" className="button primary" onClick={() => navigate({ screen: 'preset-new' })}>
              Create a preset
            </button>
          }
        >
          <p>The Playground calls tools through a preset, exactly as an MCP client would. Create a preset with at least one server first.</p>
        </EmptyState>
      </div>
    );
  }

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Playground</h1>
          <p className="muted">Call any tool of a preset through the gateway and see its result and latency. Calls are recorded like any client’s.</p>
        </div>
      </header>
      <div className="playground">
        <section className="panel" aria-label="Choose a tool">
          <Field label="Preset" htmlFor="pg-preset">
            <select
              id="pg-preset"
              value={slug}
              onChange={(e) => {
                navigate({ screen: 'playground', slug: e.target.value }, { replace: true });
                void selectPreset(e.target.value);
              }}
            >
              {!slug ? <option value="">Choose a preset…</option> : null}
              {presets.map((p) => (
                <option key={p.slug} value={p.slug}>
                  {p.name} ({p.slug})
                </option>
              ))}
            </select>
          </Field>
          {toolsLoading ? <Spinner label="Loading tools" /> : null}
          <ErrorMessage>{toolsError}</ErrorMessage>
          {!toolsLoading && slug && tools.length === 0 && !toolsError ? (
            <p className="muted">This preset exposes no tools right now: add a server to it, allow some tools, or wait until its servers are ready.</p>
          ) : null}
          {tools.length > 0 ? (
            <ul className="tool-picker" aria-label="Tools">
              {tools.map((t) => (
                <li key={t.exposedName}>
                  <button
                    type="button"
                    aria-pressed={t.exposedName === toolName}
                    className={t.exposedName === toolName ? 'tool-choice active' : 'tool-choice'}
                    onClick={() => {
                      selectTool(t.exposedName);
                      navigate({ screen: 'playground', slug, tool: t.exposedName }, { replace: true });
                    }}
                  >
                    <span className="mono">{t.exposedName}</span>
                    {t.description ? <span className="muted small">{t.description}</span> : null}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
        <div className="playground-main">
          {tool ? <CallForm key={`${slug}/${tool.exposedName}`} tool={tool} running={running} /> : null}
          {last && last.slug === slug ? <ResultPanel entry={last} /> : null}
          {history.length > 1 ? <History entries={history} /> : null}
        </div>
      </div>
    </div>
  );
}

function CallForm({ tool, running }: { tool: PlaygroundTool; running: boolean }) {
  const run = usePlayground((s) => s.run);
  const fields = useMemo(() => fieldsOf(tool.inputSchema), [tool.inputSchema]);
  const [raw, setRaw] = useState(fields === null);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields ?? []));
  const [json, setJson] = useState('{}');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [jsonError, setJsonError] = useState<string | null>(null);

  const switchMode = (toRaw: boolean): void => {
    if (toRaw && fields) {
      const result = toArguments(fields, values);
      setJson(JSON.stringify(result.ok ? result.arguments : {}, null, 2));
    } else if (!toRaw && fields) {
      try {
        const parsed: unknown = JSON.parse(json);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) setValues(toValues(fields, parsed as Record<string, unknown>));
      } catch {
        // keep the form as it was
      }
    }
    setJsonError(null);
    setRaw(toRaw);
  };

  const submit = (): void => {
    let args: Record<string, unknown>;
    if (raw || !fields) {
      try {
        const parsed: unknown = JSON.parse(json || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        args = parsed as Record<string, unknown>;
        setJsonError(null);
      } catch {
        setJsonError('Arguments must be a JSON object, e.g. {"text": "hello"}.');
        return;
      }
    } else {
      const result = toArguments(fields, values);
      if (!result.ok) {
        setErrors(result.errors);
        return;
      }
      setErrors({});
      args = result.arguments;
    }
    void run(args);
  };

  return (
    <form
      className="panel"
      aria-label={`Call ${tool.exposedName}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <header className="panel-header">
        <h2 className="mono">{tool.exposedName}</h2>
        <span className="muted small">
          {tool.serverName} · {tool.upstreamName} · timeout {formatMs(tool.timeoutMs)}
        </span>
        <span className="spacer" />
        {fields ? (
          <div className="segmented" role="group" aria-label="Input mode">
            <button type="button" className={raw ? '' : 'active'} aria-pressed={!raw} onClick={() => switchMode(false)}>
              Form
            </button>
            <button type="button" className={raw ? 'active' : ''} aria-pressed={raw} onClick={() => switchMode(true)}>
              JSON
            </button>
          </div>
        ) : null}
      </header>
      {tool.description ? <p className="muted">{tool.description}</p> : null}
      {raw || !fields ? (
        <Field label="Arguments (JSON)" htmlFor="pg-json" error={jsonError ?? undefined}>
          <textarea id="pg-json" className="mono" rows={8} value={json} onChange={(e) => setJson(e.target.value)} spellCheck={false} />
        </Field>
      ) : fields.length === 0 ? (
        <p className="muted">This tool takes no arguments.</p>
      ) : (
        fields.map((field) => <SchemaInput key={field.name} field={field} value={values[field.name]} error={errors[field.name]} onChange={(v) => setValues({ ...values, [field.name]: v })} />)
      )}
      <div className="row">
        <button type="submit" className="button primary" disabled={running}>
          {running ? 'Calling…' : 'Call tool'}
        </button>
        {running ? <Spinner label="Waiting for the server" /> : null}
      </div>
    </form>
  );
}

function SchemaInput({ field, value, error, onChange }: { field: SchemaField; value: string | boolean | undefined; error: string | undefined; onChange: (v: string | boolean) => void }) {
  const id = `pg-field-${field.name}`;
  const label = `${field.title}${field.required ? ' *' : ''}`;
  if (field.kind === 'boolean') {
    return (
      <label className="switch field">
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
        <span>{label}</span>
        {field.description ? <span className="hint">{field.description}</span> : null}
      </label>
    );
  }
  const text = typeof value === 'string' ? value : '';
  let control;
  if (field.kind === 'enum') {
    control = (
      <select id={id} value={text} onChange={(e) => onChange(e.target.value)}>
        <option value="">{field.required ? 'Choose…' : '(not set)'}</option>
        {field.options?.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'json' || field.kind === 'string-list') {
    control = <textarea id={id} className="mono" rows={3} value={text} onChange={(e) => onChange(e.target.value)} />;
  } else {
    control = <input id={id} inputMode={field.kind === 'string' ? undefined : 'decimal'} value={text} onChange={(e) => onChange(e.target.value)} />;
  }
  const hint = [field.description, field.kind === 'string-list' ? 'One item per line.' : field.kind === 'json' ? 'JSON value.' : null].filter(Boolean).join(' ');
  return (
    <Field label={label} htmlFor={id} hint={hint || undefined} error={error}>
      {control}
    </Field>
  );
}

function contentText(result: Record<string, unknown> | null): string[] {
  const content = result?.['content'];
  if (!Array.isArray(content)) return [];
  return content.map((item: unknown) => {
    if (typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'text') return String((item as { text?: unknown }).text ?? '');
    return JSON.stringify(item, null, 2);
  });
}

function ResultPanel({ entry }: { entry: HistoryEntry }) {
  const outcome = entry.outcome;
  const status = entry.failure ? 'refused' : (outcome?.status ?? 'ok');
  return (
    <section className={`panel result result-${status}`} aria-label="Result" aria-live="polite" data-testid="call-result">
      <header className="panel-header">
        <h2>Result</h2>
        <span className={`badge outcome-${status}`}>{status === 'ok' ? 'OK' : status === 'error' ? 'Error' : status === 'timeout' ? 'Timed out' : 'Refused'}</span>
        {outcome ? (
          <span className="latency" data-testid="call-latency">
            {formatMs(outcome.latencyMs)}
          </span>
        ) : null}
        <span className="muted small">{formatTime(entry.at)}</span>
      </header>
      {entry.failure ? <ErrorMessage>{entry.failure}</ErrorMessage> : null}
      {outcome?.error ? (
        <ErrorMessage>
          {outcome.error.message} <span className="muted">(JSON-RPC {outcome.error.code})</span>
        </ErrorMessage>
      ) : null}
      {outcome?.result ? (
        <>
          {outcome.status === 'error' ? <p className="error-text">The tool reported an error (isError).</p> : null}
          {contentText(outcome.result).map((text, i) => (
            <pre key={i} className="output">
              {text}
            </pre>
          ))}
          <details>
            <summary>Raw result</summary>
            <pre className="output small">{JSON.stringify(outcome.result, null, 2)}</pre>
          </details>
        </>
      ) : null}
    </section>
  );
}

function History({ entries }: { entries: HistoryEntry[] }) {
  return (
    <section className="panel" aria-label="Recent calls in this session">
      <h2>This session</h2>
      <table className="data-table">
        <TableHead columns={['Time', 'Tool', 'Outcome', { key: 'Latency', label: 'Latency', num: true }]} />
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{formatTime(e.at)}</td>
              <td className="mono">
                {e.slug}/{e.tool}
              </td>
              <td>{e.failure ? 'refused' : e.outcome?.status}</td>
              <td className="num">{formatMs(e.outcome?.latencyMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
