import { useEffect, useMemo, useState } from 'react';
import type { PresetDetail } from '../../../../gateway/contract/index.js';
import { errorText } from '../../api/client.js';
import { ErrorMessage, StateBadge } from '../../components/ui.js';
import { TableHead } from '../../components/TableHead.js';
import { isToolAllowed, toggleTool, usePresets, type BindingView } from '../../stores/presets.js';
import { useServers, type UpstreamTool } from '../../stores/servers.js';
import { ToolRow } from './ToolRow.js';

export function BindingCard({ detail, binding, save }: { detail: PresetDetail; binding: BindingView; save: (bindings: BindingView[], message?: string) => Promise<boolean> }) {
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
            <TableHead columns={['Allow', 'Upstream tool', 'Name in preset', 'Rename', 'Description override', 'Timeout (ms)', 'Tokens']} />
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
