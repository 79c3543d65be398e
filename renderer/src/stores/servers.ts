import { create } from 'zustand';
import type { MethodOutput, ServerSpec, ServerStatus, ServerView } from '../../../gateway/contract/index.js';
import { call, errorText } from '../api/client.js';

export type UpstreamTool = MethodOutput<'servers.tools'>['tools'][number];

interface ServerDetail {
  stderrTail: string[];
  loadedAt: number;
}

interface ServersState {
  items: ServerView[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  details: Record<string, ServerDetail>;
  tools: Record<string, UpstreamTool[]>;
  /** Names with an action in flight (restart, stop…), for progress indicators. */
  busy: Record<string, string>;
  load(): Promise<void>;
  loadDetail(name: string): Promise<void>;
  loadTools(name: string): Promise<UpstreamTool[]>;
  create(name: string, spec: ServerSpec): Promise<ServerView>;
  update(name: string, spec: ServerSpec): Promise<ServerView>;
  remove(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  setEnabled(name: string, enabled: boolean): Promise<void>;
  /** Pushed status (event `server.status`). */
  applyStatus(name: string, status: ServerStatus): void;
}

/** The spec of a server as shown (secrets masked: the gateway keeps stored values for masked ones). */
export function specOf(server: ServerView, changes: Partial<ServerSpec> = {}): ServerSpec {
  const base: ServerSpec =
    server.transport === 'stdio'
      ? { transport: 'stdio', command: server.command ?? '', args: server.args, env: server.env, ...(server.cwd ? { cwd: server.cwd } : {}) }
      : { transport: server.transport, url: server.url ?? '', headers: server.headers };
  return { ...base, enabled: server.enabled, ...(server.timeoutMs ? { timeoutMs: server.timeoutMs } : {}), ...changes };
}

export const useServers = create<ServersState>((set, get) => {
  const replace = (view: ServerView): void => {
    const items = get().items.some((s) => s.name === view.name)
      ? get().items.map((s) => (s.name === view.name ? view : s))
      : [...get().items, view].sort((a, b) => a.name.localeCompare(b.name));
    set({ items });
  };
  const withBusy = async <T>(name: string, label: string, run: () => Promise<T>): Promise<T> => {
    set({ busy: { ...get().busy, [name]: label } });
    try {
      return await run();
    } finally {
      const { [name]: _done, ...rest } = get().busy;
      set({ busy: rest });
    }
  };
  return {
    items: [],
    loaded: false,
    loading: false,
    error: null,
    details: {},
    tools: {},
    busy: {},
    async load() {
      set({ loading: true });
      try {
        const { items } = await call('servers.list', {});
        set({ items, loaded: true, loading: false, error: null });
      } catch (error) {
        set({ loading: false, error: errorText(error) });
      }
    },
    async loadDetail(name) {
      const detail = await call('servers.get', { name });
      const { stderrTail, ...view } = detail;
      replace(view);
      set({ details: { ...get().details, [name]: { stderrTail, loadedAt: Date.now() } } });
    },
    async loadTools(name) {
      const { tools } = await call('servers.tools', { name });
      set({ tools: { ...get().tools, [name]: tools } });
      return tools;
    },
    async create(name, spec) {
      const view = await withBusy(name, 'starting', () => call('servers.create', { name, spec }));
      replace(view);
      return view;
    },
    async update(name, spec) {
      const view = await withBusy(name, 'saving', () => call('servers.update', { name, spec }));
      replace(view);
      return view;
    },
    async remove(name) {
      await withBusy(name, 'deleting', () => call('servers.delete', { name }));
      const { [name]: _gone, ...details } = get().details;
      set({ items: get().items.filter((s) => s.name !== name), details });
    },
    async restart(name) {
      const view = await withBusy(name, 'restarting', () => call('servers.restart', { name }));
      replace(view);
    },
    async setEnabled(name, enabled) {
      const server = get().items.find((s) => s.name === name);
      if (!server) return;
      const view = await withBusy(name, enabled ? 'starting' : 'stopping', () => call('servers.update', { name, spec: specOf(server, { enabled }) }));
      replace(view);
    },
    applyStatus(name, status) {
      if (!get().items.some((s) => s.name === name)) return;
      set({ items: get().items.map((s) => (s.name === name ? { ...s, status } : s)) });
    },
  };
});
