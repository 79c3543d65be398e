import { create } from 'zustand';
import type { ClientId, MethodOutput, PresetServerBinding, PresetSpec } from '../../../gateway/contract/index.js';
import { call, errorText } from '../api/client.js';

export type ImportPreview = MethodOutput<'import.preview'>;
export type ApplyResult = MethodOutput<'config.apply'>;

interface ImportState {
  preview: ImportPreview | null;
  loading: boolean;
  error: string | null;
  /** Server names the user ticked (all of them start unticked: each command needs consent). */
  selected: string[];
  presetSlug: string;
  applying: boolean;
  result: ApplyResult | null;
  fromText(text: string, source: string): Promise<void>;
  fromClient(client: ClientId): Promise<void>;
  toggle(name: string): void;
  setPresetSlug(slug: string): void;
  apply(): Promise<void>;
  reset(): void;
}

export const useImport = create<ImportState>((set, get) => {
  const load = async (input: { text: string; source: string } | { client: ClientId }): Promise<void> => {
    set({ loading: true, error: null, preview: null, selected: [], result: null });
    try {
      set({ preview: await call('import.preview', input), loading: false });
    } catch (error) {
      set({ loading: false, error: errorText(error) });
    }
  };
  return {
    preview: null,
    loading: false,
    error: null,
    selected: [],
    presetSlug: '',
    applying: false,
    result: null,
    fromText: (text, source) => load({ text, source }),
    fromClient: (client) => load({ client }),
    toggle(name) {
      const selected = get().selected;
      set({ selected: selected.includes(name) ? selected.filter((n) => n !== name) : [...selected, name] });
    },
    setPresetSlug: (presetSlug) => set({ presetSlug }),
    async apply() {
      const { preview, selected, presetSlug } = get();
      if (!preview || selected.length === 0) return;
      set({ applying: true, error: null });
      try {
        const servers = Object.fromEntries(selected.map((name) => [name, preview.servers[name]]).filter((e) => e[1] !== undefined));
        const presets: Record<string, PresetSpec> = {};
        if (presetSlug) {
          let existing: Record<string, PresetServerBinding> = {};
          try {
            const detail = await call('presets.get', { slug: presetSlug });
            existing = Object.fromEntries(
              detail.servers.map((b) => [b.serverName, { enabled: b.enabled, tools: b.allowedTools, toolTimeouts: b.toolTimeouts, toolOverrides: b.toolOverrides, ...(b.prefix !== null ? { prefix: b.prefix } : {}) }]),
            );
          } catch {
            // a new preset
          }
          presets[presetSlug] = { servers: { ...existing, ...Object.fromEntries(selected.map((name) => [name, existing[name] ?? true])) } };
        }
        const result = await call('config.apply', { config: { servers, presets }, prune: false });
        set({ result, applying: false });
      } catch (error) {
        set({ error: errorText(error), applying: false });
      }
    },
    reset: () => set({ preview: null, error: null, selected: [], result: null }),
  };
});
