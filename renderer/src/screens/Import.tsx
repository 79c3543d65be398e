import { useEffect, useRef, useState } from 'react';
import { presetSlugSchema, type ServerSpec } from '../../../gateway/contract/index.js';
import { CopyButton, ErrorMessage, Field, Spinner } from '../components/ui.js';
import { useConnect } from '../stores/connect.js';
import { useImport } from '../stores/imports.js';
import { useRouter } from '../stores/router.js';
import { useServers } from '../stores/servers.js';
import { commandLine } from './Servers.js';

export function describeSpec(spec: ServerSpec): string {
  if (spec.command) return commandLine({ transport: 'stdio', command: spec.command, args: spec.args ?? [], url: null });
  return `${spec.transport ?? 'http'} ${spec.url ?? ''}`;
}

/** config.apply reports "server:name" / "preset:slug" entries; say it in words. */
export function describeApply(result: { created: string[]; updated: string[]; unchanged: string[]; deleted: string[] }): string[] {
  const lines: string[] = [];
  const verbs: Array<[keyof typeof result, string]> = [
    ['created', 'added'],
    ['updated', 'updated'],
    ['unchanged', 'already up to date'],
    ['deleted', 'deleted'],
  ];
  for (const kind of ['server', 'preset'] as const) {
    for (const [key, verb] of verbs) {
      const names = result[key].filter((entry) => entry.startsWith(`${kind}:`)).map((entry) => entry.slice(kind.length + 1));
      if (names.length > 0) lines.push(`${kind === 'server' ? 'Servers' : 'Presets'} ${verb}: ${names.join(', ')}`);
    }
  }
  return lines;
}

export function ImportScreen() {
  const { preview, loading, error, selected, presetSlug, applying, result } = useImport();
  const { fromText, fromClient, toggle, setPresetSlug, apply, reset } = useImport.getState();
  const clients = useConnect((s) => s.info?.clients ?? []);
  const navigate = useRouter((s) => s.navigate);
  const [text, setText] = useState('');
  const fileInput = useRef<HTMLInputElement | null>(null);

  useEffect(() => {
    void useConnect.getState().load();
  }, []);
  useEffect(() => {
    if (result) void useServers.getState().load();
  }, [result]);

  const onFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    const content = await file.text();
    setText(content);
    await fromText(content, file.name);
  };
  const slugError = presetSlug && !presetSlugSchema.safeParse(presetSlug).success ? 'Lowercase letters, digits and “-”.' : undefined;
  const names = preview ? Object.keys(preview.servers) : [];

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Import servers</h1>
          <p className="muted">Bring the MCP servers you already configured in Claude Desktop, Cursor, Claude Code or VS Code. You see every command before anything is added.</p>
        </div>
      </header>
      {!preview ? (
        <section className="panel" aria-label="Choose what to import">
          <h2>From a client on this machine</h2>
          <div className="row wrap">
            {clients.filter((c) => c.exists).length === 0 ? <p className="muted">No client config file found in the usual places.</p> : null}
            {clients
              .filter((c) => c.exists)
              .map((c) => (
                <button key={c.id} type="button" className="button" onClick={() => void fromClient(c.id)} title={c.path}>
                  Read {c.label} config
                </button>
              ))}
          </div>
          <h2>From a file</h2>
          <div className="row">
            <input ref={fileInput} type="file" accept=".json,.jsonc,application/json" aria-label="Config file" onChange={(e) => void onFile(e.target.files?.[0])} />
          </div>
          <Field label="…or paste its content" htmlFor="import-text" hint="claude_desktop_config.json, mcp.json (Cursor, Claude Code, VS Code) or VS Code settings.json.">
            <textarea id="import-text" className="mono" rows={10} value={text} onChange={(e) => setText(e.target.value)} placeholder='{"mcpServers": {"files": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]}}}' spellCheck={false} />
          </Field>
          <div className="row">
            <button type="button" className="button primary" disabled={!text.trim() || loading} onClick={() => void fromText(text, 'pasted text')}>
              Review servers
            </button>
            {loading ? <Spinner label="Reading the config" /> : null}
          </div>
          <ErrorMessage>{error}</ErrorMessage>
        </section>
      ) : result ? (
        <section className="panel" role="status" aria-label="Import result">
          <h2>Imported</h2>
          <ul>
            {describeApply(result).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <div className="row">
            <button type="button" className="button primary" onClick={() => navigate({ screen: 'servers' })}>
              See servers
            </button>
            {presetSlug ? (
              <button type="button" className="button" onClick={() => navigate({ screen: 'preset', slug: presetSlug })}>
                Open preset {presetSlug}
              </button>
            ) : null}
            <button type="button" className="button ghost" onClick={reset}>
              Import more
            </button>
          </div>
        </section>
      ) : (
        <section className="panel" aria-label="Review servers">
          <header className="panel-header">
            <h2>
              {names.length} server{names.length === 1 ? '' : 's'} in {preview.source}
            </h2>
            <span className="badge">{preview.format}</span>
          </header>
          {preview.warnings.length > 0 ? (
            <ul className="warnings" aria-label="Warnings">
              {preview.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          ) : null}
          <p className="notice">Stdio servers run these commands on this machine with your rights. Tick only those you trust.</p>
          <ul className="import-list">
            {names.map((name) => {
              const spec = preview.servers[name] as ServerSpec;
              const envNames = Object.keys(spec.env ?? {});
              const headerNames = Object.keys(spec.headers ?? {});
              return (
                <li key={name} className="card">
                  <label className="import-item">
                    <input type="checkbox" checked={selected.includes(name)} onChange={() => toggle(name)} aria-label={`Import ${name}`} />
                    <span className="card-title">{name}</span>
                    {preview.renamed[name] ? <span className="muted small">(was “{preview.renamed[name]}”)</span> : null}
                    {preview.existing.includes(name) ? <span className="badge state-restarting">replaces existing</span> : null}
                    {spec.enabled === false ? <span className="badge">disabled</span> : null}
                  </label>
                  <div className="snippet">
                    <pre className="mono small">{describeSpec(spec)}</pre>
                    <CopyButton text={describeSpec(spec)} label="Copy" what={`command of ${name}`} />
                  </div>
                  {envNames.length > 0 ? <p className="muted small">Environment: {envNames.join(', ')} (values are stored encrypted)</p> : null}
                  {headerNames.length > 0 ? <p className="muted small">Headers: {headerNames.join(', ')}</p> : null}
                  {spec.cwd ? <p className="muted small">Working directory: {spec.cwd}</p> : null}
                </li>
              );
            })}
          </ul>
          <Field label="Also add them to a preset (optional)" htmlFor="import-preset" hint="An existing preset is extended; a new one is created." error={slugError}>
            <input id="import-preset" className="mono" value={presetSlug} onChange={(e) => setPresetSlug(e.target.value.trim())} placeholder="my-tools" />
          </Field>
          <ErrorMessage>{error}</ErrorMessage>
          <div className="row">
            <button type="button" className="button primary" disabled={selected.length === 0 || applying || Boolean(slugError)} onClick={() => void apply()}>
              {applying ? 'Importing…' : `Import ${selected.length} selected`}
            </button>
            {applying ? <Spinner label="Starting servers" /> : null}
            <button type="button" className="button ghost" onClick={reset}>
              Cancel
            </button>
          </div>
        </section>
      )}
    </div>
  );
}
