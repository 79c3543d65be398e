import { create } from 'zustand';
import type { MethodOutput, PresetDetail, PresetServerBinding, PresetSpec, PresetSummary } from '../../../gateway/contract/index.js';
import { call, errorText } from '../api/client.js';

export type ToolView = MethodOutput<'presets.toolView'>;
export type BindingView = PresetDetail['servers'][number];

export const PAGE_SIZE = 20;

interface PresetsState {
  items: PresetSummary[];
  search: string;
  nextCursor: string | null;
  hasMore: boolean;
  loaded: boolean;
  loading: boolean;
  error: string | null;
  details: Record<string, PresetDetail>;
  toolViews: Record<string, ToolView>;
  saving: Record<string, boolean>;
  load(options?: { search?: string }): Promise<void>;
  loadMore(): Promise<void>;
  loadDetail(slug: string): Promise<PresetDetail>;
  loadToolView(slug: string): Promise<ToolView>;
  create(slug: string, spec: PresetSpec): Promise<PresetDetail>;
  update(slug: string, spec: PresetSpec): Promise<PresetDetail>;
  /** Saves the preset's servers, showing the new bindings at once (rolled back if refused). */
  saveBindings(slug: string, bindings: BindingView[]): Promise<PresetDetail>;
  remove(slug: string): Promise<void>;
  /** A preset changed somewhere (event `preset.changed`): refresh what is on screen. */
  changed(slug: string): Promise<void>;
}

/** A stored binding written back as the spec the API takes. */
export function bindingSpec(binding: BindingView): PresetServerBinding {
  return {
    enabled: binding.enabled,
    tools: binding.allowedTools,
    toolTimeouts: binding.toolTimeouts,
    toolOverrides: binding.toolOverrides,
    ...(binding.prefix !== null ? { prefix: binding.prefix } : {}),
  };
}

export function serversSpec(bindings: BindingView[]): Record<string, PresetServerBinding> {
  return Object.fromEntries(bindings.map((b) => [b.serverName, bindingSpec(b)]));
}

/**
 * The allowlist after switching one tool on or off. An empty allowlist means "every tool", so
 * switching off one of "all" lists the others, and switching off the last one disables the
 * server in this preset instead.
 */
export function toggleTool(binding: BindingView, allTools: string[], tool: string, allowed: boolean): BindingView {
  const current = !binding.enabled ? [] : binding.allowedTools.length === 0 ? allTools : binding.allowedTools;
  const next = allowed ? [...new Set([...current, tool])] : current.filter((t) => t !== tool);
  const ordered = allTools.filter((t) => next.includes(t)).concat(next.filter((t) => !allTools.includes(t)));
  if (ordered.length === 0) return { ...binding, enabled: false, allowedTools: [] };
  const everything = allTools.length > 0 && allTools.every((t) => ordered.includes(t));
  return { ...binding, enabled: true, allowedTools: everything ? [] : ordered };
}

export function isToolAllowed(binding: BindingView, tool: string): boolean {
  return binding.enabled && (binding.allowedTools.length === 0 || binding.allowedTools.includes(tool));
}

export const usePresets = create<PresetsState>((set, get) => {
  const storeDetail = (detail: PresetDetail): void => {
    set({
      details: { ...get().details, [detail.slug]: detail },
      items: get().items.map((p) => (p.slug === detail.slug ? { ...p, ...summaryOf(detail) } : p)),
    });
  };
  const withSaving = async <T>(slug: string, run: () => Promise<T>): Promise<T> => {
    set({ saving: { ...get().saving, [slug]: true } });
    try {
      return await run();
    } finally {
      const { [slug]: _done, ...rest } = get().saving;
      set({ saving: rest });
    }
  };
  return {
    items: [],
    search: '',
    nextCursor: null,
    hasMore: false,
    loaded: false,
    loading: false,
    error: null,
    details: {},
    toolViews: {},
    saving: {},
    async load(options) {
      const search = options?.search ?? get().search;
      set({ loading: true, search });
      try {
        const page = await call('presets.list', { limit: PAGE_SIZE, ...(search ? { search } : {}) });
        if (get().search !== search) return; // a newer search is on its way
        set({ items: page.items, nextCursor: page.pagination.nextCursor, hasMore: page.pagination.hasMore, loaded: true, loading: false, error: null });
      } catch (error) {
        set({ loading: false, error: errorText(error) });
      }
    },
    async loadMore() {
      const { nextCursor, search, loading } = get();
      if (!nextCursor || loading) return;
      set({ loading: true });
      try {
        const page = await call('presets.list', { limit: PAGE_SIZE, cursor: nextCursor, ...(search ? { search } : {}) });
        const seen = new Set(get().items.map((p) => p.id));
        set({
          items: [...get().items, ...page.items.filter((p) => !seen.has(p.id))],
          nextCursor: page.pagination.nextCursor,
          hasMore: page.pagination.hasMore,
          loading: false,
          error: null,
        });
      } catch (error) {
        set({ loading: false, error: errorText(error) });
      }
    },
    async loadDetail(slug) {
      const detail = await call('presets.get', { slug });
      storeDetail(detail);
      return detail;
    },
    async loadToolView(slug) {
      const view = await call('presets.toolView', { slug });
      set({ toolViews: { ...get().toolViews, [slug]: view } });
      return view;
    },
    async create(slug, spec) {
      const detail = await withSaving(slug, () => call('presets.create', { slug, spec }));
      set({ items: [summaryOf(detail), ...get().items.filter((p) => p.slug !== slug)] });
      storeDetail(detail);
      return detail;
    },
    async update(slug, spec) {
      const detail = await withSaving(slug, () => call('presets.update', { slug, spec }));
      storeDetail(detail);
      void get().loadToolView(slug).catch(() => undefined);
      return detail;
    },
    async saveBindings(slug, bindings) {
      const previous = get().details[slug];
      if (previous) set({ details: { ...get().details, [slug]: { ...previous, servers: bindings } } });
      try {
        return await get().update(slug, { servers: serversSpec(bindings) });
      } catch (error) {
        const current = get().details[slug];
        if (previous && current) set({ details: { ...get().details, [slug]: { ...current, servers: previous.servers } } });
        throw error;
      }
    },
    async remove(slug) {
      await withSaving(slug, () => call('presets.delete', { slug }));
      const { [slug]: _gone, ...details } = get().details;
      set({ items: get().items.filter((p) => p.slug !== slug), details });
    },
    async changed(slug) {
      const visible = get().items.some((p) => p.slug === slug);
      if (get().details[slug]) {
        try {
          await get().loadDetail(slug);
          await get().loadToolView(slug);
        } catch {
          // deleted elsewhere
          const { [slug]: _gone, ...details } = get().details;
          set({ details, items: get().items.filter((p) => p.slug !== slug) });
        }
      } else if (visible || get().loaded) {
        await get().load();
      }
    },
  };
});

function summaryOf(detail: PresetDetail): PresetSummary {
  const { servers: _servers, acl: _acl, ...summary } = detail;
  return summary;
}
