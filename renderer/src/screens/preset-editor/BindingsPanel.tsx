import { useCallback, useEffect, useState } from 'react';
import type { PresetDetail } from '../../../../gateway/contract/index.js';
import { errorText } from '../../api/client.js';
import { EmptyState, ErrorMessage, Spinner } from '../../components/ui.js';
import { useApp } from '../../stores/app.js';
import { usePresets, type BindingView } from '../../stores/presets.js';
import { useRouter } from '../../stores/router.js';
import { useServers } from '../../stores/servers.js';
import { BindingCard } from './BindingCard.js';

export function BindingsPanel({ detail }: { detail: PresetDetail }) {
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
