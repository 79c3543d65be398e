import { create } from 'zustand';
import type { MethodOutput } from '../../../gateway/contract/index.js';
import { call, errorText } from '../api/client.js';

export type CallOutcome = MethodOutput<'tools.call'>;

export interface PlaygroundTool {
  exposedName: string;
  serverName: string;
  upstreamName: string;
  description?: string;
  inputSchema: unknown;
  timeoutMs: number;
}

export interface HistoryEntry {
  id: number;
  at: string;
  slug: string;
  tool: string;
  arguments: Record<string, unknown>;
  outcome: CallOutcome | null;
  /** A refusal before the call reached a server (unknown tool, server down…). */
  failure: string | null;
}

interface PlaygroundState {
  slug: string;
  tools: PlaygroundTool[];
  toolsLoading: boolean;
  toolsError: string | null;
  toolName: string;
  running: boolean;
  last: HistoryEntry | null;
  history: HistoryEntry[];
  selectPreset(slug: string): Promise<void>;
  selectTool(name: string): void;
  run(args: Record<string, unknown>): Promise<HistoryEntry>;
}

let nextId = 1;

/** The preset's callable tools with their input schemas (from the upstream catalogs). */
export async function loadPlaygroundTools(slug: string): Promise<PlaygroundTool[]> {
  const view = await call('presets.toolView', { slug });
  const exposed = view.tools.filter((t) => t.allowed && t.exposedName !== null);
  const servers = [...new Set(exposed.map((t) => t.serverName))];
  const catalogs = new Map<string, Map<string, unknown>>();
  await Promise.all(
    servers.map(async (name) => {
      try {
        const { tools } = await call('servers.tools', { name });
        catalogs.set(name, new Map(tools.map((t) => [t.name, t.inputSchema])));
      } catch {
        catalogs.set(name, new Map());
      }
    }),
  );
  return exposed.map((t) => ({
    exposedName: t.exposedName as string,
    serverName: t.serverName,
    upstreamName: t.upstreamName,
    ...(t.description !== undefined ? { description: t.description } : {}),
    inputSchema: catalogs.get(t.serverName)?.get(t.upstreamName) ?? { type: 'object' },
    timeoutMs: t.timeoutMs,
  }));
}

export const usePlayground = create<PlaygroundState>((set, get) => ({
  slug: '',
  tools: [],
  toolsLoading: false,
  toolsError: null,
  toolName: '',
  running: false,
  last: null,
  history: [],
  async selectPreset(slug) {
    set({ slug, tools: [], toolName: get().slug === slug ? get().toolName : '', toolsError: null, toolsLoading: Boolean(slug) });
    if (!slug) return;
    try {
      const tools = await loadPlaygroundTools(slug);
      if (get().slug !== slug) return;
      const keep = tools.some((t) => t.exposedName === get().toolName);
      set({ tools, toolsLoading: false, toolName: keep ? get().toolName : (tools[0]?.exposedName ?? '') });
    } catch (error) {
      if (get().slug === slug) set({ toolsLoading: false, toolsError: errorText(error) });
    }
  },
  selectTool: (toolName) => set({ toolName }),
  async run(args) {
    const { slug, toolName } = get();
    set({ running: true });
    const entry: HistoryEntry = { id: nextId++, at: new Date().toISOString(), slug, tool: toolName, arguments: args, outcome: null, failure: null };
    try {
      entry.outcome = await call('tools.call', { slug, name: toolName, arguments: args });
    } catch (error) {
      entry.failure = errorText(error);
    }
    set({ running: false, last: entry, history: [entry, ...get().history].slice(0, 20) });
    return entry;
  },
}));
